"""GET /api/v1/events: Activity's events and filters for scripts, paged by cursor."""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.audit.models import Event
from tests.conftest import TEST_ACTOR
from tokens import services


@pytest.fixture
def history(make_token, sentiment):
    token, _ = make_token("gateway", model=sentiment)
    services.rename_token(actor=TEST_ACTOR, token=token, name="gateway-prod")
    services.cancel_token(actor=TEST_ACTOR, token=token)
    return token


def test_events_come_newest_first_with_who_what_and_changes(api, history):
    response = api.get("/api/v1/events")

    assert response.status_code == 200
    body = response.json()
    assert body["has_more"] is False and body["next"] is None
    cancelled = body["results"][0]
    assert cancelled["action"] == "token.cancelled"
    assert cancelled["target_id"] == history.token_id
    assert cancelled["target_name"] == "gateway-prod"
    assert cancelled["changes"] == {"status": ["ACTIVE", "CANCELED"]}
    assert cancelled["actor_kind"] == "system" and cancelled["source"] == "command"
    assert isinstance(cancelled["occurred_at"], int)
    assert cancelled["event_id"].startswith("evt_")


def test_a_changed_expiration_is_given_in_unix_seconds(api, history):
    created = api.get("/api/v1/events", {"action": "token.created"}).json()["results"][0]

    before, after = created["changes"]["expires_at"]
    assert before is None
    assert after == int(history.expires_at.timestamp())


def test_the_api_records_its_own_changes_as_the_license_key(api, sentiment):
    api.post("/api/v1/tokens", {"name": "from-a-script", "model_id": sentiment.model_id})

    event = api.get("/api/v1/events", {"action": "token.created"}).json()["results"][0]

    assert event["actor_kind"] == "license_key"
    assert event["actor_name"] == "scripts"
    assert event["actor_ref"].startswith("key:lic_")
    assert event["source"] == "api"
    assert event["ip"] == "127.0.0.1"
    assert event["request_id"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "token.renamed"}, ["token.renamed"]),
        ({"target": "PROD"}, ["token.cancelled", "token.renamed"]),
        ({"actor": "system", "action": "token.cancelled"}, ["token.cancelled"]),
        ({"actor": "user:999999"}, []),
    ],
)
def test_events_take_activitys_filters(api, history, params, expected):
    results = api.get("/api/v1/events", params).json()["results"]

    assert [event["action"] for event in results] == expected


def test_since_and_until_are_unix_seconds(api, history):
    now = int(timezone.now().timestamp())
    hour_ago = now - 3600

    recent = api.get("/api/v1/events", {"since": hour_ago}).json()["results"]
    old = api.get("/api/v1/events", {"until": hour_ago}).json()["results"]

    assert len(recent) >= 3
    assert old == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-01-01"}, "since"),
        ({"until": "-5"}, "until"),
        ({"target": "ab"}, "target"),
        ({"actor": "bob"}, "actor"),
        ({"action": "nope"}, "action"),
        ({"action": ""}, "action"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_filters_and_paging_are_a_400_naming_the_parameter(api, history, params, field):
    response = api.get("/api/v1/events", params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_cursor_walks_every_event_once(api, make_token):
    for number in range(7):
        make_token(f"bulk-{number}")
    total = Event.objects.filter(provider__name="Acme").count()

    seen, url, pages = [], "/api/v1/events?limit=3", 0
    while url:
        body = api.get(url).json()
        seen += [event["event_id"] for event in body["results"]]
        url = body["next"]
        pages += 1
        if body["has_more"]:
            assert body["next"] is not None

    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 3)


def test_viewers_keys_read_events(client, victor, acme):
    from console.api.services import create_license_key
    from tests.conftest import ApiCaller

    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=victor, name="read")[1]

    assert ApiCaller(client, key).get("/api/v1/events").status_code == 200


def test_another_providers_key_sees_none_of_acmes_events(charlie_api, history):
    results = charlie_api.get("/api/v1/events").json()["results"]

    assert history.token_id not in {event["target_id"] for event in results}
    assert all(event["target_name"] != "gateway-prod" for event in results)


def test_events_need_a_license_key(client, history):
    response = client.get("/api/v1/events")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_events_older_than_a_day_are_still_listed(api, history):
    stamp = timezone.now() - timedelta(days=400)
    Event.objects.create(
        provider=history.provider,
        occurred_at=stamp,
        actor_kind="system",
        actor_ref="system",
        actor_name="import",
        source="command",
        action="token.created",
        target_kind="token",
        target_id="tok_old",
        target_name="ancient",
    )

    results = api.get("/api/v1/events", {"target": "ancient"}).json()["results"]

    assert results[0]["occurred_at"] == int(stamp.timestamp())
