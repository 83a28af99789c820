"""The plaintext secret exists once, in the creator's hands: never in the database or logs."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from console import keys
from console.api.models import LicenseKey
from console.audit.models import Event
from console.log_formats import JsonFormatter
from tests.conftest import TEST_ACTOR
from tests.test_admin import CHANGELIST, admin_datetime
from tokens import secrets, services
from tokens.models import Token


def every_stored_value(*models: type[Model]) -> str:
    """Every value of every row of every table (or of these models' tables), as one string."""
    values = []
    with connection.cursor() as cursor:
        tables = [model._meta.db_table for model in models]
        for table in tables or connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


def test_secret_is_in_no_table_and_no_sql_statement(alice, sentiment, caplog, acme):
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        token, secret = services.create_token(
            actor=TEST_ACTOR, provider=acme, name="gateway", model=sentiment
        )
        services.authenticate(secret)

    assert secret not in every_stored_value()
    assert token.digest in every_stored_value()
    assert all(secret not in str(query) for query in queries.captured_queries)
    assert secret not in caplog.text


def test_the_stored_digest_is_not_the_plain_sha256_of_the_secret(alice, acme):
    import hashlib

    token, secret = services.create_token(actor=TEST_ACTOR, provider=acme, name="gateway")

    assert token.digest == secrets.digest(secret)
    assert token.digest != hashlib.sha256(secret.encode()).hexdigest()


def test_exception_reports_do_not_contain_the_secret(alice, monkeypatch, acme):
    made = []
    real_new_secret = secrets.new_secret

    def recording_new_secret():
        made.append(real_new_secret())
        return made[-1]

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(secrets, "new_secret", recording_new_secret)
    monkeypatch.setattr(Token, "save", failing_save)

    with pytest.raises(RuntimeError) as excinfo:
        services.create_token(actor=TEST_ACTOR, provider=acme, name="gateway")
    report = ExceptionReporter(None, excinfo.type, excinfo.value, excinfo.tb).get_traceback_text()

    assert made
    assert "create_token" in report
    assert made[0].value not in report


@pytest.fixture
def made_secrets(monkeypatch):
    """Every secret digested from now on (made or presented), each with its digest."""
    made: dict[str, str] = {}
    real_digest = keys.digest

    def recording_digest(value: str) -> str:
        made[value] = real_digest(value)
        return made[value]

    monkeypatch.setattr(keys, "digest", recording_digest)
    return made


def every_rendering(record: logging.LogRecord) -> str:
    """A record as any handler could write it: plain, JSON, and every attribute it carries."""
    return "\n".join(
        [logging.Formatter().format(record), JsonFormatter().format(record), repr(vars(record))]
    )


def test_no_secret_or_digest_reaches_any_log_record(
    alice_client, alice_key, api, sentiment, made_secrets, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    tab = f"/models/{sentiment.model_id}/tokens/new/"

    alice_client.post(tab, {"name": "console-token", "model": sentiment.model_id})
    alice_client.post("/account/license-keys/new/", {"name": "console-key", "scope": "management"})
    call_command("createlicense", "alice", "--name", "shell-key")
    api_token = api.post("/api/v1/tokens", {"name": "api-token", "model_id": sentiment.model_id})
    secret = api_token.json()["token"]
    api.post("/api/v1/introspect", {"token": secret})
    alice_client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})
    alice_client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret[:-1]}x"})
    api.get("/api/v1/models", key=alice_key[:-1] + "x")

    made = {value for value in made_secrets if value.startswith(("uat_", "lic_"))}
    stored = {token.digest for token in Token.objects.all()}
    stored |= {key.digest for key in LicenseKey.objects.all()}
    logged = "\n".join(every_rendering(record) for record in caplog.records)
    assert len(made) == 5  # two tokens, three license keys (one presented, not made)
    assert alice_key in made and secret in made
    assert len([r for r in caplog.records if r.name == "console.requests"]) == 7
    assert all(value not in logged for value in made | {alice_key})
    assert all(value not in logged for value in stored | set(made_secrets.values()))


