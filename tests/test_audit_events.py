"""
Every change leaves one event naming who made it, from where, to what, and each changed field's
before and after: made the way people really make them, from the console's pages, the JSON API,
Django admin and the management commands.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.accounts.models import Invitation, Membership, Provider, Role
from console.api.models import LicenseKey
from console.audit.actors import ANONYMOUS_NAME
from console.audit.models import Action, ActorKind, Event, Source, TargetKind
from console.management.commands.seed_demo import DEMO_PROVIDER
from models_registry.models import AIModel
from tests.conftest import PASSWORD, TEST_ACTOR
from tests.test_admin import CHANGELIST, admin_datetime
from tokens import services
from tokens.models import Token, TokenStatus

# --- Reading what was written ----------------------------------------------------------------


def last_event_pk() -> int:
    return Event.objects.aggregate(last=Max("pk"))["last"] or 0


def events_after(mark: int) -> list[Event]:
    """The events written since `mark` (see `last_event_pk`), in the order they were written."""
    return list(Event.objects.filter(pk__gt=mark).order_by("pk"))


def described(event: Event) -> dict:
    """An event as the tests compare it: who, from where, in which provider, on what, how."""
    return {
        "actor": (event.actor_kind, event.actor_ref, event.actor_name),
        "source": event.source,
        "provider": event.provider_id,
        "action": event.action,
        "target": (event.target_kind, event.target_id, event.target_name),
        "changes": event.changes,
        "related_id": event.related_id,
    }


def iso(moment: datetime) -> str:
    """A datetime as events store it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def member(user) -> tuple:
    return (ActorKind.USER, f"user:{user.pk}", user.username)


def staff_member(user) -> tuple:
    return (ActorKind.STAFF, f"user:{user.pk}", user.username)


def license_key(name: str = "scripts") -> tuple:
    key = LicenseKey.objects.get(name=name)
    return (ActorKind.LICENSE_KEY, f"key:{key.key_id}", key.name)


def system(command: str) -> tuple:
    return (ActorKind.SYSTEM, "system", command)


def token_target(token: Token) -> tuple:
    return (TargetKind.TOKEN, token.token_id, token.name)


def person(user) -> tuple:
    return (TargetKind.MEMBER, f"user:{user.pk}", user.username)


def fresh(token: Token) -> Token:
    return Token.objects.get(pk=token.pk)


def minute(moment: datetime) -> str:
    """A datetime as the console's expiration input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def staff_browser(staff) -> Client:
    """Staff in Django admin, in a browser of their own (the personas' share one client)."""
    browser = Client()
    browser.force_login(staff)
    return browser


def edit_form(token: Token, **changes) -> dict:
    """The console's Edit dialog as it arrives, untouched but for `changes`."""
    data = {
        "name": token.name,
        "note": token.note,
        "expires_at": minute(token.expires_at),
        "status": token.status,
        **({} if token.model_id else {"model": ""}),
    }
    return {**data, **changes}


def admin_form(token: Token, **changes) -> dict:
    """Django admin's change form for a token, untouched but for `changes`."""
    data = {
        "name": token.name,
        "note": token.note,
        **admin_datetime(token.expires_at),
        "status": token.status,
        "model": token.model.pk if token.model else "",
    }
    return {**data, **changes}


# --- Tokens from the console ---------------------------------------------------------------


def test_adding_a_token_in_the_console_records_who_and_every_field_it_starts_with(
    alice_client, alice, acme, sentiment
):
    expires = timezone.now() + timedelta(days=10)
    mark = last_event_pk()

    alice_client.post(
        reverse("tokens:add"),
        {
            "name": "gateway",
            "model": sentiment.model_id,
            "note": "for the proxy",
            "expires_at": minute(expires),
        },
    )

    token = Token.objects.get(name="gateway")
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_CREATED,
        "target": token_target(token),
        "changes": {
            "name": [None, "gateway"],
            "model": [None, "Sentiment Analysis"],
            "note": [None, "for the proxy"],
            "status": [None, "ACTIVE"],
            "expires_at": [None, iso(token.expires_at)],
        },
        "related_id": sentiment.model_id,
    }


def test_renaming_a_token_in_the_console_records_who_and_the_old_and_new_names(
    bob_client, bob, acme, make_token
):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    bob_client.post(reverse("tokens:edit", args=[token.token_id]), edit_form(token, name="proxy"))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(bob),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_RENAMED,
        "target": (TargetKind.TOKEN, token.token_id, "proxy"),
        "changes": {"name": ["gateway", "proxy"]},
        "related_id": "",
    }


def test_an_edit_that_renames_and_suspends_records_two_events_one_per_change(
    alice_client, alice, make_token
):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    alice_client.post(
        reverse("tokens:edit", args=[token.token_id]),
        edit_form(token, name="proxy", status=TokenStatus.SUSPENDED),
    )

    events = events_after(mark)
    assert [(e.action, e.changes) for e in events] == [
        (Action.TOKEN_RENAMED, {"name": ["gateway", "proxy"]}),
        (Action.TOKEN_SUSPENDED, {"status": ["ACTIVE", "SUSPENDED"]}),
    ]
    assert {(e.actor_ref, e.target_name) for e in events} == {(f"user:{alice.pk}", "proxy")}


