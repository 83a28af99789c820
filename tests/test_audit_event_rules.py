"""
A change and its event are written together or not at all, and an event, once written, never
changes or goes (but through prune_events).
"""

import smtplib
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.accounts import services as accounts
from console.accounts.models import Invitation, Membership, Provider, Role
from console.api import services as api_services
from console.api.models import LicenseKey
from console.audit.models import Action, Event, TargetKind
from console.audit.services import Target, record, record_each
from models_registry import services as model_services
from models_registry.models import AIModel
from tests.conftest import PASSWORD, TEST_ACTOR
from tokens import services
from tokens.models import Token, TokenStatus


class EventWriteFailed(Exception):
    """What a failing event write raises in these tests."""


def fail_to_record(*args, **kwargs):
    raise EventWriteFailed("the events table is unavailable")


@pytest.fixture
def events_fail(monkeypatch):
    """From now on, writing an event fails in each module given (each imports `record`)."""

    def make_fail(*modules):
        for module in modules:
            monkeypatch.setattr(module, "record", fail_to_record)

    return make_fail


# --- A refused change writes no event --------------------------------------------------------


def test_renaming_to_a_taken_name_is_refused_and_records_nothing(alice_client, make_token):
    make_token("taken")
    token, _ = make_token("gateway")
    before = Event.objects.count()

    response = alice_client.post(
        reverse("tokens:edit", args=[token.token_id]),
        {
            "name": "TAKEN",
            "note": "",
            "expires_at": timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M"),
            "status": token.status,
            "model": "",
        },
    )

    assert response.status_code == 409
    assert Token.objects.get(pk=token.pk).name == "gateway"
    assert Event.objects.count() == before


def test_renewing_a_cancelled_token_is_refused_and_records_nothing(api, make_token):
    token, _ = make_token("gateway")
    services.cancel_token(actor=TEST_ACTOR, token=token)
    before = Event.objects.count()

    response = api.post(f"/api/v1/tokens/{token.token_id}/renew")

    assert response.status_code == 409
    assert Event.objects.count() == before


def test_an_edit_with_one_refused_field_records_none_of_its_other_changes(api, make_token):
    token, _ = make_token("gateway")
    services.cancel_token(actor=TEST_ACTOR, token=token)
    before = Event.objects.count()

    response = api.patch(
        f"/api/v1/tokens/{token.token_id}", {"name": "renamed", "status": "ACTIVE"}
    )

    assert response.status_code == 409
    assert Token.objects.get(pk=token.pk).name == "gateway"
    assert Event.objects.count() == before


def test_assigning_an_assigned_token_is_refused_and_records_nothing(
    api, make_token, sentiment, vision
):
    token, _ = make_token("gateway", model=sentiment)
    before = Event.objects.count()

    response = api.post(f"/api/v1/tokens/{token.token_id}/assign", {"model_id": vision.model_id})

    assert response.status_code == 409
    assert Event.objects.count() == before


def test_demoting_the_last_owner_is_refused_and_records_nothing(alice_client, alice, acme):
    membership = Membership.objects.get(provider=acme, user=alice)
    before = Event.objects.count()

    alice_client.post(reverse("member_role", args=[membership.pk]), {"role": "MEMBER"})

    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER
    assert Event.objects.count() == before


def test_the_last_owner_leaving_is_refused_and_records_nothing(alice_client, alice, acme):
    before = Event.objects.count()

    response = alice_client.post(reverse("provider_leave"))

    assert response.status_code == 409
    assert Membership.objects.filter(provider=acme, user=alice).exists()
    assert Event.objects.count() == before


