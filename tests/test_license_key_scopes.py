"""License keys' scopes: a Gateway key introspects tokens and is refused everything else."""

import pytest
from django.core.management import call_command

from console.api.models import KeyScope, LicenseKey
from console.api.services import authenticate_license_key, create_license_key
from console.audit.models import Action, Event
from tests.conftest import TEST_ACTOR
from tests.test_usage_metering import introspect


@pytest.fixture
def gateway_key(alice, acme):
    return create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway", scope=KeyScope.GATEWAY
    )[1]


def test_a_gateway_key_introspects(client, gateway_key, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    assert introspect(client, gateway_key, secret).json()["active"] is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tokens"),
        ("get", "/api/v1/models"),
        ("get", "/api/v1/events"),
        ("post", "/api/v1/tokens"),
    ],
)
def test_a_gateway_key_is_refused_everything_else_with_403(client, gateway_key, method, path):
    response = getattr(client, method)(
        path, content_type="application/json", headers={"Authorization": f"Bearer {gateway_key}"}
    )

    assert response.status_code == 403
    assert response.json()["message"].startswith("This is a Gateway license key")


def test_a_management_key_does_everything_its_role_allows(client, alice_key, sentiment):
    response = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {alice_key}"})

    assert response.status_code == 200


def test_an_unknown_scope_is_refused(alice, acme):
    from console.errors import DomainError

    with pytest.raises(DomainError) as refused:
        create_license_key(
            actor=TEST_ACTOR, provider=acme, created_by=alice, name="x", scope="everything"
        )

    assert refused.value.field == "scope"


def test_another_providers_gateway_key_sees_none_of_our_tokens(
    client, charlie, globex, make_token, sentiment
):
    key = create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="gw", scope=KeyScope.GATEWAY
    )[1]
    _, secret = make_token(model=sentiment)

    assert introspect(client, key, secret).json() == {"active": False}


# --- The License keys page and createlicense ----------------------------------------------------

HTMX = {"HX-Request": "true"}


def test_the_create_dialog_asks_for_a_scope_management_by_default(alice_client):
    html = alice_client.get("/account/license-keys/new/", headers=HTMX).content.decode()

    assert '<legend class="label">Scope</legend>' in html
    assert "Introspection only: give this to your query gateway." in html
    gateway = html.split('value="gateway"')[1].split(">")[0]
    management = html.split('value="management"')[1].split(">")[0]
    assert "checked" in management and "checked" not in gateway
    assert html.index('value="gateway"') < html.index('value="management"')


@pytest.mark.parametrize("scope", [KeyScope.GATEWAY, KeyScope.MANAGEMENT])
def test_creating_a_key_keeps_the_chosen_scope(alice_client, acme, scope):
    response = alice_client.post(
        "/account/license-keys/new/", {"name": "k", "scope": scope}, headers=HTMX
    )

    assert response.status_code == 200
    assert LicenseKey.objects.get(provider=acme, name="k").scope == scope
    assert Event.objects.get(action=Action.LICENSE_KEY_CREATED).changes["scope"] == [None, scope]


@pytest.mark.parametrize(
    ("scope", "message"),
    [("", "Choose what the key may do."), ("everything", "Choose Gateway or Management.")],
)
def test_a_key_without_a_known_scope_is_refused_next_to_the_choice(
    alice_client, acme, scope, message
):
    response = alice_client.post(
        "/account/license-keys/new/", {"name": "k", "scope": scope}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="dialog-scope_error">{message}</p>' in html
    assert 'value="k"' in html
    assert not LicenseKey.objects.exists()


def test_the_list_shows_each_keys_scope(alice_client, alice, acme, gateway_key):
    create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="scripts")

    html = alice_client.get("/account/license-keys/").content.decode()

    assert '<th scope="col">Scope</th>' in html
    assert (
        '<span class="badge badge-scope-gateway" title="Introspection only">Gateway</span>' in html
    )
    assert ">Management</span>" in html


def test_a_viewer_cannot_create_a_key_of_any_scope(victor_client, acme):
    response = victor_client.post(
        "/account/license-keys/new/", {"name": "k", "scope": KeyScope.GATEWAY}
    )

    assert response.status_code == 403
    assert not LicenseKey.objects.exists()


def test_another_providers_keys_and_scopes_are_not_listed(alice_client, alice, charlie, globex):
    create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="gw", scope=KeyScope.GATEWAY
    )

    html = alice_client.get("/account/license-keys/").content.decode()

    assert "badge-scope" not in html
    assert "Create your first license key" in html


def test_createlicense_makes_a_gateway_key_when_asked(alice, capsys):
    call_command("createlicense", "alice", "--name", "gw", "--scope", "gateway")

    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert authenticate_license_key(secret).scope == KeyScope.GATEWAY


def test_createlicense_makes_a_management_key_by_default(alice, capsys):
    call_command("createlicense", "alice", "--name", "ci")

    captured = capsys.readouterr()
    assert authenticate_license_key(captured.out.strip().splitlines()[-1]).scope == "management"
    assert captured.err.startswith("Management license key “ci” created")
