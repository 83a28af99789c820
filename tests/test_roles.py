"""
Roles: a Viewer sees every page of the provider and changes nothing (403, nothing changed); a
Member changes models and tokens; nobody outside the provider learns that its objects exist.
"""

import pytest
from django.utils import timezone

from console.api.models import LicenseKey
from console.api.services import create_license_key
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tokens.models import Token, TokenStatus


@pytest.fixture
def world(acme, alice, sentiment, make_token):
    """Acme's objects, with every kind of URL a write can reach."""
    assigned, _ = make_token("assigned", model=sentiment)
    spare, _ = make_token("spare")
    suspended, _ = make_token("suspended", model=sentiment)
    Token.objects.filter(pk=suspended.pk).update(status=TokenStatus.SUSPENDED)
    key, _ = create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="alice's key"
    )
    return {"assigned": assigned, "spare": spare, "suspended": suspended, "key": key}


def write_requests(world, sentiment):
    """Every page request that changes something, as (method, url, data)."""
    assigned = world["assigned"].token_id
    spare = world["spare"].token_id
    model = sentiment.model_id
    return [
        ("get", "/tokens/new/", {}),
        ("post", "/tokens/new/", {"name": "new", "expires_at": "2099-01-01T00:00"}),
        ("get", f"/tokens/{assigned}/edit/", {}),
        ("post", f"/tokens/{assigned}/edit/", {"name": "renamed", "status": "ACTIVE"}),
        ("post", f"/tokens/{assigned}/edit/", {"name": "assigned", "rate_limit": "1"}),
        ("post", f"/tokens/{assigned}/renew/", {}),
        ("post", f"/tokens/{assigned}/suspend/", {}),
        ("post", f"/tokens/{world['suspended'].token_id}/activate/", {}),
        ("get", f"/tokens/{assigned}/unassign/", {}),
        ("post", f"/tokens/{assigned}/unassign/", {}),
        ("get", f"/tokens/{assigned}/cancel/", {}),
        ("post", f"/tokens/{assigned}/cancel/", {}),
        ("get", f"/tokens/{assigned}/delete/", {}),
        ("post", f"/tokens/{assigned}/delete/", {"confirm_name": "assigned"}),
        ("get", "/models/new/", {}),
        ("post", "/models/new/", {"name": "Another"}),
        ("get", f"/models/{model}/tokens/new/", {}),
        ("post", f"/models/{model}/tokens/new/", {"name": "from-tab", "model": model}),
        ("post", f"/models/{model}/tokens/assign/", {"q": "spare", "token_id": spare}),
        ("get", f"/models/{model}/limits/", {}),
        ("post", f"/models/{model}/limits/", {"default_rate_limit": "1"}),
        ("get", "/account/license-keys/new/", {}),
        ("post", "/account/license-keys/new/", {"name": "viewer's key", "scope": "gateway"}),
        ("get", f"/account/license-keys/{world['key'].key_id}/revoke/", {}),
        ("post", f"/account/license-keys/{world['key'].key_id}/revoke/", {}),
    ]


def snapshot():
    return (
        sorted(Token.objects.values_list("name", "status", "model_id", "expires_at", "rate_limit")),
        sorted(AIModel.objects.values_list("name", "default_rate_limit")),
        sorted(LicenseKey.objects.values_list("name", flat=True)),
    )


def test_a_viewer_is_refused_every_write_with_403_and_nothing_changes(
    victor_client, world, sentiment
):
    before = snapshot()

    for method, url, data in write_requests(world, sentiment):
        response = getattr(victor_client, method)(url, data)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "You cannot do this" in response.content.decode(), url

    assert snapshot() == before


def test_someone_of_another_provider_gets_404_on_every_url(charlie_client, world, sentiment):
    before = snapshot()
    reads = [
        ("get", f"/models/{sentiment.model_id}/", {}),
        ("get", f"/models/{sentiment.model_id}/tokens/", {}),
        ("get", f"/models/{sentiment.model_id}/tokens/unassigned/", {"q": "sp"}),
    ]
    # Pages with no object of Acme's in their address act on charlie's own provider instead.
    own_provider_pages = {"/tokens/new/", "/models/new/", "/account/license-keys/new/"}

    for method, url, data in [*reads, *write_requests(world, sentiment)]:
        if url in own_provider_pages:
            continue
        response = getattr(charlie_client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)

    assert snapshot() == before


def test_a_viewer_sees_every_page_of_the_provider(victor_client, world, sentiment):
    for url in [
        "/",
        "/models/",
        f"/models/{sentiment.model_id}/",
        f"/models/{sentiment.model_id}/tokens/",
        "/tokens/",
        "/account/license-keys/",
        "/docs/api/",
    ]:
        response = victor_client.get(url)
        assert response.status_code == 200, url
        assert "Acme" in response.content.decode(), url


def test_a_viewer_is_shown_no_write_controls(victor_client, world, sentiment):
    pages = {
        "/tokens/": ["Add Token", "Actions for assigned"],
        "/models/": ["Create Model"],
        f"/models/{sentiment.model_id}/tokens/": ["Create Token", "Assign token", "Edit assigned"],
        f"/models/{sentiment.model_id}/": ["model-limits-button"],
        "/account/license-keys/": ["Create license key", "Revoke alice"],
    }

    for url, controls in pages.items():
        html = victor_client.get(url).content.decode()
        for control in controls:
            assert control not in html, (url, control)


def test_a_member_changes_models_and_tokens(bob_client, world, sentiment):
    created = bob_client.post("/models/new/", {"name": "Bob's model"})
    renewed = bob_client.post(f"/tokens/{world['assigned'].token_id}/renew/")
    expires = timezone.localtime(world["spare"].expires_at).strftime("%Y-%m-%dT%H:%M")
    edited = bob_client.post(
        f"/tokens/{world['spare'].token_id}/edit/",
        {"name": "spare-renamed", "status": "ACTIVE", "expires_at": expires},
    )

    assert (created.status_code, renewed.status_code, edited.status_code) == (302, 302, 302)
    assert AIModel.objects.filter(name="Bob's model", provider=sentiment.provider).exists()
    assert Token.objects.filter(name="spare-renamed").exists()


def test_a_member_revokes_their_own_license_keys_and_not_others(bob, bob_client, acme, world):
    own, _ = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="bob's key")

    theirs = bob_client.post(f"/account/license-keys/{world['key'].key_id}/revoke/")
    mine = bob_client.post(f"/account/license-keys/{own.key_id}/revoke/")

    assert theirs.status_code == 403
    assert mine.status_code == 302
    assert list(LicenseKey.objects.values_list("name", flat=True)) == ["alice's key"]


def test_an_owner_revokes_any_of_the_providers_keys(bob, alice_client, acme):
    bobs, _ = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="bob's key")

    response = alice_client.post(f"/account/license-keys/{bobs.key_id}/revoke/")

    assert response.status_code == 302
    assert not LicenseKey.objects.exists()