def test_saving_the_edit_dialog_unchanged_records_nothing(alice_client, make_token, sentiment):
    token, _ = make_token("gateway", model=sentiment, note="kept")
    mark = last_event_pk()

    response = alice_client.post(reverse("tokens:edit", args=[token.token_id]), edit_form(token))

    assert response.status_code == 302
    assert events_after(mark) == []


def test_changing_a_note_in_the_console_records_the_old_and_new_note(
    alice_client, alice, make_token
):
    token, _ = make_token("gateway", note="old")
    mark = last_event_pk()

    alice_client.post(reverse("tokens:edit", args=[token.token_id]), edit_form(token, note="new"))

    [event] = events_after(mark)
    assert (event.action, event.changes, event.actor_ref) == (
        Action.TOKEN_NOTE_CHANGED,
        {"note": ["old", "new"]},
        f"user:{alice.pk}",
    )


def test_suspending_and_activating_in_the_console_record_each_status_change(
    alice_client, alice, acme, make_token
):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    alice_client.post(reverse("tokens:suspend", args=[token.token_id]))
    alice_client.post(reverse("tokens:activate", args=[token.token_id]))

    suspended, activated = events_after(mark)
    assert described(suspended) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_SUSPENDED,
        "target": token_target(token),
        "changes": {"status": ["ACTIVE", "SUSPENDED"]},
        "related_id": "",
    }
    assert (activated.action, activated.changes) == (
        Action.TOKEN_ACTIVATED,
        {"status": ["SUSPENDED", "ACTIVE"]},
    )


def test_renewing_in_the_console_records_the_old_and_new_expiration(
    alice_client, alice, acme, make_token
):
    token, _ = make_token("gateway", days=2)
    mark = last_event_pk()

    alice_client.post(reverse("tokens:renew", args=[token.token_id]))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_RENEWED,
        "target": token_target(token),
        "changes": {"expires_at": [iso(token.expires_at), iso(fresh(token).expires_at)]},
        "related_id": "",
    }


def test_cancelling_in_the_console_records_the_final_status(alice_client, make_token):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    alice_client.post(reverse("tokens:cancel", args=[token.token_id]))

    [event] = events_after(mark)
    assert (event.action, event.source, event.changes) == (
        Action.TOKEN_CANCELLED,
        Source.CONSOLE,
        {"status": ["ACTIVE", "CANCELED"]},
    )


def test_assigning_from_a_models_tab_records_the_model_and_relates_the_event_to_it(
    alice_client, alice, acme, make_token, sentiment
):
    token, _ = make_token("spare")
    mark = last_event_pk()

    alice_client.post(
        reverse("tokens:assign", args=[sentiment.model_id]),
        {"q": "spare", "token_id": token.token_id},
    )

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_ASSIGNED,
        "target": token_target(token),
        "changes": {"model": [None, "Sentiment Analysis"]},
        "related_id": sentiment.model_id,
    }


def test_removing_an_assignment_in_the_console_records_the_model_it_left(
    alice_client, alice, acme, make_token, sentiment
):
    token, _ = make_token("gateway", model=sentiment)
    mark = last_event_pk()

    alice_client.post(reverse("tokens:unassign", args=[token.token_id]))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_UNASSIGNED,
        "target": token_target(token),
        "changes": {"model": ["Sentiment Analysis", None]},
        "related_id": sentiment.model_id,
    }


def test_deleting_in_the_console_records_the_token_by_name_after_it_is_gone(
    alice_client, alice, acme, make_token, sentiment
):
    token, _ = make_token("gateway", model=sentiment)
    mark = last_event_pk()

    alice_client.post(reverse("tokens:delete", args=[token.token_id]), {"confirm_name": "gateway"})

    assert not Token.objects.filter(pk=token.pk).exists()
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.TOKEN_DELETED,
        "target": token_target(token),
        "changes": {},
        "related_id": sentiment.model_id,
    }


def test_a_viewer_is_refused_a_change_and_nothing_is_recorded(victor_client, make_token):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    response = victor_client.post(reverse("tokens:suspend", args=[token.token_id]))

    assert response.status_code == 403
    assert events_after(mark) == []


def test_charlie_cannot_change_acmes_token_in_the_console_and_nothing_is_recorded(
    charlie_client, make_token
):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    edit = charlie_client.post(
        reverse("tokens:edit", args=[token.token_id]), edit_form(token, name="mine")
    )
    cancel = charlie_client.post(reverse("tokens:cancel", args=[token.token_id]))

    assert (edit.status_code, cancel.status_code) == (404, 404)
    assert fresh(token).name == "gateway" and fresh(token).status == TokenStatus.ACTIVE
    assert events_after(mark) == []


