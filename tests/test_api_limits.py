"""
Limits through the JSON API: a token's rate limit and quota on create and PATCH, a model's
defaults on create and PATCH, each through the services (their messages, one event a change).
Bad input is a 400 naming the field and changes nothing; charlie's key finds nothing of Acme's.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.accounts.models import Role
from console.accounts.services import add_member
from console.api.models import KeyScope
from console.api.services import create_license_key
from console.audit.models import Action, Event
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR, ApiCaller
from tokens import services
from tokens.models import Token

# --- Tokens --------------------------------------------------------------------------------


def test_create_takes_a_rate_limit_and_a_quota(api, alice, sentiment):
    response = api.post(
        "/api/v1/tokens",
        {
            "name": "metered",
            "model_id": sentiment.model_id,
            "rate_limit": 60,
            "quota": 10_000,
            "quota_period": "month",
        },
    )

    body = response.json()
    token = Token.objects.get(token_id=body["token_id"])
    assert response.status_code == 201
    assert (body["rate_limit"], body["quota"], body["quota_period"]) == (60, 10_000, "month")
    assert (token.rate_limit, token.quota, token.quota_period) == (60, 10_000, "month")


def test_create_without_limits_leaves_them_null(api, alice):
    body = api.post("/api/v1/tokens", {"name": "plain"}).json()

    assert (body["rate_limit"], body["quota"], body["quota_period"]) == (None, None, None)


def test_a_quota_without_a_period_counts_per_day_and_a_period_alone_is_ignored(api, alice):
    daily = api.post("/api/v1/tokens", {"name": "daily", "quota": 5}).json()
    alone = api.post("/api/v1/tokens", {"name": "alone", "quota_period": "month"}).json()

    assert daily["quota_period"] == "day"
    assert alone["quota_period"] is None


def test_a_token_shows_its_last_use(api, make_token):
    token, _ = make_token("used")
    used_at = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    Token.objects.filter(pk=token.pk).update(last_used_at=used_at, last_used_ip="203.0.113.7")

    body = api.get(f"/api/v1/tokens/{token.token_id}").json()
    listed = api.get("/api/v1/tokens").json()["results"][0]

    assert body["last_used_at"] == int(used_at.timestamp())
    assert body["last_used_ip"] == "203.0.113.7"
    assert listed["last_used_at"] == body["last_used_at"]


def test_a_token_never_used_shows_null(api, make_token):
    token, _ = make_token("fresh")

    body = api.get(f"/api/v1/tokens/{token.token_id}").json()

    assert (body["last_used_at"], body["last_used_ip"]) == (None, None)


def test_patch_sets_changes_and_clears_limits_with_one_event_each(api, make_token):
    token, _ = make_token("metered")
    path = f"/api/v1/tokens/{token.token_id}"

    set_ = api.patch(path, {"rate_limit": 30, "quota": 100}).json()
    period = api.patch(path, {"quota_period": "month"}).json()
    cleared = api.patch(path, {"rate_limit": None, "quota": None}).json()

    assert (set_["rate_limit"], set_["quota"], set_["quota_period"]) == (30, 100, "day")
    assert (period["quota"], period["quota_period"]) == (100, "month")
    assert (cleared["rate_limit"], cleared["quota"], cleared["quota_period"]) == (None, None, None)
    events = Event.objects.filter(action=Action.TOKEN_LIMITS_CHANGED, source="api")
    assert events.count() == 3


def test_patch_without_limits_leaves_them_alone(api, make_token):
    token, _ = make_token("metered")
    services.update_token(actor=TEST_ACTOR, token=token, rate_limit=9, quota=90)

    body = api.patch(f"/api/v1/tokens/{token.token_id}", {"note": "ops"}).json()

    assert (body["rate_limit"], body["quota"], body["note"]) == (9, 90, "ops")


BAD_LIMITS = [
    ({"rate_limit": 0}, "rate_limit", "Enter a rate limit from 1 to 1,000,000,000"),
    ({"rate_limit": -1}, "rate_limit", "Enter a rate limit from 1 to 1,000,000,000"),
    ({"quota": 1_000_000_001}, "quota", "Enter a quota from 1 to 1,000,000,000"),
    ({"rate_limit": "60"}, "rate_limit", "Give a whole number, or null."),
    ({"quota": 2.5}, "quota", "Give a whole number, or null."),
    ({"quota": True}, "quota", "Give a whole number, or null."),
    ({"quota": 5, "quota_period": "week"}, "quota_period", "not a valid choice"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_LIMITS)
def test_create_refuses_bad_limits_with_400_naming_the_field(api, alice, body, field, message):
    response = api.post("/api/v1/tokens", {"name": "metered", **body})

    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]
    assert not Token.objects.exists()


@pytest.mark.parametrize(("body", "field", "message"), BAD_LIMITS)
def test_patch_refuses_bad_limits_and_changes_nothing(api, make_token, body, field, message):
    token, _ = make_token("metered")

    response = api.patch(f"/api/v1/tokens/{token.token_id}", {"note": "lost", **body})

    token.refresh_from_db()
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]
    assert (token.note, token.rate_limit, token.quota) == ("", None, None)


# --- Models --------------------------------------------------------------------------------


def test_a_model_shows_its_default_limits(api, sentiment):
    body = api.get(f"/api/v1/models/{sentiment.model_id}").json()

    assert set(body) == {
        "model_id",
        "name",
        "description",
        "default_rate_limit",
        "default_quota",
        "default_quota_period",
        "created_at",
    }
    assert (body["default_rate_limit"], body["default_quota"]) == (None, None)


def test_create_model_with_default_limits(api, alice):
    response = api.post(
        "/api/v1/models",
        {"name": "Metered", "default_rate_limit": 60, "default_quota": 1000},
    )

    model = AIModel.objects.get(model_id=response.json()["model_id"])
    assert response.status_code == 201
    assert (model.default_rate_limit, model.default_quota) == (60, 1000)
    assert model.default_quota_period == "day"
    created = Event.objects.get(action=Action.MODEL_CREATED, target_id=model.model_id)
    assert created.changes["default_rate_limit"] == [None, 60]


def test_create_model_refuses_bad_defaults_and_creates_nothing(api, alice):
    response = api.post("/api/v1/models", {"name": "Metered", "default_quota": 0})

    assert response.status_code == 400
    assert "default_quota" in response.json()["errors"]
    assert not AIModel.objects.exists()


def test_patch_a_model_renames_it_and_sets_its_defaults(api, sentiment, make_token):
    token, _ = make_token("on-it", model=sentiment)

    response = api.patch(
        f"/api/v1/models/{sentiment.model_id}",
        {"name": "Sentiment v2", "default_rate_limit": 10, "default_quota_period": "month"},
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["default_rate_limit"], body["default_quota"]) == (
        "Sentiment v2",
        10,
        None,
    )
    assert body["default_quota_period"] is None  # a period without a quota is ignored
    assert Token.objects.get(pk=token.pk).model_name == "Sentiment v2"
    actions = set(Event.objects.filter(source="api").values_list("action", flat=True))
    assert actions == {Action.MODEL_RENAMED, Action.MODEL_LIMITS_CHANGED}


def test_patch_a_model_clears_its_defaults_with_null(api, sentiment):
    api.patch(f"/api/v1/models/{sentiment.model_id}", {"default_quota": 5})

    body = api.patch(f"/api/v1/models/{sentiment.model_id}", {"default_quota": None}).json()

    assert (body["default_quota"], body["default_quota_period"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"default_rate_limit": 0}, "default_rate_limit", 400),
        ({"default_quota": "many"}, "default_quota", 400),
        ({"default_quota": 3, "default_quota_period": "year"}, "default_quota_period", 400),
        ({"name": ""}, "name", 400),
        ({"name": "image sharpening"}, "name", 409),
    ],
)
def test_patch_a_model_refuses_bad_input_and_changes_nothing(
    api, sentiment, vision, body, field, status
):
    response = api.patch(f"/api/v1/models/{sentiment.model_id}", {"description": "lost", **body})

    sentiment.refresh_from_db()
    assert response.status_code == status
    assert field in response.json()["errors"]
    assert (sentiment.description, sentiment.default_rate_limit) == ("Reviews", None)
    assert sentiment.name == "Sentiment Analysis"


def test_put_on_a_model_is_not_allowed(api, sentiment):
    assert api._send("put", f"/api/v1/models/{sentiment.model_id}", {}, ...).status_code == 405


def test_viewer_and_gateway_keys_cannot_patch_a_model(client, acme, alice, victor, sentiment):
    viewers = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=victor, name="v")
    gateway = create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="g", scope=KeyScope.GATEWAY
    )
    path = f"/api/v1/models/{sentiment.model_id}"

    refused = [
        ApiCaller(client, key).patch(path, {"default_rate_limit": 1})
        for key in [viewers[1], gateway[1]]
    ]

    assert [response.status_code for response in refused] == [403, 403]
    assert AIModel.objects.get(pk=sentiment.pk).default_rate_limit is None


def test_a_members_key_patches_a_model(client, acme, bob, sentiment):
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="b")[1]

    response = ApiCaller(client, key).patch(
        f"/api/v1/models/{sentiment.model_id}", {"default_quota": 50}
    )

    assert response.status_code == 200
    assert AIModel.objects.get(pk=sentiment.pk).default_quota == 50


def test_another_providers_key_finds_none_of_our_models_or_tokens(
    charlie_api, sentiment, make_token
):
    token, _ = make_token("metered", model=sentiment)

    model = charlie_api.patch(f"/api/v1/models/{sentiment.model_id}", {"default_quota": 1})
    patched = charlie_api.patch(f"/api/v1/tokens/{token.token_id}", {"rate_limit": 1})

    assert (model.status_code, patched.status_code) == (404, 404)
    assert AIModel.objects.get(pk=sentiment.pk).default_quota is None
    assert Token.objects.get(pk=token.pk).rate_limit is None


def test_a_key_of_both_providers_changes_only_its_own(client, acme, globex, bob, charlies_model):
    add_member(actor=TEST_ACTOR, provider=globex, user=bob, role=Role.OWNER)
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=bob, name="b")[1]

    response = ApiCaller(client, key).patch(
        f"/api/v1/models/{charlies_model.model_id}", {"default_quota": 1}
    )

    assert response.status_code == 404
    assert AIModel.objects.get(pk=charlies_model.pk).default_quota is None
