"""
The server's WSGI handler answers the everyday check (a form POST to /api/v1/introspect with a
usable key) before Django builds a request (tokens.gateway.GatewayWSGIHandler): the same answer,
headers and log line as Django's own handler gives, and every other request, every refusal
included, is Django's to answer.
"""

import io
import json
import logging
from urllib.parse import urlencode

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, close_old_connections

from tests.conftest import START
from tokens import gateway, usage
from tokens.gateway import GatewayWSGIHandler
from tokens.models import Token, TokenUsage

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _connections_stay_open():
    """As Django's test client does: the test's transaction keeps its connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def quick():
    return GatewayWSGIHandler()


@pytest.fixture
def django_handler():
    return WSGIHandler()


@pytest.fixture
def no_django(monkeypatch):
    """Fails a test whose request reaches Django's handler."""

    def refuse(self, request):
        raise AssertionError(f"Django's handler answered {request.path}")

    monkeypatch.setattr(WSGIHandler, "get_response", refuse)


def environ(key=None, body=None, *, method="POST", content_type=FORM, **extra):
    payload = body if isinstance(body, bytes) else urlencode(body or {}).encode()
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/api/v1/introspect",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(payload),
        "CONTENT_LENGTH": str(len(payload)),
        "CONTENT_TYPE": content_type,
    }
    if key is not None:
        env["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    env.update(extra)
    return env


class Answer:
    def __init__(self, app, env):
        self.started: list = []
        sent = app(
            env, lambda status, headers, exc_info=None: self.started.extend([status, headers])
        )
        try:
            self.body = b"".join(sent)
        finally:
            sent.close()
        self.status = self.started[0]
        self.headers = dict(self.started[1])

    def json(self):
        return json.loads(self.body)

    def comparable(self):
        """What two handlers must agree on: all but the request's own id."""
        answer = self.json() if self.body else None
        if isinstance(answer, dict):
            answer.pop("request_id", None)
        headers = {name.lower(): value for name, value in self.headers.items()}
        headers.pop("x-request-id")
        headers.pop("content-length", None)
        return self.status, headers, answer


def both(quick, django_handler, make_env):
    """The same request answered by the quick handler and by Django's own."""
    return Answer(quick, make_env()), Answer(django_handler, make_env())


def test_a_usable_tokens_check_is_answered_before_django_as_django_answers_it(
    quick, django_handler, alice_key, make_token, sentiment, clock, monkeypatch
):
    token, secret = make_token(model=sentiment)
    ask = lambda: environ(alice_key, {"token": secret, "client_ip": "203.0.113.9"})  # noqa: E731
    expected = Answer(django_handler, ask())

    monkeypatch.setattr(
        WSGIHandler, "get_response", lambda self, request: pytest.fail("Django answered")
    )
    answer = Answer(quick, ask())

    assert answer.comparable() == expected.comparable()
    assert answer.json()["active"] is True and answer.json()["token_id"] == token.token_id
    assert answer.headers["Content-Length"] == str(len(answer.body))
    assert answer.headers["Cache-Control"].startswith("max-age=0")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_quick_check_is_one_query_and_counts_the_query(
    quick, alice_key, make_token, sentiment, clock, no_django, django_assert_num_queries
):
    token, secret = make_token(model=sentiment)
    Answer(quick, environ(alice_key, {"token": secret}))  # the key's "last used" is written once

    with django_assert_num_queries(1):
        answer = Answer(quick, environ(alice_key, {"token": secret, "cost": "5"}))

    assert answer.json()["active"] is True
    assert usage.cache.get(usage._count_key(token.pk, usage.minute_of(clock.now))) == 6


@pytest.mark.parametrize("kind", ["unknown", "cancelled", "unassigned", "another provider's"])
def test_unusable_tokens_are_answered_inactive_quickly(
    kind, quick, alice_key, make_token, sentiment, clock, no_django
):
    token, secret = make_token(model=None if kind == "unassigned" else sentiment)
    if kind == "unknown":
        token.delete()
    elif kind == "cancelled":
        Token.objects.filter(pk=token.pk).update(status="CANCELED")
    elif kind == "another provider's":
        from console.accounts.models import Provider

        Token.objects.filter(pk=token.pk).update(provider=Provider.objects.create(name="Other"))

    answer = Answer(quick, environ(alice_key, {"token": secret}))

    assert answer.status == "200 OK"
    assert answer.json() == {"active": False}


REFUSALS = {
    "no Authorization": lambda key, secret: environ(None, {"token": secret}),
    "a key of no one": lambda key, secret: environ("uak_" + "x" * 40, {"token": secret}),
    "a Basic Authorization": lambda key, secret: environ(
        None, {"token": secret}, HTTP_AUTHORIZATION=f"Basic {key}"
    ),
    "a JSON body": lambda key, secret: environ(
        key, json.dumps({"token": secret}).encode(), content_type="application/json"
    ),
    "GET": lambda key, secret: environ(key, b"", method="GET"),
    "OPTIONS": lambda key, secret: environ(key, b"", method="OPTIONS"),
    "no token": lambda key, secret: environ(key, {"cost": "1"}),
    "a bad cost": lambda key, secret: environ(key, {"token": secret, "cost": "-1"}),
    "a bad address": lambda key, secret: environ(key, {"token": secret, "client_ip": "here"}),
    "an unknown field": lambda key, secret: environ(key, {"token": secret, "tokne": "x"}),
    "two tokens": lambda key, secret: environ(key, f"token={secret}&token=x".encode()),
    "a body too large": lambda key, secret: environ(key, {"token": secret, "pad": "x" * 17000}),
    "a broken form": lambda key, secret: environ(key, b"token"),
    "a body not UTF-8": lambda key, secret: environ(key, b"token=\xff\xfe"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_everything_else_is_answered_by_django_unchanged(
    case, quick, django_handler, alice_key, make_token, sentiment, clock
):
    _, secret = make_token(model=sentiment)

    answer, expected = both(quick, django_handler, lambda: REFUSALS[case](alice_key, secret))

    assert answer.comparable() == expected.comparable()


def test_another_providers_key_learns_nothing_quickly(
    quick, charlie_key, make_token, sentiment, clock, no_django
):
    _, secret = make_token(model=sentiment)

    assert Answer(quick, environ(charlie_key, {"token": secret})).json() == {"active": False}


def test_the_request_log_names_the_key_and_its_provider(
    quick, alice_key, make_token, sentiment, clock, caplog, acme, no_django
):
    _, secret = make_token(model=sentiment)

    with caplog.at_level(logging.INFO, logger="console.requests"):
        answer = Answer(quick, environ(alice_key, {"token": secret}))

    (line,) = [record.log_fields for record in caplog.records if hasattr(record, "log_fields")]
    assert line["request_id"] == answer.headers["X-Request-ID"]
    assert line["provider"] == acme.provider_id
    assert line["actor"].startswith("key:")
    assert (line["method"], line["path"], line["status"]) == ("POST", "/api/v1/introspect", 200)
    assert secret not in caplog.text and alice_key not in caplog.text


def test_a_trusted_proxys_request_id_is_kept(
    quick, alice_key, make_token, sentiment, clock, settings, no_django
):
    settings.TRUST_PROXY_HEADERS = True
    _, secret = make_token(model=sentiment)

    answer = Answer(quick, environ(alice_key, {"token": secret}, HTTP_X_REQUEST_ID="lb-42"))

    assert answer.headers["X-Request-ID"] == "lb-42"


def test_the_writer_runs_once_the_answer_is_sent(
    quick, alice_key, make_token, sentiment, clock, no_django
):
    token, secret = make_token(model=sentiment)
    Answer(quick, environ(alice_key, {"token": secret}))
    clock.advance(125)  # the first check of a later minute writes the first
    env = environ(alice_key, {"token": secret})
    started: list = []

    sent = quick(env, lambda status, headers, exc_info=None: started.append(status))
    assert b"".join(sent) and not TokenUsage.objects.filter(token=token).exists()
    sent.close()

    assert TokenUsage.objects.get(token=token).queries == 1


def test_a_database_away_is_answered_by_django(
    quick, alice_key, make_token, sentiment, clock, monkeypatch
):
    _, secret = make_token(model=sentiment)

    def away(sql, params):
        raise OperationalError("the database is away")

    monkeypatch.setattr(gateway, "_run", away)
    answer = Answer(quick, environ(alice_key, {"token": secret}))

    assert answer.status.startswith("503")
    assert answer.json()["code"] == "unavailable"


def test_https_redirects_are_left_to_django(alice_key, make_token, sentiment, clock, settings):
    settings.SECURE_SSL_REDIRECT = True
    _, secret = make_token(model=sentiment)

    answer = Answer(GatewayWSGIHandler(), environ(alice_key, {"token": secret}))

    assert answer.status.startswith("301")
    assert answer.headers["Location"] == "https://testserver/api/v1/introspect"


def test_https_answers_carry_the_same_strict_transport_security(
    alice_key, make_token, sentiment, clock, settings, monkeypatch
):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _, secret = make_token(model=sentiment)
    ask = lambda: environ(alice_key, {"token": secret}, HTTP_X_FORWARDED_PROTO="https")  # noqa: E731
    expected = Answer(WSGIHandler(), ask())  # made now: its middleware reads the settings

    monkeypatch.setattr(
        WSGIHandler, "get_response", lambda self, request: pytest.fail("Django answered")
    )
    answer = Answer(GatewayWSGIHandler(), ask())

    assert answer.comparable() == expected.comparable()
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=3600")


def test_the_server_runs_the_quick_handler():
    from console.wsgi import application

    assert isinstance(application, GatewayWSGIHandler)
    assert START  # the clock the checks above go by
