"""Activity: a provider's events, newest first, filtered in the URL, paged, and exported."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from console.audit.actors import Actor
from console.audit.models import ActorKind, Event, Source
from console.audit.views import ACTIVITY_PAGE_SIZE
from tests.conftest import TEST_ACTOR
from tokens import services

HTMX = {"HTTP_HX_REQUEST": "true"}


def as_member(user) -> Actor:
    return Actor(
        kind=ActorKind.USER, source=Source.CONSOLE, ref=f"user:{user.pk}", name=user.username
    )


def shown(client, query=""):
    response = client.get(f"/activity/?{query}")
    assert response.status_code == 200
    return [(event.action, event.target_name) for event in response.context["page"]], response


@pytest.fixture
def history(alice, bob, make_token, sentiment):
    """alice makes a token, bob renames and suspends it, alice cancels another."""
    gateway, _ = make_token("gateway", model=sentiment)
    spare, _ = make_token("spare")
    services.rename_token(actor=as_member(bob), token=gateway, name="gateway-prod")
    services.suspend_token(actor=as_member(bob), token=gateway)
    services.cancel_token(actor=as_member(alice), token=spare)
    return gateway, spare


def test_activity_lists_the_providers_events_newest_first(alice_client, history, charlie, globex):
    services.create_token(actor=TEST_ACTOR, provider=globex, name="globex-secret-project")

    events, response = shown(alice_client)

    assert events[:3] == [
        ("token.cancelled", "spare"),
        ("token.suspended", "gateway-prod"),
        ("token.renamed", "gateway-prod"),
    ]
    assert all(name != "globex-secret-project" for _, name in events)
    html = response.content.decode()
    assert "Token cancelled" in html
    assert "Active" in html and "Cancelled" in html  # the status, before and after


def test_viewers_see_activity(victor_client, history):
    events, _ = shown(victor_client)

    assert ("token.suspended", "gateway-prod") in events


def test_another_provider_sees_none_of_acmes_events(charlie_client, history):
    events, response = shown(charlie_client)

    assert all(name not in {"gateway", "gateway-prod", "spare"} for _, name in events)
    assert "gateway-prod" not in response.content.decode()


def test_the_export_of_another_provider_holds_none_of_acmes_events(charlie_client, history):
    response = charlie_client.get("/activity/export.csv")

    assert "gateway-prod" not in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=token.suspended", [("token.suspended", "gateway-prod")]),
        ("target=PROD&action=token.renamed", [("token.renamed", "gateway-prod")]),
        ("target=spa", [("token.cancelled", "spare"), ("token.created", "spare")]),
    ],
)
def test_activity_filters_by_action_and_name(alice_client, history, query, expected):
    events, _ = shown(alice_client, query)

    assert events == expected


def test_activity_filters_by_who_acted(alice_client, history, bob):
    events, response = shown(alice_client, f"actor=user:{bob.pk}")

    assert events == [("token.suspended", "gateway-prod"), ("token.renamed", "gateway-prod")]
    assert f'<option value="user:{bob.pk}" selected>bob</option>' in response.content.decode()


def test_a_removed_members_events_can_still_be_filtered_by_their_name(
    alice_client, history, bob, acme
):
    from console.accounts.models import Membership
    from console.accounts.services import remove_member

    remove_member(actor=TEST_ACTOR, membership=Membership.objects.get(provider=acme, user=bob))

    events, response = shown(alice_client, f"actor=user:{bob.pk}")

    assert ("token.renamed", "gateway-prod") in events
    assert "bob (no longer here)" in response.content.decode()


def test_activity_filters_by_date_range(alice_client, history):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)

    today_events, _ = shown(alice_client, f"since={today}&until={today}")
    future_events, _ = shown(alice_client, f"since={tomorrow}")
    past_events, _ = shown(alice_client, f"until={today - timedelta(days=1)}")

    assert ("token.cancelled", "spare") in today_events
    assert future_events == []
    assert past_events == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("target=ga", "Type at least 3 characters of the name."),
        ("actor=alice", "Choose someone from the list."),
        ("action=token.exploded", "Select a valid choice."),
        ("since=2026-13-40", "Enter a valid date."),
        ("since=2026-05-02&until=2026-05-01", "Choose a To date on or after the From date."),
    ],
)
def test_a_bad_filter_is_ignored_and_said_next_to_the_list(alice_client, history, query, message):
    events, response = shown(alice_client, query)

    assert "Some filters were ignored" in response.content.decode()
    assert message in response.content.decode()
    assert len(events) > 0


def test_the_last_day_a_date_field_holds_is_a_working_filter(alice_client, history):
    events, _ = shown(alice_client, "until=9999-12-31")

    assert ("token.cancelled", "spare") in events


def test_an_htmx_filter_change_answers_the_results_only(alice_client, history):
    response = alice_client.get("/activity/?action=token.renamed", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="activity-results"')
    assert "<html" not in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.fixture
def many_events(alice, acme, make_token):
    """More tokens than a page of events holds, one event each."""
    for number in range(ACTIVITY_PAGE_SIZE + 5):
        make_token(f"bulk-{number:03}")


def test_older_and_newer_pages_walk_every_event_once(alice_client, many_events):
    first, response = shown(alice_client)
    older_cursor = response.context["page"].next_cursor
    second, response = shown(alice_client, f"cursor={older_cursor}")
    newer_cursor = response.context["page"].previous_cursor
    back, _ = shown(alice_client, f"cursor={newer_cursor}")

    total = Event.objects.filter(provider__name="Acme").count()
    assert len(first) == ACTIVITY_PAGE_SIZE
    assert len(first) + len(second) == total
    assert not set(first) & set(second)
    assert back == first
    assert "Older" in alice_client.get("/activity/").content.decode()


def test_a_new_event_between_pages_neither_repeats_nor_skips_one(
    alice_client, many_events, make_token
):
    first, response = shown(alice_client)
    cursor = response.context["page"].next_cursor
    make_token("made-meanwhile")

    second, _ = shown(alice_client, f"cursor={cursor}")

    assert ("token.created", "made-meanwhile") not in second
    assert not set(first) & set(second)
    assert len(first) + len(second) == Event.objects.filter(provider__name="Acme").count() - 1


def test_a_page_costs_the_same_queries_first_and_further_on(
    alice_client, many_events, django_assert_num_queries
):
    _, response = shown(alice_client)
    cursor = response.context["page"].next_cursor

    # Session, user, memberships; the page; the Who menu's members and keys; live targets.
    with django_assert_num_queries(7):
        alice_client.get("/activity/")
    with django_assert_num_queries(7):
        alice_client.get(f"/activity/?cursor={cursor}")


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJuZXh0IiwiYSIsImIiXQ", "%00"])
def test_a_tampered_cursor_shows_the_newest_page_and_says_so(alice_client, history, cursor):
    events, response = shown(alice_client, f"cursor={cursor}")

    assert events[0] == ("token.cancelled", "spare")
    assert "That page link was not valid" in response.content.decode()


def test_an_empty_provider_says_nothing_has_happened_yet(charlie_client):
    from console.audit.models import Event

    Event.objects.filter(provider__name="Globex").prune()

    _, response = shown(charlie_client)

    assert "Nothing has happened yet" in response.content.decode()


def test_names_link_to_tokens_that_still_exist_only(alice_client, history):
    gateway, spare = history
    services.delete_token(actor=TEST_ACTOR, token=spare)

    html = alice_client.get("/activity/").content.decode()

    assert f'href="/tokens/{gateway.token_id}/"' in html
    assert f'href="/tokens/{spare.token_id}/"' not in html
    assert "Token deleted" in html


# --- CSV export -------------------------------------------------------------------------------


def exported(client, query=""):
    response = client.get(f"/activity/export.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activity-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_export_holds_the_filtered_events_with_every_column(alice_client, history, bob):
    rows = exported(alice_client, f"actor=user:{bob.pk}")

    assert [row["action"] for row in rows] == ["token.suspended", "token.renamed"]
    renamed = rows[1]
    assert renamed["actor"] == "bob"
    assert renamed["actor_ref"] == f"user:{bob.pk}"
    assert renamed["target"] == "gateway-prod"
    assert renamed["changes"] == '{"name": ["gateway", "gateway-prod"]}'
    assert renamed["occurred_at"].endswith("Z")


def test_the_export_walks_past_one_batch(alice_client, many_events, monkeypatch):
    from console.audit import views

    monkeypatch.setattr(views, "EXPORT_BATCH", 7)

    rows = exported(alice_client)

    assert len(rows) == Event.objects.filter(provider__name="Acme").count()
    assert len({row["event_id"] for row in rows}) == len(rows)


def test_the_export_keeps_formulas_as_text(alice_client, make_token):
    make_token('=HYPERLINK("http://evil.example")')

    rows = exported(alice_client, "action=token.created")

    assert rows[0]["target"].startswith("'=HYPERLINK")


def test_the_export_link_carries_the_filters_but_not_the_page(alice_client, history):
    html = alice_client.get("/activity/?action=token.renamed&cursor=abc").content.decode()

    assert 'href="/activity/export.csv?action=token.renamed"' in html


def test_staff_and_a_revoked_key_chosen_from_a_link_keep_their_names(
    client, staff, alice, acme, make_token
):
    from console.api.services import create_license_key, revoke_license_key
    from tests.conftest import ApiCaller

    token, _ = make_token("gateway")
    client.force_login(staff)
    client.post(
        "/admin/tokens/token/", {"action": "suspend_selected", "_selected_action": [token.pk]}
    )
    key, secret = create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="old-script"
    )
    ApiCaller(client, secret).post("/api/v1/tokens", {"name": "from-the-script"})
    revoke_license_key(actor=TEST_ACTOR, key=key)
    client.force_login(alice)
    staff_ref = Event.objects.get(action="token.suspended").actor_ref

    _, as_staff = shown(client, f"actor={staff_ref}")
    _, as_key = shown(client, f"actor=key:{key.key_id}")

    assert (
        f'<option value="{staff_ref}" selected>Staff: staff</option>' in as_staff.content.decode()
    )
    assert "License key “old-script” (no longer here)</option>" in as_key.content.decode()
