import re
from datetime import timedelta

import pytest
from django.utils import timezone

from console.errors import DomainError
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token, TokenStatus


def rule(excinfo) -> str:
    return excinfo.value.code


# --- Creating -------------------------------------------------------------------------------


def test_new_token_is_active_assigned_and_expires_after_the_default_30_days(alice, sentiment, acme):
    before = timezone.now()
    token, secret = services.create_token(
        actor=TEST_ACTOR, provider=acme, name="gateway", model=sentiment
    )

    assert token.status == TokenStatus.ACTIVE
    assert token.model == sentiment
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert token.hint == f"uat_…{secret[-4:]}"
    assert token.token_id.startswith("tok_")


def test_token_without_model_is_created_unassigned(alice, acme):
    token, _ = services.create_token(actor=TEST_ACTOR, provider=acme, name="spare")

    assert token.model is None
    assert not token.is_assigned


def test_public_ids_are_opaque_and_not_sequential(alice, make_token):
    ids = [make_token(f"t{i}")[0].token_id for i in range(20)]

    assert all(re.fullmatch(r"tok_[0-9A-Za-z]{20}", token_id) for token_id in ids)
    assert len(set(ids)) == 20
    # Random ids do not follow creation order (20 in order by chance: 1 in 20!).
    assert sorted(ids) != ids


def test_name_is_trimmed(alice, acme):
    token, _ = services.create_token(actor=TEST_ACTOR, provider=acme, name="  spaced out  ")

    assert token.name == "spaced out"


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name_is_refused(alice, name, acme):
    with pytest.raises(DomainError) as excinfo:
        services.create_token(actor=TEST_ACTOR, provider=acme, name=name)

    assert excinfo.value.field == "name"
    assert rule(excinfo) == "required"
    assert not Token.objects.exists()


def test_name_longer_than_100_characters_is_refused(alice, acme):
    services.create_token(actor=TEST_ACTOR, provider=acme, name="x" * 100)
    with pytest.raises(DomainError) as excinfo:
        services.create_token(actor=TEST_ACTOR, provider=acme, name="y" * 101)

    assert rule(excinfo) == "max_length"
    assert Token.objects.count() == 1


def test_name_must_be_unique_per_provider_ignoring_case(alice, charlie, make_token, acme, globex):
    make_token("Gateway")

    with pytest.raises(DomainError) as excinfo:
        services.create_token(actor=TEST_ACTOR, provider=acme, name="gATEWAY")
    services.create_token(actor=TEST_ACTOR, provider=globex, name="gateway")

    assert rule(excinfo) == "duplicate"
    assert "Gateway" in Token.objects.filter(provider=acme).values_list("name", flat=True)
    assert Token.objects.count() == 2


def test_database_also_refuses_case_insensitive_duplicates(alice, make_token, acme):
    token, _ = make_token("Gateway")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Token.objects.create(
            provider=acme, name="GATEWAY", expires_at=token.expires_at, digest="d" * 64, hint="h"
        )


def test_another_providers_model_is_refused(alice, charlies_model, acme):
    with pytest.raises(DomainError) as excinfo:
        services.create_token(actor=TEST_ACTOR, provider=acme, name="sneaky", model=charlies_model)

    assert rule(excinfo) == "unknown_model"
    assert excinfo.value.field == "model"
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("delta", "code"),
    [
        (timedelta(seconds=-1), "expiration_past"),
        (timedelta(days=365, minutes=1), "expiration_too_far"),
    ],
)
def test_expiration_outside_the_allowed_range_is_refused(alice, delta, code, acme):
    with pytest.raises(DomainError) as excinfo:
        services.create_token(
            actor=TEST_ACTOR, provider=acme, name="t", expires_at=timezone.now() + delta
        )

    assert rule(excinfo) == code
    assert excinfo.value.field == "expires_at"
    assert not Token.objects.exists()


def test_expiration_at_the_maximum_lifetime_is_allowed(alice, settings, acme):
    settings.TOKEN_MAX_LIFETIME_DAYS = 90
    token, _ = services.create_token(
        actor=TEST_ACTOR,
        provider=acme,
        name="t",
        expires_at=timezone.now() + timedelta(days=90, seconds=-5),
    )

    assert token.pk is not None
    with pytest.raises(DomainError):
        services.create_token(
            actor=TEST_ACTOR,
            provider=acme,
            name="u",
            expires_at=timezone.now() + timedelta(days=91),
        )


