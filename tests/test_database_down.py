"""Without its database the console says so briefly: 503 and Retry-After, a small page for
people and the JSON envelope for scripts, and never a hang or a traceback."""

import socket
import time

import pytest
from django.test import Client

from tests.test_settings import manage

# Run in a fresh process against an unreachable database: what each answer looks like.
REQUESTS = """
from django.test import Client, override_settings
from console.api.services import LICENSE_KEY
with override_settings(DEBUG=False):
    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    for path, headers in [
        ("/readyz", {}),
        ("/healthz", {}),
        ("/", {"cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}),
        ("/api/v1/tokens", {"authorization": f"Bearer {LICENSE_KEY.new().value}"}),
    ]:
        answer = client.get(path, headers=headers)
        print(path, answer.status_code, answer.get("Retry-After"), answer["Content-Type"])
"""


@pytest.fixture
def quiet_client(db):
    """A client that answers as production does when a view raises, instead of re-raising."""
    return Client(raise_request_exception=False)


def test_a_console_page_answers_503_with_retry_after_when_the_database_is_down(
    quiet_client, alice, database_down
):
    quiet_client.cookies["sessionid"] = "abcdefghijklmnopqrstuvwxyz012345"  # well-formed

    response = quiet_client.get("/tokens/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Temporarily unavailable" in html
    assert 'href="/static/console/console.css"' in html
    assert "<script" not in html
    assert "style=" not in html


def test_a_logged_in_page_answers_503_when_the_session_cannot_be_loaded(
    alice_client, database_down
):
    # force_login stored the session before the database went away; loading it now fails
    # inside the middleware, before any view runs.
    alice_client.raise_request_exception = False

    response = alice_client.get("/")

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


def test_the_api_answers_503_in_its_envelope_when_the_database_is_down(
    quiet_client, alice_key, database_down
):
    response = quiet_client.get("/api/v1/tokens", headers={"authorization": f"Bearer {alice_key}"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "unavailable"
    assert set(response.json()) == {"message", "code", "request_id"}


def test_other_server_errors_stay_500(quiet_client, alice, monkeypatch):
    quiet_client.force_login(alice)
    monkeypatch.setattr("tokens.views.tokens_for", lambda user: 1 / 0)

    response = quiet_client.get("/tokens/")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def _unused_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_closed_database_port_gives_503s_not_tracebacks():
    port = _unused_local_port()  # closed again: connecting is refused

    result = manage(
        "shell", "-c", REQUESTS, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/console_h1"
    )

    assert result.stdout.splitlines()[-4:] == [
        "/readyz 503 None text/plain",
        "/healthz 200 None text/plain",
        "/ 503 30 text/html; charset=utf-8",
        "/api/v1/tokens 503 30 application/json",
    ], result.stderr


def test_a_database_that_never_answers_gives_503_within_the_connect_timeout():
    # A listener that accepts connections (the kernel does, into its backlog) and never answers:
    # without a connect timeout every request would wait forever.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        started = time.monotonic()

        result = manage(
            "shell",
            "-c",
            REQUESTS,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/console_h1",
            DATABASE_CONNECT_TIMEOUT="2",
        )

    assert result.stdout.splitlines()[-4:-2] == [
        "/readyz 503 None text/plain",
        "/healthz 200 None text/plain",
    ], result.stderr
    assert result.stdout.splitlines()[-1] == "/api/v1/tokens 503 30 application/json"
    assert time.monotonic() - started < 30