def test_an_invitation_whose_email_fails_records_nothing(alice_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(accounts, "send_mail", refuse)
    before = Event.objects.count()

    response = alice_client.post(
        reverse("member_invite"), {"email": "dana@example.com", "role": "MEMBER"}
    )

    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert Event.objects.count() == before


def test_charlie_is_refused_acmes_objects_and_nothing_is_recorded(
    charlie_client, charlie_api, alice_key, acme, make_token, sentiment
):
    token, _ = make_token("gateway")
    key = LicenseKey.objects.get(provider=acme, name="scripts")
    before = Event.objects.count()

    revoke = charlie_client.post(reverse("license_key_revoke", args=[key.key_id]))
    renew = charlie_api.post(f"/api/v1/tokens/{token.token_id}/renew")
    tab = charlie_client.post(
        reverse("tokens:create_for_model", args=[sentiment.model_id]), {"name": "mine"}
    )

    assert (revoke.status_code, renew.status_code, tab.status_code) == (404, 404, 404)
    assert LicenseKey.objects.filter(pk=key.pk).exists()
    assert Event.objects.count() == before


# --- A failed event write undoes its change ---------------------------------------------------


def test_a_token_is_not_created_when_its_event_cannot_be_written(acme, events_fail):
    events_fail(services)

    with pytest.raises(EventWriteFailed):
        services.create_token(actor=TEST_ACTOR, provider=acme, name="gateway")

    assert not Token.objects.filter(name="gateway").exists()


def test_a_token_keeps_its_values_when_the_events_of_an_edit_cannot_be_written(
    make_token, events_fail
):
    token, _ = make_token("gateway", note="before")
    events_fail(services)

    with pytest.raises(EventWriteFailed):
        services.update_token(
            actor=TEST_ACTOR,
            token=token,
            name="renamed",
            note="after",
            status=TokenStatus.SUSPENDED,
            expires_at=timezone.now() + timedelta(days=3),
        )

    stored = Token.objects.get(pk=token.pk)
    assert (stored.name, stored.note, stored.status, stored.expires_at) == (
        "gateway",
        "before",
        TokenStatus.ACTIVE,
        token.expires_at,
    )


def test_an_assignment_is_undone_when_its_event_cannot_be_written(
    make_token, sentiment, events_fail
):
    token, _ = make_token("spare")
    events_fail(services)

    with pytest.raises(EventWriteFailed):
        services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    assert Token.objects.get(pk=token.pk).model is None


def test_a_token_is_not_deleted_when_its_event_cannot_be_written(make_token, events_fail):
    token, _ = make_token("gateway")
    events_fail(services)

    with pytest.raises(EventWriteFailed):
        services.delete_token(actor=TEST_ACTOR, token=token)

    assert Token.objects.filter(pk=token.pk).exists()


def test_the_api_answers_500_and_changes_nothing_when_events_cannot_be_saved(
    alice_key, make_token, monkeypatch
):
    token, _ = make_token("gateway")
    monkeypatch.setattr(Event, "save", fail_to_record)
    before = Event.objects.count()
    browser = Client(raise_request_exception=False)

    response = browser.patch(
        f"/api/v1/tokens/{token.token_id}",
        {"name": "renamed"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {alice_key}"},
    )

    assert response.status_code == 500
    assert Token.objects.get(pk=token.pk).name == "gateway"
    assert Event.objects.count() == before


def test_a_model_is_not_created_when_its_event_cannot_be_written(acme, events_fail):
    events_fail(model_services)

    with pytest.raises(EventWriteFailed):
        model_services.create_model(actor=TEST_ACTOR, provider=acme, name="Fraud Scoring")

    assert not AIModel.objects.filter(name="Fraud Scoring").exists()


def test_a_deleted_model_and_its_tokens_come_back_when_its_event_cannot_be_written(
    make_token, sentiment, events_fail
):
    token, _ = make_token("gateway", model=sentiment)
    before = Event.objects.count()
    events_fail(model_services)

    with pytest.raises(EventWriteFailed):
        model_services.delete_model(actor=TEST_ACTOR, model=sentiment)

    assert Token.objects.get(pk=token.pk).model == sentiment
    assert Event.objects.count() == before  # nor the tokens' token.unassigned events


def test_a_license_key_is_not_revoked_when_its_event_cannot_be_written(alice_key, events_fail):
    key = LicenseKey.objects.get(name="scripts")
    events_fail(api_services)

    with pytest.raises(EventWriteFailed):
        api_services.revoke_license_key(actor=TEST_ACTOR, key=key)

    assert LicenseKey.objects.filter(pk=key.pk).exists()
    assert api_services.authenticate_license_key(alice_key) is not None


def test_a_license_key_is_not_created_when_its_event_cannot_be_written(alice, acme, events_fail):
    events_fail(api_services)

    with pytest.raises(EventWriteFailed):
        api_services.create_license_key(
            actor=TEST_ACTOR, provider=acme, created_by=alice, name="deploys"
        )

    assert not LicenseKey.objects.filter(name="deploys").exists()


def test_a_role_is_unchanged_when_its_event_cannot_be_written(acme, bob, events_fail):
    membership = Membership.objects.get(provider=acme, user=bob)
    events_fail(accounts)

    with pytest.raises(EventWriteFailed):
        accounts.change_role(actor=TEST_ACTOR, membership=membership, role=Role.VIEWER)

    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER


def test_a_provider_is_not_deleted_when_its_event_cannot_be_written(acme, events_fail):
    events_fail(accounts)

    with pytest.raises(EventWriteFailed):
        accounts.delete_provider(actor=TEST_ACTOR, provider=acme, confirm_name="Acme")

    assert Provider.objects.filter(pk=acme.pk).exists()


def test_no_account_is_left_behind_when_joining_from_an_invitation_cannot_be_recorded(
    acme, alice, monkeypatch
):
    invitation, _ = accounts.invite(
        actor=TEST_ACTOR, provider=acme, email="dana@example.com", role="MEMBER", invited_by=alice
    )
    real_record = accounts.record

    def fail_on_joining(actor, action, **kwargs):
        if action == Action.MEMBER_JOINED:
            fail_to_record()
        return real_record(actor, action, **kwargs)

    monkeypatch.setattr(accounts, "record", fail_on_joining)

    with pytest.raises(EventWriteFailed):
        accounts.create_user_and_accept(
            actor=TEST_ACTOR, invitation=invitation, username="dana", password=PASSWORD
        )

    assert not Membership.objects.filter(user__username="dana").exists()
    assert not Event.objects.filter(action=Action.ACCOUNT_CREATED, target_name="dana").exists()
    invitation.refresh_from_db()
    assert invitation.is_open


# --- Events are append-only -------------------------------------------------------------------


@pytest.fixture
def event(make_token) -> Event:
    token, _ = make_token("gateway")
    return Event.objects.get(action=Action.TOKEN_CREATED, target_id=token.token_id)


def test_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.all().delete()

    assert Event.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).update(actor_name="someone else")
    event.actor_name = "someone else"
    # bulk_update joins the caller's transaction (no savepoint): give it one to spoil.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        Event.objects.bulk_update([event], ["actor_name"])

    assert Event.objects.get(pk=event.pk).actor_name == "tests"


def test_a_written_event_cannot_be_saved_again_or_deleted(event):
    event.changes = {}
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()

    stored = Event.objects.get(pk=event.pk)
    assert stored.changes["name"] == [None, "gateway"]


# --- Only inside a transaction ---------------------------------------------------------------

SNAPSHOT = Target(TargetKind.PROVIDER, "prv_nowhere", "Nowhere")


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        record(TEST_ACTOR, Action.PROVIDER_CREATED, provider=None, target=SNAPSHOT)
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        record_each(TEST_ACTOR, Action.PROVIDER_CREATED, provider=None, targets=[SNAPSHOT])

    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_service_called_outside_any_transaction_writes_its_change_and_event_together():
    _, provider = accounts.create_user_and_provider(
        actor=TEST_ACTOR, username="erin", password=PASSWORD, provider_name="Initech"
    )

    model = model_services.create_model(actor=TEST_ACTOR, provider=provider, name="Fraud Scoring")

    assert Event.objects.filter(action=Action.MODEL_CREATED, target_id=model.model_id).exists()
    assert Event.objects.filter(action=Action.PROVIDER_CREATED, provider=provider).exists()