# --- Changing -------------------------------------------------------------------------------


def test_rename_checks_the_same_rules(make_token):
    token, _ = make_token("first")
    make_token("second")

    services.rename_token(actor=TEST_ACTOR, token=token, name="  renamed ")
    with pytest.raises(DomainError) as excinfo:
        services.rename_token(actor=TEST_ACTOR, token=token, name="SECOND")

    assert rule(excinfo) == "duplicate"
    assert token.name == "renamed"
    assert Token.objects.get(pk=token.pk).name == "renamed"


def test_renaming_to_its_own_name_in_another_case_is_allowed(make_token):
    token, _ = make_token("gateway")

    services.rename_token(actor=TEST_ACTOR, token=token, name="Gateway")

    assert Token.objects.get(pk=token.pk).name == "Gateway"


def test_note_can_be_set_and_cleared(make_token):
    token, _ = make_token()

    services.set_note(actor=TEST_ACTOR, token=token, note="for ACME")
    assert Token.objects.get(pk=token.pk).note == "for ACME"
    services.set_note(actor=TEST_ACTOR, token=token, note="")
    assert Token.objects.get(pk=token.pk).note == ""


def test_expiration_can_move_inside_the_range_only(make_token):
    token, _ = make_token(days=5)
    later = timezone.now() + timedelta(days=100)

    services.set_expiration(actor=TEST_ACTOR, token=token, expires_at=later)
    with pytest.raises(DomainError):
        services.set_expiration(
            actor=TEST_ACTOR, token=token, expires_at=timezone.now() - timedelta(days=1)
        )

    assert Token.objects.get(pk=token.pk).expires_at == later


def test_suspended_token_can_be_activated_again(make_token):
    token, _ = make_token()

    services.suspend_token(actor=TEST_ACTOR, token=token)
    assert token.status == TokenStatus.SUSPENDED
    services.activate_token(actor=TEST_ACTOR, token=token)
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


@pytest.mark.parametrize(
    "change",
    [
        services.activate_token,
        services.suspend_token,
        services.renew_token,
        lambda actor, token: services.set_expiration(
            actor=actor, token=token, expires_at=timezone.now() + timedelta(days=3)
        ),
    ],
)
def test_cancelled_token_never_comes_back(make_token, change):
    token, _ = make_token()
    services.cancel_token(actor=TEST_ACTOR, token=token)
    expires_at = token.expires_at

    with pytest.raises(DomainError) as excinfo:
        change(actor=TEST_ACTOR, token=token)

    assert rule(excinfo) == "cancelled_is_final"
    stored = Token.objects.get(pk=token.pk)
    assert stored.status == TokenStatus.CANCELED
    assert stored.expires_at == expires_at


def test_cancelled_token_keeps_name_and_note_editable(make_token):
    token, _ = make_token()
    services.cancel_token(actor=TEST_ACTOR, token=token)

    services.update_token(actor=TEST_ACTOR, token=token, name="retired", note="replaced")

    assert (token.name, token.note) == ("retired", "replaced")


def test_unknown_status_is_refused(make_token):
    token, _ = make_token()

    with pytest.raises(DomainError) as excinfo:
        services.update_token(actor=TEST_ACTOR, token=token, status="DELETED")

    assert rule(excinfo) == "unknown_status"
    assert Token.objects.get(pk=token.pk).status == TokenStatus.ACTIVE


def test_renew_sets_expiration_to_now_plus_the_default_lifetime(make_token, settings):
    settings.TOKEN_DEFAULT_LIFETIME_DAYS = 45
    token, _ = make_token(days=2)

    services.renew_token(actor=TEST_ACTOR, token=token)

    expected = timezone.now() + timedelta(days=45)
    assert abs(token.expires_at - expected) < timedelta(seconds=5)


def test_renew_brings_back_an_expired_token(make_token):
    token, _ = make_token()
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    token.refresh_from_db()
    assert token.display_status == "Expired"

    services.renew_token(actor=TEST_ACTOR, token=token)

    assert token.display_status == "Active"


