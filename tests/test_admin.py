"""Staff manage providers, models and tokens in Django admin, under the same rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token, TokenStatus

CHANGELIST = "/admin/tokens/token/"


def admin_datetime(value):
    local = timezone.localtime(value)
    return {"expires_at_0": local.strftime("%Y-%m-%d"), "expires_at_1": local.strftime("%H:%M:%S")}


def test_token_list_shows_columns_and_never_the_digest(staff_client, make_token, sentiment):
    token, secret = make_token("gateway", model=sentiment)

    response = staff_client.get(CHANGELIST)

    content = response.content.decode()
    assert response.status_code == 200
    for text in ["gateway", "Sentiment Analysis", "Active", token.hint, "Acme"]:
        assert text in content
    assert token.digest not in content
    assert secret not in content


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status__exact=SUSPENDED", "paused", "working"),
        ("assigned=no", "spare", "working"),
        ("assigned=yes", "working", "spare"),
        ("expired=yes", "old", "working"),
        ("expired=no", "working", "old"),
        ("q=PAUS", "paused", "working"),
    ],
)
def test_token_list_filters_and_search(staff_client, make_token, sentiment, query, shown, hidden):
    make_token("working", model=sentiment)
    paused, _ = make_token("paused", model=sentiment)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    make_token("spare")
    old, _ = make_token("old", model=sentiment)
    Token.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = staff_client.get(f"{CHANGELIST}?{query}")

    names = [token.name for token in response.context["cl"].result_list]
    assert shown in names
    assert hidden not in names


def test_change_page_lets_staff_edit_the_note_but_shows_no_digest(
    staff_client, make_token, sentiment
):
    token, _ = make_token("gateway", model=sentiment)
    url = f"{CHANGELIST}{token.pk}/change/"

    page = staff_client.get(url)
    response = staff_client.post(
        url,
        {
            "name": "gateway",
            "note": "Provider-only context",
            **admin_datetime(token.expires_at),
            "status": "ACTIVE",
            "model": sentiment.pk,
        },
    )

    assert token.digest not in page.content.decode()
    assert 'name="note"' in page.content.decode()
    assert response.status_code == 302
    assert Token.objects.get(pk=token.pk).note == "Provider-only context"


def test_change_page_refuses_reactivating_a_cancelled_token(staff_client, make_token):
    token, _ = make_token("gateway")
    services.cancel_token(actor=TEST_ACTOR, token=token)

    response = staff_client.post(
        f"{CHANGELIST}{token.pk}/change/",
        {"name": "gateway", "note": "", **admin_datetime(token.expires_at), "status": "ACTIVE"},
    )

    assert response.status_code == 200
    assert "cancelling is final" in response.content.decode()
    assert Token.objects.get(pk=token.pk).status == TokenStatus.CANCELED


def test_change_page_refuses_moving_an_assigned_token(staff_client, make_token, sentiment, vision):
    token, _ = make_token("gateway", model=sentiment)

    response = staff_client.post(
        f"{CHANGELIST}{token.pk}/change/",
        {
            "name": "gateway",
            "note": "",
            **admin_datetime(token.expires_at),
            "status": "ACTIVE",
            "model": vision.pk,
        },
    )

    assert "remove its assignment first" in response.content.decode()
    assert Token.objects.get(pk=token.pk).model == sentiment


def test_staff_create_a_token_and_see_its_secret_once(staff_client, alice, sentiment, acme):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "provider": acme.pk,
            "name": "from-admin",
            "model": sentiment.pk,
            "note": "made by staff",
            **admin_datetime(timezone.now() + timedelta(days=10)),
        },
    )

    token = Token.objects.get(name="from-admin")
    secret = response.context["secret"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "cannot be retrieved later" in response.content.decode()
    assert services.authenticate(secret).token == token
    assert token.provider == acme
    assert secret not in staff_client.get(f"{CHANGELIST}{token.pk}/change/").content.decode()
    assert secret not in staff_client.get(CHANGELIST).content.decode()


def test_admin_create_refuses_another_providers_model(staff_client, alice, charlies_model, acme):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "provider": acme.pk,
            "name": "wrong",
            "model": charlies_model.pk,
            **admin_datetime(timezone.now() + timedelta(days=10)),
        },
    )

    assert response.status_code == 200
    assert "Choose one of your models." in response.content.decode()
    assert not Token.objects.exists()


def test_admin_create_refuses_an_expiration_out_of_range(staff_client, alice, acme):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "provider": acme.pk,
            "name": "late",
            **admin_datetime(timezone.now() + timedelta(days=400)),
        },
    )

    assert "at most 365 days" in response.content.decode()
    assert not Token.objects.exists()


def test_bulk_actions_suspend_cancel_and_renew(staff_client, make_token):
    first, _ = make_token("first", days=2)
    second, _ = make_token("second", days=2)

    staff_client.post(
        CHANGELIST, {"action": "suspend_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert set(Token.objects.values_list("status", flat=True)) == {TokenStatus.SUSPENDED}

    staff_client.post(CHANGELIST, {"action": "cancel_selected", "_selected_action": [first.pk]})
    response = staff_client.post(
        CHANGELIST,
        {"action": "renew_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert "Renewed 1 token(s)." in messages
    assert any("cannot be renewed" in message for message in messages)
    assert Token.objects.get(pk=first.pk).status == TokenStatus.CANCELED
    assert Token.objects.get(pk=second.pk).expires_at > timezone.now() + timedelta(days=29)


def test_staff_register_models_with_unique_names(staff_client, alice, sentiment, acme):
    duplicate = staff_client.post(
        "/admin/models_registry/aimodel/add/",
        {"provider": acme.pk, "name": "sentiment analysis", "description": ""},
    )
    created = staff_client.post(
        "/admin/models_registry/aimodel/add/",
        {"provider": acme.pk, "name": "Vision", "description": "Sees"},
    )

    assert "already have a model named" in duplicate.content.decode()
    assert created.status_code == 302
    assert AIModel.objects.get(name="Vision").model_id.startswith("mdl_")


def test_model_list_shows_token_counts(staff_client, sentiment, make_token):
    make_token("a", model=sentiment)
    make_token("b", model=sentiment)

    response = staff_client.get("/admin/models_registry/aimodel/")

    assert response.context["cl"].result_list[0].token_count == 2


def test_admin_create_calls_the_create_service_once(staff_client, alice, monkeypatch, acme):
    from tokens import secrets

    made = []
    new_secret = secrets.new_secret
    monkeypatch.setattr(secrets, "new_secret", lambda: made.append(1) or new_secret())
    expires = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")

    response = staff_client.post(
        "/admin/tokens/token/add/",
        {
            "provider": acme.pk,
            "name": "once",
            "note": "",
            "expires_at_0": expires[:10],
            "expires_at_1": expires[11:],
        },
    )

    assert response.status_code == 200 and "Copy the token now" in response.content.decode()
    assert len(made) == 1


def test_admin_rename_of_a_model_renames_it_on_its_tokens(staff_client, sentiment, make_token):
    token, _ = make_token("gateway", model=sentiment)

    response = staff_client.post(
        f"/admin/models_registry/aimodel/{sentiment.pk}/change/",
        {"name": "Sentiment v2", "description": "Reviews"},
    )

    assert response.status_code == 302
    assert Token.objects.get(pk=token.pk).model_name == "Sentiment v2"


def test_staff_see_providers_with_their_members_and_the_memberships(staff_client, bob, acme):
    provider_page = staff_client.get(f"/admin/accounts/provider/{acme.pk}/change/")
    memberships = staff_client.get("/admin/accounts/membership/")
    invitations = staff_client.get("/admin/accounts/invitation/")

    assert provider_page.status_code == 200
    html = provider_page.content.decode()
    assert "alice" in html and "bob" in html and acme.provider_id in html
    assert memberships.status_code == 200 and "Member" in memberships.content.decode()
    assert invitations.status_code == 200


# --- Deleting a person --------------------------------------------------------------------------


def test_deleting_a_person_in_the_admin_records_them_leaving_each_provider(staff_client, bob, acme):
    from console.audit.models import Action, ActorKind, Event

    response = staff_client.post(f"/admin/auth/user/{bob.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    removed = Event.objects.get(action=Action.MEMBER_REMOVED)
    assert (removed.provider_id, removed.target_name) == (acme.pk, "bob")
    assert (removed.actor_kind, removed.actor_name) == (ActorKind.STAFF, "staff")
    assert not type(bob).objects.filter(pk=bob.pk).exists()


def test_the_last_owner_of_a_provider_cannot_be_deleted_in_the_admin(staff_client, alice, bob):
    single = staff_client.get(f"/admin/auth/user/{alice.pk}/delete/")
    selected = staff_client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [alice.pk, bob.pk], "post": "yes"},
    )

    assert single.status_code == 403
    assert selected.status_code == 403
    assert type(alice).objects.filter(pk__in=[alice.pk, bob.pk]).count() == 2


def test_providers_cannot_delete_people_in_the_admin(charlie_client, bob):
    response = charlie_client.post(f"/admin/auth/user/{bob.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert type(bob).objects.filter(pk=bob.pk).exists()
