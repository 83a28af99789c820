"""
The token list's moments are Unix seconds, as every timestamp of the API is; a parameter given
empty or malformed is a 400 naming it; any `model` text filters, an unknown id to nothing. The
Tokens List page keeps its date pickers.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from console.api.services import create_license_key
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens.models import Token

MOMENTS = ["expires_after", "expires_before", "created_after", "created_before"]


def days_from_now(days: float) -> int:
    return int(time.time() + days * 86400)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["results"])


@pytest.fixture
def by_expiry(make_token):
    """Tokens expiring in 2, 10 and 40 days."""
    for days in (2, 10, 40):
        make_token(f"in-{days}-days", days=days)


@pytest.fixture
def by_creation(make_token):
    """Tokens created at 2026-01-01, -02 and -03, 12:00 UTC; returns the second's moment."""
    moments = [datetime(2026, 1, day, 12, tzinfo=UTC) for day in (1, 2, 3)]
    for moment in moments:
        token, _ = make_token(f"made-{moment:%m-%d}")
        Token.objects.filter(pk=token.pk).update(created_at=moment)
    return int(moments[1].timestamp())


def test_expiry_filters_take_unix_seconds(api, by_expiry):
    after = api.get("/api/v1/tokens", {"expires_after": days_from_now(5)})
    before = api.get("/api/v1/tokens", {"expires_before": days_from_now(20)})
    between = api.get(
        "/api/v1/tokens",
        {"expires_after": days_from_now(5), "expires_before": days_from_now(20)},
    )

    assert names(after) == ["in-10-days", "in-40-days"]
    assert names(before) == ["in-10-days", "in-2-days"]
    assert names(between) == ["in-10-days"]


def test_creation_filters_take_unix_seconds_from_the_moment_given_up_to_before_the_other(
    api, by_creation
):
    second = by_creation

    from_second = api.get("/api/v1/tokens", {"created_after": second})
    before_second = api.get("/api/v1/tokens", {"created_before": second})
    only_second = api.get("/api/v1/tokens", {"created_after": second, "created_before": second + 1})

    assert names(from_second) == ["made-01-02", "made-01-03"]
    assert names(before_second) == ["made-01-01"]
    assert names(only_second) == ["made-01-02"]


def test_an_expiry_filter_sorts_by_expiry_unless_asked_otherwise(api, by_expiry):
    body = api.get("/api/v1/tokens", {"expires_after": 0}).json()

    assert [item["name"] for item in body["results"]] == [
        "in-2-days",
        "in-10-days",
        "in-40-days",
    ]


@pytest.mark.parametrize("parameter", MOMENTS)
def test_a_moment_given_empty_is_a_400_naming_it(api, make_token, parameter):
    make_token()

    response = api.get(f"/api/v1/tokens?{parameter}=")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "Leave the parameter out" in response.json()["errors"][parameter][0]


@pytest.mark.parametrize("value", ["2026-01-01", "soon", "1.5", "-1", "253402300800", " "])
@pytest.mark.parametrize("parameter", MOMENTS)
def test_a_malformed_moment_is_a_400_naming_it(api, make_token, parameter, value):
    make_token()

    response = api.get("/api/v1/tokens", {parameter: value})

    assert response.status_code == 400
    assert "Unix timestamp in seconds" in response.json()["errors"][parameter][0]


@pytest.mark.parametrize("parameter", ["status", "assigned", "expired", "used", "sort"])
def test_a_choice_given_empty_is_a_400_naming_it_not_everything(api, make_token, parameter):
    # The schema offers only the choices: an empty one, taken as no filter, would have a script
    # whose variable came out empty get every token without a word (schemathesis found it).
    make_token()

    response = api.get(f"/api/v1/tokens?{parameter}=")

    assert response.status_code == 400
    message = response.json()["errors"][parameter][0]
    assert message.startswith("Give one of `") and message.endswith("or leave the parameter out.")


def test_the_tokens_list_page_still_takes_an_empty_choice_as_any(alice_client, make_token):
    make_token("kept")

    response = alice_client.get("/tokens/?status=&assigned=&expired=&used=&sort=")

    assert response.status_code == 200
    assert [token.name for token in response.context["page"]] == ["kept"]


@pytest.mark.parametrize("parameter", ["since", "until"])
def test_the_events_moments_given_empty_are_refused_too(api, alice, parameter):
    response = api.get(f"/api/v1/events?{parameter}=")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


@pytest.mark.parametrize("model_id", ["mdl_nope", "not an id at all", "x" * 300])
def test_an_unknown_model_id_lists_no_tokens(api, make_token, sentiment, model_id):
    make_token("assigned", model=sentiment)

    response = api.get("/api/v1/tokens", {"model": model_id})

    assert names(response) == []


def test_a_known_model_id_lists_its_tokens(api, make_token, sentiment, vision):
    make_token("on-sentiment", model=sentiment)
    make_token("on-vision", model=vision)

    assert names(api.get("/api/v1/tokens", {"model": sentiment.model_id})) == ["on-sentiment"]


def test_another_provider_filtering_by_alices_model_sees_none_of_her_tokens(
    charlie_api, make_token, sentiment
):
    make_token("alice-only", model=sentiment, days=2)

    response = charlie_api.get("/api/v1/tokens", {"model": sentiment.model_id, "expires_after": 0})

    assert names(response) == []


@pytest.mark.parametrize("persona", ["bob", "victor"])
def test_members_and_viewers_keys_filter_alike(client, request, acme, by_expiry, persona):
    user = request.getfixturevalue(persona)
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=user, name="k")[1]

    response = ApiCaller(client, key).get("/api/v1/tokens", {"expires_after": days_from_now(5)})

    assert names(response) == ["in-10-days", "in-40-days"]


def test_the_schema_says_moments_are_integers_and_model_any_text(client, db):
    schema = client.get("/api/v1/schema").json()

    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/tokens"]["get"]["parameters"]}
    for name in MOMENTS:
        assert parameters[name]["schema"]["type"] == "integer", name
        assert parameters[name]["schema"]["minimum"] == 0
        assert "Unix seconds" in parameters[name]["description"]
    assert parameters["model"]["schema"] == {"type": "string"}


def test_the_tokens_list_page_keeps_its_date_pickers(alice_client, by_expiry):
    in_five_days = (timezone.localdate() + timedelta(days=5)).isoformat()

    response = alice_client.get(f"/tokens/?expires_after={in_five_days}")

    assert response.status_code == 200
    assert [token.name for token in response.context["page"]] == ["in-10-days", "in-40-days"]
    assert 'type="date"' in response.content.decode()
