"""
console/client.py end to end, against a live server: the product docs' SDK flows, typed
arguments and enums, errors as classes, ETags, pages; a Viewer's key changes nothing and another
provider's key finds nothing.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest

from console.api.services import create_license_key
from console.client import (
    UNSET,
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    ManagementClient,
    NotFound,
    PreconditionFailed,
    QuotaPeriod,
    TokenStatus,
    Unauthorized,
)
from tests.conftest import TEST_ACTOR


def client_of(live_server, user, provider, name="sdk"):
    key = create_license_key(actor=TEST_ACTOR, provider=provider, created_by=user, name=name)[1]
    return ManagementClient(key, base_url=live_server.url)


@pytest.fixture
def sdk(live_server, alice, acme):
    with client_of(live_server, alice, acme) as client:
        yield client


def test_the_docs_flow_create_model_generate_assign_update_cancel(sdk):
    model_id = sdk.create_model("sentiment-v2", description="Sentiment classifier")
    other_id = sdk.create_model("vision")

    token_id, token = sdk.generate_query_token(model_id, "alice-laptop")
    spare_id, _ = sdk.generate_query_token(None, "spare")
    assigned = sdk.assign_token_to_model(spare_id, other_id)
    updated = sdk.update_token(token_id, note="VIP", name="alice-desktop")
    active = sdk.introspect(token)
    cancelled = sdk.cancel_token(token_id)
    inactive = sdk.introspect(token)

    assert token.startswith("uat_")
    assert {model.name for model in sdk.list_models()} == {"sentiment-v2", "vision"}
    assert {model.model_id for model in sdk.list_models()} == {model_id, other_id}
    assert assigned.model_id == other_id
    assert (updated.name, updated.note) == ("alice-desktop", "VIP")
    assert active.active is True and active.model_id == model_id and active.token_id == token_id
    assert cancelled.status == "CANCELED"
    assert inactive.active is False and inactive.token_id is None


def test_list_tokens_filters_and_follows_pages(sdk):
    model_id = sdk.create_model("m")
    for number in range(27):
        sdk.generate_query_token(model_id, f"t-{number:02}")
    sdk.generate_query_token(None, "loose")

    everything = sdk.list_tokens()
    on_model = sdk.list_tokens(model=model_id, sort="name")
    unassigned = sdk.list_tokens(assigned=False)

    assert len(everything) == 28  # two pages of 25 followed
    assert [token.name for token in on_model][:2] == ["t-00", "t-01"]
    assert all(token.model_id == model_id for token in on_model)
    assert [token.name for token in unassigned] == ["loose"]
    assert isinstance(everything[0].expires_at, int)
    assert everything[0].status == "ACTIVE"


def test_list_tokens_returns_every_token_past_the_count_cap(sdk, bulk_tokens, globex):
    bulk_tokens(5_010)
    bulk_tokens(20, provider=globex, prefix="globex")

    everything = sdk.list_tokens()
    by_name = sdk.list_tokens(sort="-name", name="bulk-050")

    assert len(everything) == 5_010
    assert len({token.token_id for token in everything}) == 5_010
    assert not any(token.name.startswith("globex") for token in everything)
    assert [token.name for token in by_name] == [f"bulk-0500{n}" for n in reversed(range(10))]


def test_list_events_follows_cursors_and_takes_activitys_filters(sdk):
    for number in range(30):
        sdk.generate_query_token(None, f"bulk-{number:02}")
    token_id, _ = sdk.generate_query_token(None, "watched")
    sdk.cancel_token(token_id)

    everything = sdk.list_events()
    cancelled = sdk.list_events(action="token.cancelled")

    assert len(everything) > 25  # past the first page of 25
    assert len({event.event_id for event in everything}) == len(everything)
    assert [(event.target_name, event.changes) for event in cancelled] == [
        ("watched", {"status": ["ACTIVE", "CANCELED"]})
    ]
    assert cancelled[0].actor_kind == "license_key" and cancelled[0].actor_name == "sdk"
    assert sdk.list_events(target="nothing-called-this") == []


def test_remove_assignment_renew_update_status_and_delete(sdk):
    model_id = sdk.create_model("m")
    token_id, token = sdk.generate_query_token(model_id, "t", expires_at=int(time.time()) + 86400)

    removed = sdk.remove_token_assignment(token_id)
    renewed = sdk.renew_token(token_id)
    suspended = sdk.update_token(token_id, status=TokenStatus.SUSPENDED)
    sdk.delete_token(token_id)

    assert removed.model_id is None
    assert renewed.expires_at > int(time.time()) + 29 * 86400
    assert suspended.status == "SUSPENDED"
    with pytest.raises(ApiError) as gone:
        sdk.get_token(token_id)
    assert gone.value.status == 404
    assert sdk.introspect(token).active is False


def test_errors_carry_the_servers_message_status_and_fields(sdk):
    model_id = sdk.create_model("m")
    other_id = sdk.create_model("other")
    token_id, _ = sdk.generate_query_token(model_id, "t")

    with pytest.raises(ApiError) as conflict:
        sdk.assign_token_to_model(token_id, other_id)
    with pytest.raises(ApiError) as invalid:
        sdk.generate_query_token(model_id, "")
    with pytest.raises(ApiError) as final:
        sdk.cancel_token(token_id)
        sdk.update_token(token_id, status="ACTIVE")

    assert conflict.value.status == 409
    assert "remove its assignment first" in conflict.value.message
    assert conflict.value.code == "already_assigned"
    assert invalid.value.status == 400 and "name" in invalid.value.errors
    assert final.value.status == 409 and "cancelling is final" in str(final.value)


def test_a_revoked_or_wrong_key_raises_401(live_server, alice):
    client = ManagementClient("lic_not-a-key", base_url=live_server.url)

    with pytest.raises(ApiError) as refused:
        client.list_models()

    assert refused.value.status == 401
    assert "license key" in refused.value.message
    assert "lic_not-a-key" not in repr(client)


def test_the_readmes_client_snippet_runs_as_written(live_server, alice, capsys, acme):
    from tests.test_readme import ROOT

    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="readme")[1]
    snippet = snippet.replace('"your_license_from_the_console"', repr(key))
    snippet = snippet.replace('"http://127.0.0.1:8000"', repr(live_server.url))

    exec(compile(snippet, "README.md", "exec"), {})  # noqa: S102 - our own README

    assert "409" in capsys.readouterr().out
    assert sorted(model.name for model in ManagementClient(key, live_server.url).list_models()) == [
        "model_name",
        "other_model",
    ]


def test_the_client_imports_nothing_beyond_the_standard_library():
    import subprocess
    import sys

    from tests.test_readme import ROOT

    script = (
        "import sys; import console.client; "
        "print(sorted({m.split('.')[0] for m in sys.modules if not m.startswith('__')}"
        " - set(sys.stdlib_module_names)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "['console']"


def test_introspect_returns_what_remains_and_why_a_query_is_refused(sdk):
    from tokens.models import Token
    from tokens.services import update_token

    model_id = sdk.create_model("metered")
    token_id, token = sdk.generate_query_token(model_id, "metered")
    update_token(actor=TEST_ACTOR, token=Token.objects.get(token_id=token_id), quota=5)

    first = sdk.introspect(token, cost=4, client_ip="203.0.113.8")
    refused = sdk.introspect(token, cost=2)
    probe = sdk.introspect(token, cost=0)

    assert first.active is True and first.remaining == 1 and not first.limited
    assert (first.jti, first.aud, first.token_type, first.scope) == (
        token_id,
        model_id,
        "Bearer",
        "query",
    )
    assert first.quota["limit"] == 5 and first.rate_limit is None
    assert refused.active is False and refused.limited
    assert refused.reason == "quota_exceeded" and refused.retry_after > 0
    assert probe.active is True and probe.remaining == 1
    assert first.extra == {}  # every field the server sends has a name in the client


def test_limits_through_the_client(sdk):
    model_id = sdk.create_model("metered", default_quota=1000, default_quota_period="month")
    token_id, _ = sdk.generate_query_token(model_id, "t", rate_limit=60, quota=50)

    created = sdk.get_token(token_id)
    changed = sdk.update_token(token_id, rate_limit=None, quota_period=QuotaPeriod.MONTH)
    model = sdk.update_model(model_id, default_rate_limit=5, description="Metered")

    assert (created.rate_limit, created.quota, created.quota_period) == (60, 50, QuotaPeriod.DAY)
    assert (created.last_used_at, created.last_used_ip) == (None, None)
    assert (changed.rate_limit, changed.quota, changed.quota_period) == (None, 50, "month")
    assert (model.default_rate_limit, model.default_quota) == (5, 1000)
    assert (model.default_quota_period, model.description) == ("month", "Metered")
    assert sdk.get_model(model_id) == model


def test_the_client_says_why_a_limit_was_refused(sdk):
    model_id = sdk.create_model("metered")

    with pytest.raises(BadRequest) as refused:
        sdk.update_model(model_id, default_rate_limit=0)

    assert refused.value.status == 400
    assert "default_rate_limit" in refused.value.errors
    assert sdk.get_model(model_id).default_rate_limit is None


# --- Who may do what -------------------------------------------------------------------------


def test_a_viewers_key_reads_and_introspects_but_every_change_is_forbidden(
    live_server, victor, acme, make_token, sentiment
):
    token, secret = make_token("alice-laptop", model=sentiment)

    with client_of(live_server, victor, acme) as viewer:
        listed = viewer.list_tokens()
        checked = viewer.introspect(secret, cost=0)
        with pytest.raises(Forbidden) as forbidden:
            viewer.update_token(token.token_id, note="mine now")
        with pytest.raises(Forbidden):
            viewer.create_model("shadow")

    assert [item.token_id for item in listed] == [token.token_id]
    assert checked.active is True
    assert forbidden.value.status == 403 and forbidden.value.message
    token.refresh_from_db()
    assert token.note == ""


def test_another_providers_key_finds_none_of_our_tokens_or_models(
    live_server, charlie, globex, make_token, sentiment
):
    token, _ = make_token("alice-laptop")

    with client_of(live_server, charlie, globex) as other:
        with pytest.raises(NotFound) as not_found:
            other.get_token(token.token_id)
        with pytest.raises(NotFound):
            other.cancel_token(token.token_id)
        with pytest.raises(NotFound):
            other.get_model(sentiment.model_id)
        listed = other.list_tokens()

    assert not_found.value.code == "not_found" and not_found.value.request_id
    assert listed == []
    token.refresh_from_db()
    assert token.status == TokenStatus.ACTIVE


# --- Errors, enums, arguments ----------------------------------------------------------------


def test_each_kind_of_refusal_raises_its_own_class_all_of_them_api_errors(sdk, live_server, alice):
    model_id = sdk.create_model("m")
    token_id, _ = sdk.generate_query_token(model_id, "t")
    read = sdk.get_token(token_id)
    sdk.update_token(token_id, note="changed meanwhile")

    with pytest.raises(BadRequest) as bad:
        sdk.create_token("", model_id=model_id)
    with pytest.raises(Conflict) as conflict:
        sdk.assign_token_to_model(token_id, sdk.create_model("other"))
    with pytest.raises(PreconditionFailed) as stale:
        sdk.update_token(token_id, note="lost update", if_match=read)
    with pytest.raises(NotFound):
        sdk.get_token("tok_nothing")
    with pytest.raises(Unauthorized):
        ManagementClient("lic_not-a-key", live_server.url).list_models()

    assert (bad.value.status, list(bad.value.errors)) == (400, ["name"])
    assert (conflict.value.status, conflict.value.code) == (409, "already_assigned")
    assert (stale.value.status, stale.value.code) == (412, "precondition_failed")
    assert all(
        isinstance(error.value, ApiError) and error.value.request_id in str(error.value)
        for error in (bad, conflict, stale)
    )
    assert sdk.get_token(token_id).note == "changed meanwhile"


def test_statuses_and_quota_periods_are_enums_that_also_take_their_text(sdk):
    model_id = sdk.create_model("m", default_quota=10, default_quota_period=QuotaPeriod.MONTH)
    token_id, _ = sdk.generate_query_token(model_id, "t", quota=5, quota_period="month")
    other_id, _ = sdk.generate_query_token(model_id, "other")

    suspended = sdk.update_token(token_id, status=TokenStatus.SUSPENDED)
    sdk.update_token(other_id, status="CANCELED")  # the product docs' way
    listed = sdk.list_tokens(status=[TokenStatus.SUSPENDED, TokenStatus.CANCELED], sort="name")

    assert suspended.status is TokenStatus.SUSPENDED and suspended.status == "SUSPENDED"
    assert suspended.quota_period is QuotaPeriod.MONTH
    assert sdk.get_model(model_id).default_quota_period is QuotaPeriod.MONTH
    assert [(item.name, item.status) for item in listed] == [
        ("other", TokenStatus.CANCELED),
        ("t", TokenStatus.SUSPENDED),
    ]
    assert str(TokenStatus.ACTIVE) == "ACTIVE"


def test_a_status_this_client_does_not_know_still_reads():
    archived = TokenStatus("ARCHIVED")  # a newer server's, say

    assert archived == "ARCHIVED" and archived.value == "ARCHIVED"
    assert archived not in list(TokenStatus)


def test_an_argument_left_out_stays_and_none_clears_it(sdk):
    model_id = sdk.create_model("m")
    token_id, _ = sdk.generate_query_token(model_id, "t", rate_limit=60, quota=50, note="VIP")

    cleared = sdk.update_token(token_id, quota=None)
    untouched = sdk.update_token(token_id, name=UNSET)
    unassigned = sdk.update_token(token_id, model_id=None)

    assert (cleared.rate_limit, cleared.quota, cleared.note) == (60, None, "VIP")
    assert untouched == cleared
    assert unassigned.model_id is None and unassigned.rate_limit == 60


def test_moments_are_unix_seconds_or_datetimes_with_a_time_zone(sdk):
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    created = sdk.create_token("t", expires_at=expires)
    later = sdk.update_token(created.token_id, expires_at=int(expires.timestamp()) + 60)

    assert created.expires_at == int(expires.timestamp())
    assert later.expires_at == created.expires_at + 60
    assert [t.name for t in sdk.list_tokens(expires_before=expires + timedelta(hours=1))] == ["t"]
    with pytest.raises(ValueError, match="time zone"):
        sdk.create_token("naive", expires_at=datetime(2030, 1, 1))


# --- ETags and pages -------------------------------------------------------------------------


def test_tokens_and_models_carry_their_etag_and_changes_take_if_match(sdk):
    model_id = sdk.create_model("m")
    token_id, _ = sdk.generate_query_token(model_id, "t")
    read = sdk.get_token(token_id)

    changed = sdk.update_token(token_id, note="first", if_match=read)
    again = sdk.update_token(token_id, note="second", if_match=changed.etag)
    model = sdk.update_model(model_id, description="d", if_match=sdk.get_model(model_id))
    with pytest.raises(PreconditionFailed):
        sdk.delete_token(token_id, if_match=read)
    with pytest.raises(ValueError, match="ETag"):
        sdk.cancel_token(token_id, if_match=sdk.list_tokens()[0])

    assert read.etag and changed.etag and read.etag != changed.etag != again.etag
    assert again.note == "second" and model.description == "d" and model.etag
    assert sdk.get_token(token_id).status is TokenStatus.ACTIVE


def test_pages_one_at_a_time_with_their_count(sdk, bulk_tokens):
    bulk_tokens(23)

    first = sdk.tokens_page(limit=10, count=True, sort="name")
    second = sdk.next_page(first)
    third = sdk.next_page(second)

    assert (first.count, first.count_is_capped, first.has_more) == (23, False, True)
    assert [token.name for token in first.results][:2] == ["bulk-00000", "bulk-00001"]
    assert second.results[0].name == "bulk-00010"
    assert len(third.results) == 3 and third.next is None and not third.has_more
    assert sdk.next_page(third) is None


def test_an_end_user_sees_their_own_token_with_it_not_the_license_key(sdk, live_server):
    model_id = sdk.create_model("m", default_rate_limit=60)
    token_id, secret = sdk.generate_query_token(model_id, "alice-laptop", note="private")

    own = sdk.get_own_token(secret)

    assert (own.token_id, own.model_id, own.status) == (token_id, model_id, TokenStatus.ACTIVE)
    assert own.rate_limit.limit == 60 and own.rate_limit["remaining"] == 60
    assert not hasattr(own, "note")
    with pytest.raises(Unauthorized):
        sdk.get_own_token("uat_not-a-token")