# --- Tokens from the JSON API --------------------------------------------------------------


def test_creating_a_token_through_the_api_records_the_license_key_as_the_actor(
    api, acme, sentiment
):
    mark = last_event_pk()

    response = api.post("/api/v1/tokens", {"name": "from-script", "model_id": sentiment.model_id})

    token = Token.objects.get(token_id=response.json()["token_id"])
    [event] = events_after(mark)
    assert described(event) == {
        "actor": license_key("scripts"),
        "source": Source.API,
        "provider": acme.pk,
        "action": Action.TOKEN_CREATED,
        "target": token_target(token),
        "changes": {
            "name": [None, "from-script"],
            "model": [None, "Sentiment Analysis"],
            "status": [None, "ACTIVE"],
            "expires_at": [None, iso(token.expires_at)],
        },
        "related_id": sentiment.model_id,
    }


def test_moving_an_expiration_through_the_api_records_the_old_and_new_dates(api, acme, make_token):
    token, _ = make_token("gateway", days=5)
    later = int((timezone.now() + timedelta(days=20)).timestamp())
    mark = last_event_pk()

    api.patch(f"/api/v1/tokens/{token.token_id}", {"expires_at": later})

    [event] = events_after(mark)
    assert described(event) == {
        "actor": license_key(),
        "source": Source.API,
        "provider": acme.pk,
        "action": Action.TOKEN_EXPIRATION_CHANGED,
        "target": token_target(token),
        "changes": {
            "expires_at": [iso(token.expires_at), iso(datetime.fromtimestamp(later, tz=UTC))]
        },
        "related_id": "",
    }


def test_a_patch_that_repeats_the_current_values_records_nothing(api, make_token):
    token, _ = make_token("gateway", note="same")
    mark = last_event_pk()

    response = api.patch(
        f"/api/v1/tokens/{token.token_id}",
        {"name": "gateway", "note": "same", "status": "ACTIVE"},
    )

    assert response.status_code == 200
    assert events_after(mark) == []


def test_a_patch_that_sends_back_the_expiration_it_read_records_no_expiration_change(api):
    # Made with the default lifetime, so stored to the microsecond; the API shows whole seconds.
    read = api.post("/api/v1/tokens", {"name": "gateway"}).json()
    stored = Token.objects.get(token_id=read["token_id"]).expires_at
    mark = last_event_pk()

    api.patch(
        f"/api/v1/tokens/{read['token_id']}", {"name": "proxy", "expires_at": read["expires_at"]}
    )

    assert [event.action for event in events_after(mark)] == [Action.TOKEN_RENAMED]
    assert Token.objects.get(token_id=read["token_id"]).expires_at == stored