def test_update_that_breaks_one_rule_changes_nothing_at_all(make_token, sentiment):
    token, _ = make_token("original", model=sentiment)

    with pytest.raises(DomainError):
        services.update_token(
            actor=TEST_ACTOR, token=token, name="new name", note="new note", status="NOPE"
        )

    stored = Token.objects.get(pk=token.pk)
    assert (stored.name, stored.note, stored.status) == ("original", "", TokenStatus.ACTIVE)
    assert token.name == "original"


def test_update_refused_by_the_assignment_rule_rolls_back_other_fields(
    make_token, sentiment, vision
):
    token, _ = make_token("original", model=sentiment)

    with pytest.raises(DomainError) as excinfo:
        services.update_token(actor=TEST_ACTOR, token=token, name="renamed", model=vision)

    assert rule(excinfo) == "already_assigned"
    stored = Token.objects.get(pk=token.pk)
    assert (stored.name, stored.model) == ("original", sentiment)


def test_changing_a_deleted_token_says_it_is_gone(make_token):
    token, _ = make_token()
    services.delete_token(actor=TEST_ACTOR, token=token)

    with pytest.raises(DomainError) as excinfo:
        services.rename_token(actor=TEST_ACTOR, token=token, name="ghost")

    assert rule(excinfo) == "gone"


# --- Assignment ------------------------------------------------------------------------------


def test_unassigned_token_can_be_assigned_to_own_model(make_token, sentiment):
    token, _ = make_token()

    services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    assert Token.objects.get(pk=token.pk).model == sentiment
    assert token.model == sentiment
    assert not token.needs_new_evk


def test_assigned_token_cannot_be_assigned_again(make_token, sentiment, vision):
    token, _ = make_token(model=sentiment)

    with pytest.raises(DomainError) as excinfo:
        services.assign_token(actor=TEST_ACTOR, token=token, model=vision)

    assert rule(excinfo) == "already_assigned"
    assert "remove its assignment first" in excinfo.value.message
    assert Token.objects.get(pk=token.pk).model == sentiment


def test_assigning_a_token_to_the_model_it_has_changes_and_records_nothing(make_token, sentiment):
    from console.audit.models import Event

    token, _ = make_token(model=sentiment)
    before = Token.objects.get(pk=token.pk)
    events = Event.objects.count()

    services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    after = Token.objects.get(pk=token.pk)
    assert (after.model, after.updated_at) == (sentiment, before.updated_at)
    assert Event.objects.count() == events


def test_stale_copy_assigning_the_model_given_meanwhile_is_no_conflict(make_token, sentiment):
    token, _ = make_token()
    stale = Token.objects.get(pk=token.pk)
    services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    services.assign_token(actor=TEST_ACTOR, token=stale, model=sentiment)

    assert Token.objects.get(pk=token.pk).model == sentiment


def test_stale_copy_cannot_assign_a_token_assigned_meanwhile(make_token, sentiment, vision):
    token, _ = make_token()
    stale = Token.objects.get(pk=token.pk)
    services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    with pytest.raises(DomainError) as excinfo:
        services.assign_token(actor=TEST_ACTOR, token=stale, model=vision)

    assert rule(excinfo) == "already_assigned"
    assert "Sentiment Analysis" in excinfo.value.message
    assert Token.objects.get(pk=token.pk).model == sentiment


def test_token_cannot_be_assigned_to_another_providers_model(make_token, charlies_model):
    token, _ = make_token()

    with pytest.raises(DomainError) as excinfo:
        services.assign_token(actor=TEST_ACTOR, token=token, model=charlies_model)

    assert rule(excinfo) == "unknown_model"
    assert Token.objects.get(pk=token.pk).model is None


def test_cancelled_token_cannot_be_assigned(make_token, sentiment):
    token, _ = make_token()
    services.cancel_token(actor=TEST_ACTOR, token=token)

    with pytest.raises(DomainError) as excinfo:
        services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    assert rule(excinfo) == "cancelled_is_final"
    assert Token.objects.get(pk=token.pk).model is None


def test_remove_assignment_makes_the_token_unassigned(make_token, sentiment):
    token, _ = make_token(model=sentiment)

    services.unassign_token(actor=TEST_ACTOR, token=token)

    assert Token.objects.get(pk=token.pk).model is None
    with pytest.raises(DomainError) as excinfo:
        services.unassign_token(actor=TEST_ACTOR, token=token)
    assert rule(excinfo) == "not_assigned"


