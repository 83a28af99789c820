"""A license key acts with its creator's current role in its provider, and no longer than that."""

import pytest

from console.accounts.models import Membership, Role
from console.accounts.services import change_role, remove_member
from console.api.services import create_license_key
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens.models import Token


@pytest.fixture
def victors_api(client, acme, victor):
    return ApiCaller(
        client, create_license_key(actor=TEST_ACTOR, provider=acme, created_by=victor, name="v")[1]
    )


@pytest.fixture
def bobs_key(acme, bob):
    return create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="b")[1]


def test_a_viewers_key_reads_and_checks_tokens_but_changes_nothing(
    victors_api, make_token, sentiment
):
    token, secret = make_token("gateway", model=sentiment)

    reads = [victors_api.get("/api/v1/tokens"), victors_api.get(f"/api/v1/tokens/{token.token_id}")]
    check = victors_api.post("/api/v1/introspect", {"token": secret})
    path = f"/api/v1/tokens/{token.token_id}"
    writes = [
        victors_api.post("/api/v1/tokens", {"name": "new"}),
        victors_api.patch(path, {"note": "x"}),
        victors_api.post(f"{path}/assign", {"model_id": sentiment.model_id}),
        victors_api.post(f"{path}/unassign"),
        victors_api.post(f"{path}/renew"),
        victors_api.post(f"{path}/cancel"),
        victors_api.delete(path),
        victors_api.post("/api/v1/models", {"name": "New model"}),
        victors_api.patch(f"/api/v1/models/{sentiment.model_id}", {"default_quota": 1}),
    ]

    assert [response.status_code for response in reads] == [200, 200]
    assert check.status_code == 200 and check.json()["active"] is True
    assert [response.status_code for response in writes] == [403] * 9
    assert writes[0].json()["code"] == "permission_denied"
    assert list(Token.objects.values_list("name", "note", "status", "model")) == [
        ("gateway", "", "ACTIVE", sentiment.pk)
    ]


def test_a_key_follows_its_creators_role_as_it_changes(client, acme, bob, bobs_key):
    api = ApiCaller(client, bobs_key)
    membership = Membership.objects.get(provider=acme, user=bob)

    as_member = api.post("/api/v1/models", {"name": "One"})
    change_role(actor=TEST_ACTOR, membership=membership, role=Role.VIEWER)
    as_viewer = api.post("/api/v1/models", {"name": "Two"})

    assert (as_member.status_code, as_viewer.status_code) == (201, 403)


def test_a_key_stops_working_when_its_creator_leaves_the_provider(client, acme, bob, bobs_key):
    api = ApiCaller(client, bobs_key)
    assert api.get("/api/v1/models").status_code == 200

    remove_member(actor=TEST_ACTOR, membership=Membership.objects.get(provider=acme, user=bob))

    assert api.get("/api/v1/models").status_code == 401


def test_a_key_stops_working_when_its_creator_is_deactivated(client, bob, bobs_key):
    api = ApiCaller(client, bobs_key)
    bob.is_active = False
    bob.save()

    assert api.get("/api/v1/models").status_code == 401


def test_a_key_reaches_its_provider_only_whatever_else_its_creator_belongs_to(
    client, acme, globex, bob, bobs_key, make_token
):
    from console.accounts.services import add_member

    add_member(actor=TEST_ACTOR, provider=globex, user=bob, role=Role.OWNER)
    theirs, _ = make_token("globex-token", provider=globex)
    api = ApiCaller(client, bobs_key)

    assert api.get(f"/api/v1/tokens/{theirs.token_id}").status_code == 404
    assert api.get("/api/v1/tokens").json()["results"] == []