def test_renewing_and_cancelling_through_the_api_record_each_change(api, make_token):
    token, _ = make_token("gateway", days=2)
    mark = last_event_pk()

    renewed = api.post(f"/api/v1/tokens/{token.token_id}/renew").json()
    api.post(f"/api/v1/tokens/{token.token_id}/cancel")

    renewal, cancellation = events_after(mark)
    assert renewal.action == Action.TOKEN_RENEWED
    assert renewal.changes["expires_at"][0] == iso(token.expires_at)
    assert renewal.changes["expires_at"][1].startswith(
        datetime.fromtimestamp(renewed["expires_at"], tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    assert (cancellation.action, cancellation.changes) == (
        Action.TOKEN_CANCELLED,
        {"status": ["ACTIVE", "CANCELED"]},
    )
    assert {e.source for e in (renewal, cancellation)} == {Source.API}


def test_reassigning_through_the_api_records_both_steps_and_the_new_evk_flag(
    api, acme, make_token, sentiment, vision
):
    token, _ = make_token("gateway", model=sentiment)
    mark = last_event_pk()

    api.post(f"/api/v1/tokens/{token.token_id}/unassign")
    api.post(f"/api/v1/tokens/{token.token_id}/assign", {"model_id": vision.model_id})

    unassigned, assigned = events_after(mark)
    assert described(unassigned) == {
        "actor": license_key(),
        "source": Source.API,
        "provider": acme.pk,
        "action": Action.TOKEN_UNASSIGNED,
        "target": token_target(token),
        "changes": {"model": ["Sentiment Analysis", None]},
        "related_id": sentiment.model_id,
    }
    assert described(assigned) == {
        **described(unassigned),
        "action": Action.TOKEN_ASSIGNED,
        "changes": {"model": [None, "Image Sharpening"], "needs_new_evk": [False, True]},
        "related_id": vision.model_id,
    }


def test_deleting_through_the_api_records_the_deletion(api, acme, make_token):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    response = api.delete(f"/api/v1/tokens/{token.token_id}")

    assert response.status_code == 204
    [event] = events_after(mark)
    assert (event.action, event.actor_kind, event.source, event.target_id) == (
        Action.TOKEN_DELETED,
        ActorKind.LICENSE_KEY,
        Source.API,
        token.token_id,
    )


def test_charlies_key_cannot_change_acmes_token_and_nothing_is_recorded(charlie_api, make_token):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    patch = charlie_api.patch(f"/api/v1/tokens/{token.token_id}", {"name": "mine"})
    delete = charlie_api.delete(f"/api/v1/tokens/{token.token_id}")

    assert (patch.status_code, delete.status_code) == (404, 404)
    assert Token.objects.filter(pk=token.pk, name="gateway").exists()
    assert events_after(mark) == []


# --- Tokens from Django admin --------------------------------------------------------------


def test_staff_adding_a_token_in_the_admin_is_recorded_as_staff_from_the_admin(
    staff_browser, staff, acme, sentiment
):
    expires = timezone.now() + timedelta(days=10)
    mark = last_event_pk()

    staff_browser.post(
        f"{CHANGELIST}add/",
        {
            "provider": acme.pk,
            "name": "from-admin",
            "model": sentiment.pk,
            **admin_datetime(expires),
        },
    )

    token = Token.objects.get(name="from-admin")
    [event] = events_after(mark)
    assert described(event) == {
        "actor": staff_member(staff),
        "source": Source.ADMIN,
        "provider": acme.pk,
        "action": Action.TOKEN_CREATED,
        "target": token_target(token),
        "changes": {
            "name": [None, "from-admin"],
            "model": [None, "Sentiment Analysis"],
            "status": [None, "ACTIVE"],
            "expires_at": [None, iso(token.expires_at)],
        },
        "related_id": sentiment.model_id,
    }


def test_staff_changing_only_a_note_in_the_admin_records_only_the_note(
    staff_browser, staff, acme, make_token, sentiment
):
    token, _ = make_token("gateway", model=sentiment)
    mark = last_event_pk()

    response = staff_browser.post(
        f"{CHANGELIST}{token.pk}/change/", admin_form(token, note="staff was here")
    )

    assert response.status_code == 302
    [event] = events_after(mark)
    assert described(event) == {
        "actor": staff_member(staff),
        "source": Source.ADMIN,
        "provider": acme.pk,
        "action": Action.TOKEN_NOTE_CHANGED,
        "target": token_target(token),
        "changes": {"note": ["", "staff was here"]},
        "related_id": "",
    }
    assert fresh(token).expires_at == token.expires_at


@pytest.mark.parametrize(
    ("action", "start", "recorded", "after"),
    [
        ("suspend_selected", TokenStatus.ACTIVE, Action.TOKEN_SUSPENDED, "SUSPENDED"),
        ("activate_selected", TokenStatus.SUSPENDED, Action.TOKEN_ACTIVATED, "ACTIVE"),
        ("cancel_selected", TokenStatus.ACTIVE, Action.TOKEN_CANCELLED, "CANCELED"),
    ],
)
def test_an_admin_bulk_status_action_records_one_event_per_token(
    staff_browser, staff, acme, make_token, action, start, recorded, after
):
    tokens = [make_token(name)[0] for name in ("one", "two", "three")]
    for token in tokens:
        services.update_token(actor=TEST_ACTOR, token=token, status=start)
    mark = last_event_pk()

    staff_browser.post(CHANGELIST, {"action": action, "_selected_action": [t.pk for t in tokens]})

    events = events_after(mark)
    assert sorted(e.target_id for e in events) == sorted(t.token_id for t in tokens)
    assert {
        (e.action, e.actor_kind, e.actor_ref, e.source, e.provider_id, str(e.changes))
        for e in events
    } == {
        (
            recorded,
            ActorKind.STAFF,
            f"user:{staff.pk}",
            Source.ADMIN,
            acme.pk,
            str({"status": [start.value, after]}),
        )
    }


def test_an_admin_bulk_renewal_records_each_tokens_own_old_expiration(staff_browser, make_token):
    soon, _ = make_token("soon", days=1)
    later, _ = make_token("later", days=3)
    mark = last_event_pk()

    staff_browser.post(
        CHANGELIST, {"action": "renew_selected", "_selected_action": [soon.pk, later.pk]}
    )

    events = {e.target_name: e for e in events_after(mark)}
    assert set(events) == {"soon", "later"}
    for token in (soon, later):
        event = events[token.name]
        assert (event.action, event.source) == (Action.TOKEN_RENEWED, Source.ADMIN)
        assert event.changes == {
            "expires_at": [iso(token.expires_at), iso(fresh(token).expires_at)]
        }


def test_an_admin_bulk_delete_records_one_deletion_per_token(staff_browser, staff, make_token):
    tokens = [make_token(name)[0] for name in ("one", "two")]
    mark = last_event_pk()

    staff_browser.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [t.pk for t in tokens], "post": "yes"},
    )

    assert not Token.objects.filter(pk__in=[t.pk for t in tokens]).exists()
    events = events_after(mark)
    assert sorted((e.action, e.target_name, e.actor_kind) for e in events) == [
        (Action.TOKEN_DELETED, "one", ActorKind.STAFF),
        (Action.TOKEN_DELETED, "two", ActorKind.STAFF),
    ]