def test_reassigning_to_a_different_model_needs_a_new_evk(make_token, sentiment, vision):
    token, _ = make_token(model=sentiment)
    services.unassign_token(actor=TEST_ACTOR, token=token)

    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)

    assert token.needs_new_evk
    assert token.last_model == vision


def test_assigning_back_to_the_same_model_needs_no_new_evk(make_token, sentiment):
    token, _ = make_token(model=sentiment)
    services.unassign_token(actor=TEST_ACTOR, token=token)

    services.assign_token(actor=TEST_ACTOR, token=token, model=sentiment)

    assert not token.needs_new_evk


def test_edit_can_assign_an_unassigned_token_and_remove_an_assignment(make_token, sentiment):
    token, _ = make_token()

    services.update_token(actor=TEST_ACTOR, token=token, model=sentiment)
    assert token.model == sentiment
    services.update_token(actor=TEST_ACTOR, token=token, model=None)
    assert token.model is None


def test_delete_removes_the_token(make_token):
    token, _ = make_token()

    services.delete_token(actor=TEST_ACTOR, token=token)

    assert not Token.objects.filter(pk=token.pk).exists()


def test_deleting_a_model_leaves_its_tokens_unassigned(make_token, sentiment):
    from models_registry.services import delete_model

    token, _ = make_token(model=sentiment)

    delete_model(actor=TEST_ACTOR, model=sentiment)

    assert Token.objects.get(pk=token.pk).model is None


# --- Kinds of refusal -----------------------------------------------------------------------


def test_each_refusal_says_its_kind_and_status(make_token, sentiment, vision):
    from console.errors import Conflict, Gone

    taken, _ = make_token("taken")
    assigned, _ = make_token("assigned", model=sentiment)
    cancelled, _ = make_token("cancelled")
    services.cancel_token(actor=TEST_ACTOR, token=cancelled)
    gone, _ = make_token("gone")
    services.delete_token(actor=TEST_ACTOR, token=gone)

    with pytest.raises(DomainError) as bad_input:
        services.rename_token(actor=TEST_ACTOR, token=taken, name="")
    with pytest.raises(Conflict) as duplicate:
        services.rename_token(actor=TEST_ACTOR, token=assigned, name="TAKEN")
    with pytest.raises(Conflict) as already_assigned:
        services.assign_token(actor=TEST_ACTOR, token=assigned, model=vision)
    with pytest.raises(Conflict) as final:
        services.renew_token(actor=TEST_ACTOR, token=cancelled)
    with pytest.raises(Gone) as deleted:
        services.suspend_token(actor=TEST_ACTOR, token=gone)

    assert type(bad_input.value) is DomainError and bad_input.value.status == 400
    assert [e.value.status for e in (duplicate, already_assigned, final)] == [409, 409, 409]
    assert deleted.value.status == 404 and deleted.value.message == "This token no longer exists."


# --- A change racing a delete ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda token: services.rename_token(actor=TEST_ACTOR, token=token, name="renamed"),
        lambda token: services.set_note(actor=TEST_ACTOR, token=token, note="noted"),
        lambda token: services.renew_token(actor=TEST_ACTOR, token=token),
    ],
    ids=["rename", "note", "renew"],
)
def test_a_change_racing_a_delete_of_the_same_token_says_it_is_gone(make_token, change, request):
    """Where rows are not locked (SQLite), a delete can land between reading and writing."""
    from console.errors import Gone

    token, _ = make_token("doomed")
    request.getfixturevalue("deleted_meanwhile")

    with pytest.raises(Gone, match=r"This token no longer exists\."):
        change(token)


# --- What providers type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["evil\u202egnp.exe", "zero\u200bwidth", "bell\x07", "joiner\u200dname", "line\u2028break"],
    ids=["bidi-override", "zero-width-space", "control", "zero-width-joiner", "line-separator"],
)
def test_names_refuse_control_bidirectional_and_invisible_characters(alice, make_token, name, acme):
    from models_registry.services import create_model

    token, _ = make_token("plain")

    for attempt in [
        lambda: services.create_token(actor=TEST_ACTOR, provider=acme, name=name),
        lambda: services.rename_token(actor=TEST_ACTOR, token=token, name=name),
        lambda: create_model(actor=TEST_ACTOR, provider=acme, name=name),
    ]:
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.field == "name" and refused.value.code == "unprintable"
        assert "Names cannot contain control characters" in refused.value.message
    assert Token.objects.get(pk=token.pk).name == "plain"