def test_no_secret_digest_or_invitation_link_reaches_any_event(
    alice_client, alice_key, api, staff, sentiment, acme, made_secrets, settings
):
    settings.DEBUG = True  # seed_demo's condition
    staff_browser = Client()
    staff_browser.force_login(staff)
    tab = f"/models/{sentiment.model_id}/tokens/new/"
    in_ten_days = timezone.now() + timedelta(days=10)

    alice_client.post(tab, {"name": "console-token", "model": sentiment.model_id})
    alice_client.post("/account/license-keys/new/", {"name": "console-key", "scope": "management"})
    invited = alice_client.post(
        reverse("member_invite"), {"email": "dana@example.com", "role": "MEMBER"}
    )
    api.post("/api/v1/tokens", {"name": "api-token", "model_id": sentiment.model_id})
    staff_browser.post(
        f"{CHANGELIST}add/",
        {"provider": acme.pk, "name": "admin-token", **admin_datetime(in_ten_days)},
    )
    call_command("createlicense", "alice", "--name", "shell-key")
    call_command("seed_demo")

    made = {value for value in made_secrets if value.startswith(("uat_", "lic_"))} | {alice_key}
    digests = set(made_secrets.values()) | {token.digest for token in Token.objects.all()}
    digests |= {key.digest for key in LicenseKey.objects.all()}
    link = invited.context["link"]
    link_token = link.rstrip("/").rsplit("/", 1)[1]
    recorded = every_stored_value(Event)
    # 12 tokens (seed_demo makes 9) and 3 license keys, alice's among them: each with its event.
    assert len(made) == 15
    assert Event.objects.filter(action__in=["token.created", "license_key.created"]).count() == 15
    assert all(value not in recorded for value in made | digests)
    assert link_token not in every_stored_value() and link not in recorded


def test_two_factor_keys_and_recovery_codes_are_in_no_table_and_no_log(alice_client, alice, caplog):
    from console.security.models import AuthenticatorApp
    from tests.test_two_factor import code_for

    caplog.set_level(logging.DEBUG)
    alice_client.get("/account/security/two-factor/")
    app = AuthenticatorApp.objects.get(user=alice)
    key_forms = {app.base32_key.replace(" ", ""), app.bin_key.hex(), app.bin_key.decode("latin-1")}
    shown = alice_client.post("/account/security/two-factor/", {"code": code_for(app)})
    codes = shown.context["codes"]
    once = alice_client.get("/account/security/").context["regenerate_once"]
    regenerated = alice_client.post("/account/security/recovery-codes/", {"once": once})
    again = regenerated.context["codes"]

    stored = every_stored_value()
    logged = "\n".join(every_rendering(record) for record in caplog.records)
    secrets_shown = (
        key_forms | set(codes) | set(again) | {c.replace("-", "") for c in codes + again}
    )
    assert all(value not in stored for value in secrets_shown)
    assert all(value not in logged for value in secrets_shown)