# --- Models --------------------------------------------------------------------------------


def test_creating_a_model_in_the_console_records_its_name_and_description(
    alice_client, alice, acme
):
    mark = last_event_pk()

    alice_client.post(
        reverse("models_registry:create"), {"name": "Fraud Scoring", "description": "Payments"}
    )

    model = AIModel.objects.get(name="Fraud Scoring")
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MODEL_CREATED,
        "target": (TargetKind.MODEL, model.model_id, "Fraud Scoring"),
        "changes": {"name": [None, "Fraud Scoring"], "description": [None, "Payments"]},
        "related_id": "",
    }


def test_creating_a_model_through_the_api_records_the_license_key(api, acme):
    mark = last_event_pk()

    model_id = api.post("/api/v1/models", {"name": "Fraud Scoring"}).json()["model_id"]

    [event] = events_after(mark)
    assert described(event) == {
        "actor": license_key(),
        "source": Source.API,
        "provider": acme.pk,
        "action": Action.MODEL_CREATED,
        "target": (TargetKind.MODEL, model_id, "Fraud Scoring"),
        "changes": {"name": [None, "Fraud Scoring"]},
        "related_id": "",
    }


def test_staff_renaming_and_describing_a_model_records_each_change(
    staff_browser, staff, acme, sentiment
):
    mark = last_event_pk()

    staff_browser.post(
        f"/admin/models_registry/aimodel/{sentiment.pk}/change/",
        {"name": "Opinion Mining", "description": "Reviews and tweets"},
    )

    renamed, described_again = events_after(mark)
    assert described(renamed) == {
        "actor": staff_member(staff),
        "source": Source.ADMIN,
        "provider": acme.pk,
        "action": Action.MODEL_RENAMED,
        "target": (TargetKind.MODEL, sentiment.model_id, "Opinion Mining"),
        "changes": {"name": ["Sentiment Analysis", "Opinion Mining"]},
        "related_id": "",
    }
    assert (described_again.action, described_again.changes) == (
        Action.MODEL_DESCRIPTION_CHANGED,
        {"description": ["Reviews", "Reviews and tweets"]},
    )


def test_deleting_a_model_records_each_of_its_tokens_unassigned_then_the_model_deleted(
    staff_browser, staff, acme, make_token, sentiment
):
    first, _ = make_token("first", model=sentiment)
    second, _ = make_token("second", model=sentiment)
    make_token("elsewhere")
    mark = last_event_pk()

    staff_browser.post(f"/admin/models_registry/aimodel/{sentiment.pk}/delete/", {"post": "yes"})

    assert not AIModel.objects.filter(pk=sentiment.pk).exists()
    *unassigned, deleted = events_after(mark)
    assert sorted(e.target_id for e in unassigned) == sorted([first.token_id, second.token_id])
    for event in unassigned:
        assert described(event) == {
            "actor": staff_member(staff),
            "source": Source.ADMIN,
            "provider": acme.pk,
            "action": Action.TOKEN_UNASSIGNED,
            "target": (TargetKind.TOKEN, event.target_id, event.target_name),
            "changes": {"model": ["Sentiment Analysis", None]},
            "related_id": sentiment.model_id,
        }
    assert described(deleted) == {
        "actor": staff_member(staff),
        "source": Source.ADMIN,
        "provider": acme.pk,
        "action": Action.MODEL_DELETED,
        "target": (TargetKind.MODEL, sentiment.model_id, "Sentiment Analysis"),
        "changes": {"tokens": [2, 0]},
        "related_id": "",
    }


def test_charlies_key_cannot_see_or_create_in_acme_and_its_model_is_globexs(
    charlie_api, globex, acme, sentiment
):
    mark = last_event_pk()

    response = charlie_api.post("/api/v1/models", {"name": "Sentiment Analysis"})

    [event] = events_after(mark)
    assert response.status_code == 201
    assert (event.provider_id, event.target_id) == (globex.pk, response.json()["model_id"])
    assert event.target_id != sentiment.model_id


# --- License keys --------------------------------------------------------------------------


def test_creating_a_license_key_in_the_console_records_its_name_and_creator(
    alice_client, alice, acme
):
    mark = last_event_pk()

    alice_client.post(reverse("license_key_create"), {"name": "deploys", "scope": "gateway"})

    key = LicenseKey.objects.get(name="deploys")
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.LICENSE_KEY_CREATED,
        "target": (TargetKind.LICENSE_KEY, key.key_id, "deploys"),
        "changes": {
            "name": [None, "deploys"],
            "created_by": [None, "alice"],
            "scope": [None, "gateway"],
        },
        "related_id": "",
    }


