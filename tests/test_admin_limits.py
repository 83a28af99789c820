"""
Staff set limits in Django admin through the same services as providers: a token's rate limit
and quota, a model's defaults; they see a token's last use and each license key's scope. Bad
input is refused next to the field and changes nothing; providers (charlie) never get in.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.api.models import KeyScope
from console.api.services import create_license_key
from console.audit.models import Action, Event
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tests.test_admin import CHANGELIST, admin_datetime
from tokens.models import Token

MODELS = "/admin/models_registry/aimodel/"
KEYS = "/admin/api/licensekey/"


def change_token(client, token, **changes):
    token.refresh_from_db()
    return client.post(
        f"{CHANGELIST}{token.pk}/change/",
        {
            "name": token.name,
            "note": token.note,
            **admin_datetime(token.expires_at),
            "status": token.status,
            "rate_limit": token.rate_limit or "",
            "quota": token.quota or "",
            "quota_period": token.quota_period or "",
            **changes,
        },
    )


def test_the_token_page_shows_limits_and_last_use(staff_client, make_token):
    token, _ = make_token("used")
    Token.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - timedelta(hours=2), last_used_ip="203.0.113.7"
    )

    html = staff_client.get(f"{CHANGELIST}{token.pk}/change/").content.decode()

    assert 'name="rate_limit"' in html and 'name="quota"' in html
    assert 'name="quota_period"' in html
    assert "203.0.113.7" in html
    assert 'name="last_used_ip"' not in html  # shown, not editable
    assert "Last used" in html and "Last address" in html


def test_staff_set_and_clear_a_tokens_limits_with_one_event_each(staff_client, make_token):
    token, _ = make_token("metered")

    set_ = change_token(staff_client, token, rate_limit="60", quota="1000", quota_period="month")
    token.refresh_from_db()
    limits = (token.rate_limit, token.quota, token.quota_period)
    cleared = change_token(staff_client, token, rate_limit="", quota="", quota_period="")

    token.refresh_from_db()
    assert (set_.status_code, cleared.status_code) == (302, 302)
    assert limits == (60, 1000, "month")
    assert (token.rate_limit, token.quota, token.quota_period) == (None, None, None)
    events = Event.objects.filter(action=Action.TOKEN_LIMITS_CHANGED, source="admin")
    assert events.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rate_limit": "0"}, "Enter a rate limit from 1 to 1,000,000,000"),
        ({"rate_limit": "-4"}, "Enter a rate limit from 1 to 1,000,000,000"),
        ({"quota": "lots"}, "Enter the quota as a whole number."),
        ({"quota": "5", "quota_period": "week"}, "Select a valid choice."),
    ],
)
def test_staff_are_refused_bad_limits_and_nothing_changes(
    staff_client, make_token, changes, message
):
    token, _ = make_token("metered")

    response = change_token(staff_client, token, note="lost", **changes)

    token.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (token.note, token.rate_limit, token.quota) == ("", None, None)


def test_staff_create_a_token_with_limits(staff_client, alice, acme):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "provider": acme.pk,
            "name": "metered",
            "rate_limit": "5",
            "quota": "50",
            "quota_period": "",
            **admin_datetime(timezone.now() + timedelta(days=10)),
        },
    )

    token = Token.objects.get(name="metered")
    assert response.status_code == 200
    assert (token.rate_limit, token.quota, token.quota_period) == (5, 50, "day")


def test_staff_set_a_models_defaults(staff_client, sentiment):
    response = staff_client.post(
        f"{MODELS}{sentiment.pk}/change/",
        {
            "name": sentiment.name,
            "description": sentiment.description,
            "default_rate_limit": "120",
            "default_quota": "",
            "default_quota_period": "",
        },
    )

    sentiment.refresh_from_db()
    assert response.status_code == 302
    assert (sentiment.default_rate_limit, sentiment.default_quota) == (120, None)
    event = Event.objects.get(action=Action.MODEL_LIMITS_CHANGED)
    assert event.source == "admin"


def test_staff_register_a_model_with_defaults(staff_client, alice, acme):
    response = staff_client.post(
        f"{MODELS}add/",
        {"provider": acme.pk, "name": "Metered", "description": "", "default_quota": "9"},
    )

    model = AIModel.objects.get(name="Metered")
    assert response.status_code == 302
    assert (model.default_quota, model.default_quota_period) == (9, "day")


def test_staff_are_refused_a_bad_default_and_nothing_changes(staff_client, sentiment):
    response = staff_client.post(
        f"{MODELS}{sentiment.pk}/change/",
        {"name": "Renamed", "description": "", "default_quota": "0"},
    )

    sentiment.refresh_from_db()
    assert response.status_code == 200
    assert "Enter a quota from 1 to 1,000,000,000" in response.content.decode()
    assert (sentiment.name, sentiment.default_quota) == ("Sentiment Analysis", None)


def test_the_license_keys_list_shows_and_filters_by_scope(staff_client, alice, acme):
    create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gw", scope=KeyScope.GATEWAY
    )
    create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="scripts")

    listed = staff_client.get(KEYS)
    gateways = staff_client.get(f"{KEYS}?scope__exact=gateway")
    by_creator = staff_client.get(f"{KEYS}?q=alice")

    assert "Gateway" in listed.content.decode() and "Management" in listed.content.decode()
    assert [key.name for key in gateways.context["cl"].result_list] == ["gw"]
    assert by_creator.status_code == 200
    assert len(by_creator.context["cl"].result_list) == 2


def test_a_license_keys_page_shows_its_scope_read_only(staff_client, alice, acme):
    key, _ = create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gw", scope=KeyScope.GATEWAY
    )

    html = staff_client.get(f"{KEYS}{key.pk}/change/").content.decode()

    assert "Scope" in html and "Gateway" in html
    assert 'name="scope"' not in html


def test_providers_cannot_reach_these_admin_pages(charlie_client, make_token, sentiment):
    token, _ = make_token("metered", model=sentiment)

    for url in [f"{CHANGELIST}{token.pk}/change/", f"{MODELS}{sentiment.pk}/change/", KEYS]:
        response = charlie_client.post(url, {"rate_limit": "1", "default_quota": "1"})
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]

    token.refresh_from_db()
    sentiment.refresh_from_db()
    assert (token.rate_limit, sentiment.default_quota) == (None, None)
