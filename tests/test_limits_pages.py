"""
Limits on the pages: a token's rate limit and quota in Add Token, Create Token and Edit, and a
model's defaults for its tokens in its Limits dialog. Bad input is refused next to its field
and changes nothing; Viewers change nothing; charlie, of another provider, finds nothing.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from console.audit.models import Action, Event
from models_registry import services as model_services
from models_registry.models import AIModel
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token

HTMX = {"HTTP_HX_REQUEST": "true"}


def later(days=10):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# --- Add Token and Create Token ------------------------------------------------------------


def test_add_token_sets_a_rate_limit_and_a_monthly_quota(alice_client, acme):
    response = alice_client.post(
        "/tokens/new/",
        {
            "name": "metered",
            "expires_at": later(),
            "rate_limit": "60",
            "quota": "10000",
            "quota_period": "month",
        },
        **HTMX,
    )

    token = Token.objects.get(provider=acme, name="metered")
    assert response.status_code == 200
    assert (token.rate_limit, token.quota, token.quota_period) == (60, 10_000, "month")


def test_add_token_without_limits_leaves_them_to_the_model(alice_client, acme):
    alice_client.post("/tokens/new/", {"name": "plain", "expires_at": later()}, **HTMX)

    token = Token.objects.get(provider=acme, name="plain")
    assert (token.rate_limit, token.quota, token.quota_period) == (None, None, None)


def test_a_period_without_a_quota_is_ignored(alice_client, acme):
    alice_client.post(
        "/tokens/new/",
        {"name": "plain", "expires_at": later(), "quota": "", "quota_period": "month"},
        **HTMX,
    )

    assert Token.objects.get(provider=acme, name="plain").quota_period is None


def test_the_limits_are_folded_away_until_wanted(alice_client, sentiment):
    for url in ["/tokens/new/", f"/models/{sentiment.model_id}/tokens/new/"]:
        html = alice_client.get(url, **HTMX).content.decode()

        assert '<details class="form-section">' in html, url
        assert "None set: the model's defaults apply" in html
        assert '<label for="dialog-rate_limit">Rate limit' in html
        assert '<label for="dialog-quota">Quota' in html
        assert "Queries per minute. Empty: the model&#x27;s default, if any." in html
        assert '<option value="day" selected>per day</option>' in html
        assert '<option value="month">per month</option>' in html
        assert 'type="text" name="rate_limit" inputmode="numeric"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate_limit", "0", "Enter a rate limit from 1 to 1,000,000,000, or leave it empty."),
        ("rate_limit", "-5", "Enter a rate limit from 1 to 1,000,000,000"),
        ("rate_limit", "fast", "Enter the rate limit as a whole number."),
        ("rate_limit", "1.5", "Enter the rate limit as a whole number."),
        ("quota", "0", "Enter a quota from 1 to 1,000,000,000"),
        ("quota", "1000000001", "Enter a quota from 1 to 1,000,000,000"),
        ("quota", "lots", "Enter the quota as a whole number."),
        ("quota_period", "week", "Choose per day or per month."),
    ],
)
def test_create_token_refuses_bad_limits_next_to_the_field(
    alice_client, sentiment, field, value, message
):
    data = {"name": "metered", "model": sentiment.model_id, "quota": "100", field: value}

    response = alice_client.post(f"/models/{sentiment.model_id}/tokens/new/", data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="dialog-{field}_error">{message}' in html
    assert '<details class="form-section" open>' in html
    assert 'value="metered"' in html
    assert not Token.objects.exists()


def test_create_token_from_the_tab_takes_limits(alice_client, sentiment, acme):
    alice_client.post(
        f"/models/{sentiment.model_id}/tokens/new/",
        {"name": "tab", "model": sentiment.model_id, "rate_limit": "5"},
        **HTMX,
    )

    token = Token.objects.get(provider=acme, name="tab")
    assert (token.model, token.rate_limit, token.quota) == (sentiment, 5, None)


# --- Edit ----------------------------------------------------------------------------------


def edit(client, token, **changes):
    data = {
        "name": token.name,
        "note": token.note,
        "expires_at": timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M"),
        "status": token.status,
        "rate_limit": token.rate_limit or "",
        "quota": token.quota or "",
        "quota_period": token.quota_period or "day",
        **changes,
    }
    return client.post(f"/tokens/{token.token_id}/edit/", data, **HTMX)


def test_edit_shows_the_tokens_limits_open(alice_client, make_token):
    token, _ = make_token("metered")
    services.update_token(actor=TEST_ACTOR, token=token, quota=500, quota_period="month")

    html = alice_client.get(f"/tokens/{token.token_id}/edit/", **HTMX).content.decode()

    assert '<details class="form-section" open>' in html
    assert 'name="quota" value="500"' in html
    assert '<option value="month" selected>per month</option>' in html


def test_edit_sets_changes_and_clears_limits_with_one_event_each_time(alice_client, make_token):
    token, _ = make_token("metered")

    set_ = edit(alice_client, token, rate_limit="60", quota="1000")
    token.refresh_from_db()
    assert (token.rate_limit, token.quota, token.quota_period) == (60, 1000, "day")
    cleared = edit(alice_client, token, rate_limit="", quota="", quota_period="day")
    token.refresh_from_db()

    assert set(json.loads(set_["HX-Trigger"])) == {"tokensChanged", "closeModal"}
    assert cleared.status_code == 200
    assert (token.rate_limit, token.quota, token.quota_period) == (None, None, None)
    events = Event.objects.filter(action=Action.TOKEN_LIMITS_CHANGED, target_id=token.token_id)
    assert events.count() == 2


def test_edit_changes_only_the_period(alice_client, make_token):
    token, _ = make_token("metered")
    services.update_token(actor=TEST_ACTOR, token=token, quota=500)
    token.refresh_from_db()

    edit(alice_client, token, quota_period="month")

    token.refresh_from_db()
    assert (token.quota, token.quota_period) == (500, "month")


def test_edit_that_leaves_the_limits_alone_records_no_limits_event(alice_client, make_token):
    token, _ = make_token("metered")
    services.update_token(actor=TEST_ACTOR, token=token, rate_limit=9)
    token.refresh_from_db()

    edit(alice_client, token, note="just a note")

    events = Event.objects.filter(action=Action.TOKEN_LIMITS_CHANGED, source="console")
    assert not events.exists()
    assert Token.objects.get(pk=token.pk).rate_limit == 9


def test_edit_refuses_a_bad_limit_and_changes_nothing_else(alice_client, make_token):
    token, _ = make_token("metered")

    response = edit(alice_client, token, note="lost", rate_limit="0")

    token.refresh_from_db()
    assert response.status_code == 400
    assert "Enter a rate limit from 1 to 1,000,000,000" in response.content.decode()
    assert (token.note, token.rate_limit) == ("", None)


def test_a_cancelled_tokens_limits_are_shown_but_locked(alice_client, make_token):
    token, _ = make_token("final")
    services.cancel_token(actor=TEST_ACTOR, token=token)

    html = alice_client.get(f"/tokens/{token.token_id}/edit/", **HTMX).content.decode()
    edit(alice_client, token, rate_limit="10")

    assert "disabled" in html.split('name="rate_limit"')[1].split(">")[0]
    assert Token.objects.get(pk=token.pk).rate_limit is None


def test_the_token_page_shows_its_limits_and_its_models_defaults(
    alice_client, make_token, sentiment
):
    model_services.update_model(
        actor=TEST_ACTOR, model=sentiment, default_quota=10_000, default_quota_period="month"
    )
    token, _ = make_token("metered", model=sentiment)
    services.update_token(actor=TEST_ACTOR, token=token, rate_limit=60)
    plain, _ = make_token("plain")

    html = alice_client.get(f"/tokens/{token.token_id}/").content.decode()

    assert "60 a minute · 10,000 per month (model default)" in html
    assert "No limits" in alice_client.get(f"/tokens/{plain.token_id}/").content.decode()


# --- A model's default limits --------------------------------------------------------------


def limits_url(model):
    return f"/models/{model.model_id}/limits/"


def test_the_model_header_shows_its_defaults_and_a_limits_button(alice_client, sentiment):
    model_services.update_model(
        actor=TEST_ACTOR, model=sentiment, default_rate_limit=60, default_quota=10_000
    )

    for url in [
        f"/models/{sentiment.model_id}/",
        f"/models/{sentiment.model_id}/tokens/",
        f"/models/{sentiment.model_id}/history/",
    ]:
        html = alice_client.get(url).content.decode()

        assert "Default limits: 60 a minute · 10,000 per day" in html, url
        assert f'href="{limits_url(sentiment)}?next=' in html, url


def test_a_model_without_defaults_says_its_tokens_have_none(alice_client, sentiment):
    html = alice_client.get(f"/models/{sentiment.model_id}/").content.decode()

    assert "Default limits: none" in html


def test_the_limits_dialog_shows_the_current_defaults(alice_client, sentiment):
    model_services.update_model(
        actor=TEST_ACTOR, model=sentiment, default_quota=300, default_quota_period="month"
    )

    html = alice_client.get(limits_url(sentiment), **HTMX).content.decode()

    assert "Default limits" in html
    assert '<label for="dialog-default_rate_limit">Default rate limit' in html
    assert '<label for="dialog-default_quota">Default quota' in html
    assert 'name="default_quota" value="300"' in html
    assert '<option value="month" selected>per month</option>' in html
    assert "<html" not in html


def test_saving_defaults_records_one_event_and_refreshes_the_page(alice_client, sentiment):
    response = alice_client.post(
        limits_url(sentiment),
        {"default_rate_limit": "120", "default_quota": "5000", "default_quota_period": "month"},
        **HTMX,
    )

    sentiment.refresh_from_db()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/models/{sentiment.model_id}/"
    assert (sentiment.default_rate_limit, sentiment.default_quota) == (120, 5000)
    assert sentiment.default_quota_period == "month"
    events = Event.objects.filter(action=Action.MODEL_LIMITS_CHANGED, source="console")
    assert events.count() == 1


def test_saving_defaults_without_javascript_returns_to_the_model(alice_client, sentiment):
    response = alice_client.post(limits_url(sentiment), {"default_rate_limit": "10"})

    assert response.status_code == 302
    assert response["Location"] == f"/models/{sentiment.model_id}/"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Default limits for “Sentiment Analysis” saved." in page
    assert "Default limits: 10 a minute" in page


def test_clearing_the_defaults_leaves_the_tokens_without_limits(alice_client, sentiment):
    model_services.update_model(actor=TEST_ACTOR, model=sentiment, default_rate_limit=60)

    alice_client.post(
        limits_url(sentiment), {"default_rate_limit": "", "default_quota": ""}, **HTMX
    )

    assert AIModel.objects.get(pk=sentiment.pk).default_rate_limit is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("default_rate_limit", "0", "Enter a rate limit from 1 to 1,000,000,000"),
        ("default_rate_limit", "many", "Enter the rate limit as a whole number."),
        ("default_quota", "-1", "Enter a quota from 1 to 1,000,000,000"),
        ("default_quota_period", "year", "Choose per day or per month."),
    ],
)
def test_the_limits_dialog_refuses_bad_input_next_to_the_field(
    alice_client, sentiment, field, value, message
):
    data = {"default_rate_limit": "60", "default_quota": "100", field: value}

    response = alice_client.post(limits_url(sentiment), data, **HTMX)

    sentiment.refresh_from_db()
    assert response.status_code == 400
    assert f'id="dialog-{field}_error">{message}' in response.content.decode()
    assert (sentiment.default_rate_limit, sentiment.default_quota) == (None, None)


def test_a_member_sets_defaults(bob_client, sentiment):
    response = bob_client.post(limits_url(sentiment), {"default_quota": "7"}, **HTMX)

    assert response.status_code == 200
    assert AIModel.objects.get(pk=sentiment.pk).default_quota == 7


def test_a_viewer_sees_the_defaults_but_no_button_and_is_refused(victor_client, sentiment):
    model_services.update_model(actor=TEST_ACTOR, model=sentiment, default_rate_limit=60)

    html = victor_client.get(f"/models/{sentiment.model_id}/").content.decode()
    opened = victor_client.get(limits_url(sentiment), **HTMX)
    saved = victor_client.post(limits_url(sentiment), {"default_rate_limit": "1"}, **HTMX)

    assert "Default limits: 60 a minute" in html
    assert limits_url(sentiment) not in html
    assert (opened.status_code, saved.status_code) == (403, 403)
    assert AIModel.objects.get(pk=sentiment.pk).default_rate_limit == 60


def test_another_provider_finds_neither_the_dialog_nor_the_token_forms(
    charlie_client, sentiment, make_token
):
    token, _ = make_token("metered", model=sentiment)

    for method, url, data in [
        ("get", limits_url(sentiment), {}),
        ("post", limits_url(sentiment), {"default_rate_limit": "1"}),
        ("get", f"/tokens/{token.token_id}/edit/", {}),
        ("post", f"/tokens/{token.token_id}/edit/", {"name": "x", "rate_limit": "1"}),
        ("post", f"/models/{sentiment.model_id}/tokens/new/", {"name": "x", "rate_limit": "1"}),
    ]:
        response = getattr(charlie_client, method)(url, data, **HTMX)
        assert response.status_code == 404, (method, url)

    sentiment.refresh_from_db()
    token.refresh_from_db()
    assert (sentiment.default_rate_limit, token.rate_limit, token.name) == (None, None, "metered")


@pytest.mark.parametrize(
    ("typed", "stored"), [("10,000", 10_000), ("10 000", 10_000), ("250", 250)]
)
def test_limits_are_read_as_people_write_numbers(alice_client, make_token, typed, stored):
    token, _ = make_token("metered")

    edit(alice_client, token, quota=typed, quota_period="month")

    assert Token.objects.get(pk=token.pk).quota == stored


def test_a_limit_that_is_not_a_number_is_refused_next_to_it(alice_client, make_token):
    token, _ = make_token("metered")

    response = edit(alice_client, token, rate_limit="5-")

    assert response.status_code == 400
    assert "Enter the rate limit as a whole number." in response.content.decode()
    assert Token.objects.get(pk=token.pk).rate_limit is None


def test_the_service_refuses_new_limits_on_a_cancelled_token(make_token):
    from console.errors import Conflict

    token, _ = make_token("final")
    services.cancel_token(actor=TEST_ACTOR, token=token)

    with pytest.raises(Conflict):
        services.update_token(actor=TEST_ACTOR, token=token, rate_limit=10)