def test_revoking_a_license_key_in_the_console_keeps_its_name_on_record(
    alice_client, alice, acme, alice_key
):
    key = LicenseKey.objects.get(name="scripts")
    mark = last_event_pk()

    alice_client.post(reverse("license_key_revoke", args=[key.key_id]))

    assert not LicenseKey.objects.filter(pk=key.pk).exists()
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.LICENSE_KEY_REVOKED,
        "target": (TargetKind.LICENSE_KEY, key.key_id, "scripts"),
        "changes": {},
        "related_id": "",
    }


def test_createlicense_records_the_system_from_a_command(alice, acme):
    mark = last_event_pk()

    call_command("createlicense", "alice", "--name", "shell-key")

    key = LicenseKey.objects.get(name="shell-key")
    [event] = events_after(mark)
    assert described(event) == {
        "actor": system("createlicense"),
        "source": Source.COMMAND,
        "provider": acme.pk,
        "action": Action.LICENSE_KEY_CREATED,
        "target": (TargetKind.LICENSE_KEY, key.key_id, "shell-key"),
        "changes": {
            "name": [None, "shell-key"],
            "created_by": [None, "alice"],
            "scope": [None, "management"],
        },
        "related_id": "",
    }


# --- Members and invitations ----------------------------------------------------------------


def test_inviting_records_the_email_and_role_but_never_the_link(alice_client, alice, acme):
    mark = last_event_pk()

    response = alice_client.post(
        reverse("member_invite"), {"email": "dana@example.com", "role": "VIEWER"}
    )

    invitation = Invitation.objects.get(email="dana@example.com")
    link = response.context["link"]
    link_token = link.rstrip("/").rsplit("/", 1)[1]
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_INVITED,
        "target": (TargetKind.INVITATION, invitation.invitation_id, "dana@example.com"),
        "changes": {"email": [None, "dana@example.com"], "role": [None, "VIEWER"]},
        "related_id": "",
    }
    stored = [str(value) for value in Event.objects.filter(pk=event.pk).values().get().values()]
    assert all(link_token not in value and link not in value for value in stored)


def test_accepting_an_invitation_records_the_person_joining_by_that_invitation(
    charlie_client, charlie, acme, invited
):
    invitation, link = invited
    mark = last_event_pk()

    charlie_client.post(link, {"action": "accept"})

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(charlie),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_JOINED,
        "target": person(charlie),
        "changes": {"role": [None, "MEMBER"]},
        "related_id": invitation.invitation_id,
    }


def test_creating_an_account_from_an_invitation_records_the_new_person_making_it_then_joining(
    client, acme, invited
):
    invitation, link = invited
    mark = last_event_pk()

    client.post(
        link,
        {"action": "create", "username": "dana", "password1": PASSWORD, "password2": PASSWORD},
    )

    dana = Membership.objects.get(user__username="dana").user
    created, joined, signed_in = events_after(mark)
    assert signed_in.action == Action.ACCOUNT_SIGNED_IN
    assert described(created) == {
        "actor": member(dana),
        "source": Source.CONSOLE,
        "provider": None,
        "action": Action.ACCOUNT_CREATED,
        "target": person(dana),
        "changes": {"username": [None, "dana"], "email": [None, "dana@example.com"]},
        "related_id": "",
    }
    assert described(joined) == {
        "actor": member(dana),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_JOINED,
        "target": person(dana),
        "changes": {"role": [None, "MEMBER"]},
        "related_id": invitation.invitation_id,
    }


def test_declining_without_signing_in_records_someone_with_the_link(client, acme, invited):
    invitation, link = invited
    mark = last_event_pk()

    client.post(link, {"action": "decline"})

    [event] = events_after(mark)
    assert described(event) == {
        "actor": (ActorKind.ANONYMOUS, "anonymous", ANONYMOUS_NAME),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.INVITATION_DECLINED,
        "target": (TargetKind.INVITATION, invitation.invitation_id, "dana@example.com"),
        "changes": {},
        "related_id": "",
    }


def test_declining_signed_in_records_who_declined(charlie_client, charlie, invited):
    _, link = invited
    mark = last_event_pk()

    charlie_client.post(link, {"action": "decline"})

    [event] = events_after(mark)
    assert (event.action, event.actor_kind, event.actor_ref) == (
        Action.INVITATION_DECLINED,
        ActorKind.USER,
        f"user:{charlie.pk}",
    )


def test_revoking_an_invitation_records_the_owner_and_the_invitation(
    alice_client, alice, acme, invited
):
    invitation, _ = invited
    mark = last_event_pk()

    alice_client.post(reverse("invitation_revoke", args=[invitation.invitation_id]))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.INVITATION_REVOKED,
        "target": (TargetKind.INVITATION, invitation.invitation_id, "dana@example.com"),
        "changes": {},
        "related_id": "",
    }