def test_notes_and_descriptions_are_capped_at_2000_characters(alice, make_token, acme):
    from models_registry.services import create_model

    token, _ = make_token("noted")

    with pytest.raises(DomainError) as note:
        services.set_note(actor=TEST_ACTOR, token=token, note="n" * 2001)
    with pytest.raises(DomainError) as new_note:
        services.create_token(actor=TEST_ACTOR, provider=acme, name="new", note="n" * 2001)
    with pytest.raises(DomainError) as description:
        create_model(actor=TEST_ACTOR, provider=acme, name="Model", description="d" * 2001)
    services.set_note(actor=TEST_ACTOR, token=token, note="n" * 2000)

    assert note.value.field == "note" and new_note.value.field == "note"
    assert note.value.message == "Notes can be at most 2,000 characters (this one has 2,001)."
    assert description.value.field == "description"
    assert Token.objects.get(pk=token.pk).note == "n" * 2000


def test_notes_keep_line_breaks_but_refuse_other_control_characters(make_token):
    token, _ = make_token("noted")

    services.set_note(actor=TEST_ACTOR, token=token, note="line one\nline two\tend")
    with pytest.raises(DomainError) as refused:
        services.set_note(actor=TEST_ACTOR, token=token, note="bell\x07")

    assert Token.objects.get(pk=token.pk).note == "line one\nline two\tend"
    assert refused.value.code == "unprintable"


# --- One definition of each state -------------------------------------------------------------


def test_queryset_states_agree_with_each_tokens_own_answer(make_token, sentiment):
    usable, _ = make_token("usable", model=sentiment)
    make_token("unassigned")
    suspended, _ = make_token("suspended", model=sentiment)
    services.suspend_token(actor=TEST_ACTOR, token=suspended)
    cancelled, _ = make_token("cancelled")
    services.cancel_token(actor=TEST_ACTOR, token=cancelled)
    expired, _ = make_token("expired", model=sentiment)
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    tokens = Token.objects.filter(provider=usable.provider)

    def names(queryset):
        return {token.name for token in queryset}

    everyone = list(tokens)
    assert names(tokens.usable()) == {t.name for t in everyone if t.unusable_because() is None}
    assert names(tokens.usable()) == {"usable"}
    assert names(tokens.expired()) == {t.name for t in everyone if t.is_expired} == {"expired"}
    assert names(tokens.unassigned()) == {"unassigned", "cancelled"}
    assert names(tokens.assignable()) == {"unassigned"}
    assert {t.name: t.unusable_because() for t in everyone} == {
        "usable": None,
        "unassigned": "unassigned",
        "suspended": "suspended",
        "cancelled": "canceled",
        "expired": "expired",
    }


def test_renaming_a_model_renames_it_on_its_tokens_and_only_then(make_token, sentiment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from models_registry.services import update_model

    token, _ = make_token("gateway", model=sentiment)

    with CaptureQueriesContext(connection) as description_only:
        update_model(actor=TEST_ACTOR, model=sentiment, description="New words")
    update_model(actor=TEST_ACTOR, model=sentiment, name="Sentiment v2")

    assert Token.objects.get(pk=token.pk).model_name == "Sentiment v2"
    assert not any("tokens_token" in query["sql"] for query in description_only.captured_queries)


def test_a_providers_own_lifetimes_set_the_default_and_the_furthest_expiration(acme, make_token):
    acme.default_token_lifetime_days, acme.max_token_lifetime_days = 7, 10
    acme.save()
    token, _ = services.create_token(actor=TEST_ACTOR, provider=acme, name="short")
    first_expiry = token.expires_at

    with pytest.raises(DomainError) as too_far:
        services.set_expiration(
            actor=TEST_ACTOR, token=token, expires_at=timezone.now() + timedelta(days=11)
        )
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    renewed = services.renew_token(actor=TEST_ACTOR, token=token)

    week = timezone.now() + timedelta(days=7)
    assert abs(first_expiry - week) < timedelta(minutes=1)
    assert too_far.value.code == "expiration_too_far"
    assert "at most 10 days from now" in too_far.value.message
    assert abs(renewed.expires_at - week) < timedelta(minutes=1)