def test_a_failing_two_factor_set_up_reports_no_recovery_code(alice, monkeypatch):
    from console.security import services as security_services
    from console.security.models import RecoveryCode
    from tests.conftest import TEST_ACTOR
    from tests.test_two_factor import code_for

    made: list[str] = []
    real_new_values = RecoveryCode.new_values

    def recording_new_values():
        made.extend(real_new_values())
        return made

    def failing_record(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(RecoveryCode, "new_values", staticmethod(recording_new_values))
    monkeypatch.setattr(security_services, "record", failing_record)
    app = security_services.pending_authenticator(alice)

    with pytest.raises(RuntimeError) as excinfo:
        security_services.turn_on_two_factor(actor=TEST_ACTOR, user=alice, code=code_for(app))
    report = ExceptionReporter(None, excinfo.type, excinfo.value, excinfo.tb).get_traceback_text()

    assert len(made) == 10
    assert "turn_on_two_factor" in report
    assert all(code not in report for code in made)


def test_a_metered_check_leaves_no_secret_in_the_cache_or_the_usage_tables(
    client, alice_key, sentiment, acme, monkeypatch
):
    import pickle

    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from tokens import usage
    from tokens.models import TokenUsage

    token, secret = services.create_token(
        actor=TEST_ACTOR, provider=acme, name="gateway", model=sentiment, rate_limit=100, quota=5
    )
    now = [usage.clock()]
    monkeypatch.setattr(usage, "clock", lambda: now[0])
    for _ in range(3):
        client.post(
            "/api/v1/introspect",
            {"token": secret, "client_ip": "203.0.113.5"},
            headers={"Authorization": f"Bearer {alice_key}"},
        )
    backend = caches["default"]
    if isinstance(backend, LocMemCache):  # every key and value it holds
        held = [f"{key} {pickle.loads(value)!r}" for key, value in backend._cache.items()]  # noqa: S301 - our own cache
    else:  # Redis: every key of its database, and its value
        redis = backend._cache.get_client()
        held = [f"{key!r} {redis.dump(key)!r}" for key in redis.scan_iter("*")]
    assert held
    now[0] += 125
    usage.write_finished_minutes(now[0])

    assert TokenUsage.objects.filter(token=token).exists()
    assert secret not in every_stored_value()
    assert all(secret not in item and alice_key not in item for item in held)


def test_a_failing_check_reports_no_secret(client, alice_key, sentiment, acme, monkeypatch):
    from tokens import usage

    _, secret = services.create_token(
        actor=TEST_ACTOR, provider=acme, name="gateway", model=sentiment
    )

    def failing_meter(**kwargs):
        raise RuntimeError("the cache went away")

    from django.core.signals import got_request_exception

    failed_requests = []

    def keep(sender, request, **kwargs):
        failed_requests.append(request)

    monkeypatch.setattr(usage, "meter", failing_meter)
    got_request_exception.connect(keep)
    client.raise_request_exception = True
    try:
        with pytest.raises(RuntimeError) as excinfo:
            client.post(
                "/api/v1/introspect",
                {"token": secret},
                headers={"Authorization": f"Bearer {alice_key}"},
            )
    finally:
        got_request_exception.disconnect(keep)
    report = ExceptionReporter(
        failed_requests[0], excinfo.type, excinfo.value, excinfo.tb
    ).get_traceback_text()

    assert "introspect" in report
    assert secret not in report and alice_key not in report


def test_the_quick_check_and_the_gathered_usage_leave_no_secret_anywhere(
    alice_key, sentiment, acme, made_secrets, caplog, settings, monkeypatch
):
    import io
    from urllib.parse import urlencode

    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from tokens import usage
    from tokens.gateway import GatewayWSGIHandler

    settings.GATEWAY_USAGE_FLUSH_SECONDS = 1
    monkeypatch.setattr(usage.UsageBuffer, "_start", lambda self: None)
    caplog.set_level(logging.DEBUG)
    token, secret = services.create_token(
        actor=TEST_ACTOR, provider=acme, name="gateway", model=sentiment
    )
    body = urlencode({"token": secret, "client_ip": "203.0.113.5"}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/introspect",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_AUTHORIZATION": f"Bearer {alice_key}",
    }
    sent = GatewayWSGIHandler()(environ, lambda status, headers, exc_info=None: None)
    answer = b"".join(sent)
    assert b'"active": true' in answer
    assert usage.flush_buffered(usage.clock()) == 1

    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        import pickle

        held = [f"{key} {pickle.loads(value)!r}" for key, value in backend._cache.items()]  # noqa: S301 - our own cache
    else:
        redis = backend._cache.get_client()
        held = [f"{key!r} {redis.dump(key)!r}" for key in redis.scan_iter("*")]
    logged = "\n".join(every_rendering(record) for record in caplog.records)
    digests = set(made_secrets.values())
    assert held and any(record.name == "console.requests" for record in caplog.records)
    assert all(value not in logged for value in {secret, alice_key} | digests)
    assert all(secret not in item and alice_key not in item for item in held)
    assert all(digest not in item for item in held for digest in digests)
    assert secret.encode() not in answer and token.digest.encode() not in answer


def test_a_kept_answer_for_retries_holds_no_secret(client, alice_key, sentiment):
    from console.api.models import IdempotentRequest

    headers = {"Authorization": f"Bearer {alice_key}", "Idempotency-Key": "retry-me"}
    body = {"name": "retried", "model_id": sentiment.model_id}
    first = client.post("/api/v1/tokens", body, content_type="application/json", headers=headers)
    replay = client.post("/api/v1/tokens", body, content_type="application/json", headers=headers)

    secret = first.json()["token"]
    assert IdempotentRequest.objects.filter(status=201).exists()
    assert secret not in every_stored_value()
    assert secret not in replay.content.decode()