def test_changing_a_role_records_the_old_and_new_role(alice_client, alice, acme, bob):
    membership = Membership.objects.get(provider=acme, user=bob)
    mark = last_event_pk()

    alice_client.post(reverse("member_role", args=[membership.pk]), {"role": "VIEWER"})

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_ROLE_CHANGED,
        "target": person(bob),
        "changes": {"role": ["MEMBER", "VIEWER"]},
        "related_id": "",
    }


def test_removing_a_member_records_the_owner_and_the_role_they_had(
    alice_client, alice, acme, victor
):
    membership = Membership.objects.get(provider=acme, user=victor)
    mark = last_event_pk()

    alice_client.post(reverse("member_remove", args=[membership.pk]))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_REMOVED,
        "target": person(victor),
        "changes": {"role": ["VIEWER", None]},
        "related_id": "",
    }


def test_leaving_records_the_member_as_both_actor_and_target(bob_client, bob, acme):
    mark = last_event_pk()

    bob_client.post(reverse("provider_leave"))

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(bob),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.MEMBER_LEFT,
        "target": person(bob),
        "changes": {"role": ["MEMBER", None]},
        "related_id": "",
    }


def test_staff_changing_a_role_and_revoking_an_invitation_in_the_admin_are_recorded_as_staff(
    staff_browser, staff, acme, bob, invited
):
    membership = Membership.objects.get(provider=acme, user=bob)
    invitation, _ = invited
    mark = last_event_pk()

    staff_browser.post(f"/admin/accounts/membership/{membership.pk}/change/", {"role": "VIEWER"})
    staff_browser.post(
        "/admin/accounts/invitation/",
        {"action": "revoke_selected", "_selected_action": [invitation.pk]},
    )

    changed, revoked = events_after(mark)
    as_staff = {"actor": staff_member(staff), "source": Source.ADMIN, "provider": acme.pk}
    assert described(changed) == {
        **as_staff,
        "action": Action.MEMBER_ROLE_CHANGED,
        "target": person(bob),
        "changes": {"role": ["MEMBER", "VIEWER"]},
        "related_id": "",
    }
    assert described(revoked) == {
        **as_staff,
        "action": Action.INVITATION_REVOKED,
        "target": (TargetKind.INVITATION, invitation.invitation_id, "dana@example.com"),
        "changes": {},
        "related_id": "",
    }


def test_charlie_cannot_change_a_role_in_acme_and_nothing_is_recorded(charlie_client, acme, bob):
    membership = Membership.objects.get(provider=acme, user=bob)
    mark = last_event_pk()

    response = charlie_client.post(reverse("member_role", args=[membership.pk]), {"role": "OWNER"})

    assert response.status_code == 404
    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER
    assert events_after(mark) == []


# --- Providers and accounts ----------------------------------------------------------------


def test_createprovider_records_the_account_the_provider_and_its_owner_joining(db, monkeypatch):
    monkeypatch.setenv("DJANGO_PROVIDER_PASSWORD", PASSWORD)
    mark = last_event_pk()

    call_command("createprovider", "initech", "--email", "ops@initech.test", "--noinput")

    provider = Provider.objects.get(name="initech")
    owner = Membership.objects.get(provider=provider).user
    account, created, joined = events_after(mark)
    command = {"actor": system("createprovider"), "source": Source.COMMAND, "related_id": ""}
    assert described(account) == {
        **command,
        "provider": None,
        "action": Action.ACCOUNT_CREATED,
        "target": person(owner),
        "changes": {"username": [None, "initech"], "email": [None, "ops@initech.test"]},
    }
    assert described(created) == {
        **command,
        "provider": provider.pk,
        "action": Action.PROVIDER_CREATED,
        "target": (TargetKind.PROVIDER, provider.provider_id, "initech"),
        "changes": {"name": [None, "initech"]},
    }
    assert described(joined) == {
        **command,
        "provider": provider.pk,
        "action": Action.MEMBER_JOINED,
        "target": person(owner),
        "changes": {"role": [None, "OWNER"]},
    }


def test_seed_demo_records_every_change_it_makes_as_the_system(db, settings):
    settings.DEBUG = True
    mark = last_event_pk()

    call_command("seed_demo")

    events = events_after(mark)
    demo = Provider.objects.get(name=DEMO_PROVIDER)
    assert {(e.actor_kind, e.actor_ref, e.actor_name, e.source) for e in events} == {
        (ActorKind.SYSTEM, "system", "seed_demo", Source.COMMAND)
    }
    made = {(e.action, e.target_name) for e in events}
    assert {
        (Action.PROVIDER_CREATED, DEMO_PROVIDER),
        (Action.MODEL_CREATED, "Health Analysis"),
        (Action.TOKEN_CREATED, "acme-prod-gateway"),
        (Action.TOKEN_SUSPENDED, "photo-app-beta"),
        (Action.TOKEN_CANCELLED, "old-mobile-client"),
        (Action.TOKEN_UNASSIGNED, "migrated-client"),
        (Action.TOKEN_ASSIGNED, "migrated-client"),
    } <= made
    assert {e.provider_id for e in events if e.action != Action.ACCOUNT_CREATED} == {demo.pk}
    [reassigned] = [e for e in events if e.action == Action.TOKEN_ASSIGNED]
    assert reassigned.changes == {
        "model": [None, "Image Sharpening"],
        "needs_new_evk": [False, True],
    }


