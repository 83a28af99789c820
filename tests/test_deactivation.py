"""Deactivating a person or a provider stops what they hold: sessions, keys, tokens."""

from console.accounts.services import set_account_active, set_provider_active
from console.audit.models import Action, Event
from tests.conftest import TEST_ACTOR, ApiCaller


def own_token(client, secret):
    return client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})


def test_a_deactivated_providers_tokens_stop_authenticating(client, acme, make_token, sentiment):
    _, secret = make_token("gateway", model=sentiment)
    assert own_token(client, secret).status_code == 200

    set_provider_active(actor=TEST_ACTOR, provider=acme, active=False)
    refused = own_token(client, secret)
    set_provider_active(actor=TEST_ACTOR, provider=acme, active=True)

    assert refused.status_code == 401
    assert refused.json()["message"] == "This token's provider is not active at the moment."
    assert own_token(client, secret).status_code == 200


def test_a_deactivated_providers_license_keys_stop_working(api, acme, make_token, sentiment):
    _, secret = make_token("gateway", model=sentiment)

    set_provider_active(actor=TEST_ACTOR, provider=acme, active=False)

    assert api.get("/api/v1/models").status_code == 401
    assert api.post("/api/v1/introspect", {"token": secret}).status_code == 401


def test_a_deactivated_providers_members_no_longer_see_it(alice_client, acme, make_token):
    token, _ = make_token("gateway")

    set_provider_active(actor=TEST_ACTOR, provider=acme, active=False)

    assert alice_client.get("/tokens/").status_code == 403
    assert "not a member of any" in alice_client.get("/").content.decode()
    assert alice_client.get(f"/tokens/{token.token_id}/").status_code == 403


def test_staff_deactivate_and_reactivate_providers_in_the_admin_with_an_event(staff_client, acme):
    staff_client.post(
        "/admin/accounts/provider/",
        {"action": "deactivate_selected", "_selected_action": [acme.pk]},
    )
    acme.refresh_from_db()
    deactivated = Event.objects.get(action=Action.PROVIDER_DEACTIVATED)
    staff_client.post(
        "/admin/accounts/provider/",
        {"action": "reactivate_selected", "_selected_action": [acme.pk]},
    )

    assert acme.is_active is False
    assert (deactivated.actor_kind, deactivated.provider_id) == ("staff", acme.pk)
    assert Event.objects.filter(action=Action.PROVIDER_REACTIVATED).exists()
    acme.refresh_from_db()
    assert acme.is_active is True


def test_a_deactivated_person_is_signed_out_and_their_keys_stop(client, alice, alice_key):
    client.force_login(alice)
    assert client.get("/").status_code == 200

    set_account_active(actor=TEST_ACTOR, user=alice, active=False)

    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert ApiCaller(client, alice_key).get("/api/v1/models").status_code == 401


def test_deactivating_a_person_in_the_admin_records_it(staff_client, bob):
    from django.contrib.auth.models import User

    form = staff_client.get(f"/admin/auth/user/{bob.pk}/change/").context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        username="bob",
        is_active="",
        date_joined_0=form.initial["date_joined"].strftime("%Y-%m-%d"),
        date_joined_1=form.initial["date_joined"].strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)

    response = staff_client.post(f"/admin/auth/user/{bob.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=bob.pk).is_active is False
    event = Event.objects.get(action=Action.ACCOUNT_DEACTIVATED)
    assert (event.target_name, event.actor_kind) == ("bob", "staff")


def test_another_provider_is_untouched_by_acmes_deactivation(charlie_client, acme, globex):
    set_provider_active(actor=TEST_ACTOR, provider=acme, active=False)

    assert charlie_client.get("/tokens/").status_code == 200