def test_changing_provider_settings_records_only_the_settings_that_changed(
    alice_client, alice, acme
):
    mark = last_event_pk()

    alice_client.post(
        reverse("provider_settings"),
        {"name": "Acme Labs", "default_token_lifetime_days": "", "max_token_lifetime_days": "90"},
    )

    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": acme.pk,
        "action": Action.PROVIDER_SETTINGS_CHANGED,
        "target": (TargetKind.PROVIDER, acme.provider_id, "Acme Labs"),
        "changes": {"name": ["Acme", "Acme Labs"], "max_token_lifetime_days": [None, 90]},
        "related_id": "",
    }


def test_deleting_a_provider_keeps_its_events_without_the_provider_and_names_it(
    alice_client, alice, acme, make_token, charlie, globex
):
    token, _ = make_token("gateway")
    acmes_events = list(Event.objects.filter(provider=acme).values_list("pk", flat=True))
    globex_events = Event.objects.filter(provider=globex).count()
    mark = last_event_pk()

    alice_client.post(reverse("provider_delete"), {"confirm_name": "Acme"})

    assert not Provider.objects.filter(pk=acme.pk).exists()
    [event] = events_after(mark)
    assert described(event) == {
        "actor": member(alice),
        "source": Source.CONSOLE,
        "provider": None,
        "action": Action.PROVIDER_DELETED,
        "target": (TargetKind.PROVIDER, acme.provider_id, "Acme"),
        "changes": {},
        "related_id": "",
    }
    kept = Event.objects.filter(pk__in=acmes_events)
    assert kept.count() == len(acmes_events) > 0
    assert set(kept.values_list("provider", flat=True)) == {None}
    assert kept.filter(action=Action.TOKEN_CREATED, target_id=token.token_id).exists()
    assert Event.objects.filter(provider=globex).count() == globex_events


# --- Where the change came from: the address and the request ------------------------------

FORWARDED = "203.0.113.7, 198.51.100.2"


@pytest.mark.parametrize(
    ("trust", "proxies", "recorded"),
    [
        (True, 1, "198.51.100.2"),
        (True, 2, "203.0.113.7"),
        (False, 1, "192.0.2.10"),
    ],
)
def test_the_event_records_the_address_the_trusted_proxies_saw(
    alice_client, make_token, settings, trust, proxies, recorded
):
    settings.TRUST_PROXY_HEADERS = trust
    settings.TRUSTED_PROXY_COUNT = proxies
    token, _ = make_token("gateway")
    mark = last_event_pk()

    alice_client.post(
        reverse("tokens:suspend", args=[token.token_id]),
        headers={"X-Forwarded-For": FORWARDED},
        REMOTE_ADDR="192.0.2.10",
    )

    [event] = events_after(mark)
    assert event.ip == recorded


def test_behind_a_trusted_proxy_a_request_without_forwarded_for_records_the_connections_address(
    alice_client, make_token, settings
):
    settings.TRUST_PROXY_HEADERS = True
    token, _ = make_token("gateway")
    mark = last_event_pk()

    alice_client.post(reverse("tokens:suspend", args=[token.token_id]), REMOTE_ADDR="192.0.2.10")

    [event] = events_after(mark)
    assert event.ip == "192.0.2.10"


def test_an_api_event_records_the_callers_address(api, make_token):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    api.client.post(
        f"/api/v1/tokens/{token.token_id}/cancel",
        headers={"Authorization": f"Bearer {api.key}", "X-Forwarded-For": "203.0.113.7"},
        REMOTE_ADDR="192.0.2.44",
    )

    [event] = events_after(mark)
    assert event.ip == "192.0.2.44"


@pytest.mark.parametrize("path", ["console", "api", "admin"])
def test_the_events_request_id_is_the_one_the_response_names(
    path, alice_client, api, staff_browser, make_token
):
    token, _ = make_token("gateway")
    mark = last_event_pk()

    if path == "console":
        response = alice_client.post(reverse("tokens:suspend", args=[token.token_id]))
    elif path == "api":
        response = api.post(f"/api/v1/tokens/{token.token_id}/renew")
    else:
        response = staff_browser.post(
            CHANGELIST, {"action": "cancel_selected", "_selected_action": [token.pk]}
        )

    [event] = events_after(mark)
    assert len(response["X-Request-ID"]) == 32
    assert event.request_id == response["X-Request-ID"]


def test_a_command_has_no_address_and_no_request(alice, acme):
    mark = last_event_pk()

    call_command("createlicense", "alice", "--name", "shell-key")

    [event] = events_after(mark)
    assert (event.ip, event.request_id) == (None, "")
