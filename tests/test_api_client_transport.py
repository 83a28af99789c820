"""
How console/client.py talks HTTP: one kept connection, retries that are safe (backoff,
Retry-After, the same Idempotency-Key), none for other 4xx, ConnectionFailed when nobody
answers, and the license key never sent to another origin. Against the live server, and a tiny
scripted server on a port of its own where a behaviour needs an answer the console never gives.
"""

import http.client
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.signals import request_started

from console.api.services import create_license_key
from console.client import (
    ApiError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    CrossOriginRefused,
    ManagementClient,
    NotFound,
    RateLimited,
    SecretLost,
    ServerError,
)
from tests.conftest import TEST_ACTOR
from tokens.models import Token

# --- A scripted server ---------------------------------------------------------------------

PAGE = {"results": [], "has_more": False, "next": None}


def answer(status=200, body=None, **headers):
    """One scripted answer: a status, a JSON body, headers (underscores for dashes)."""
    return status, {name.replace("_", "-"): str(value) for name, value in headers.items()}, body


DROP = "drop"  # close the connection instead of answering
CLOSE_AFTER = "close-after"  # answer, then close the connection without saying so


class ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open, as the console's server does

    def setup(self):
        super().setup()
        self.server.connections += 1

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path, self.headers, body))
        script = self.server.script
        step = script.pop(0) if script else answer(body=PAGE)
        if step == DROP:
            self.close_connection = True
            return
        close = step == CLOSE_AFTER
        status, headers, payload = answer(body=PAGE) if close else step
        data = json.dumps(payload if payload is not None else {}).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if close:
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format, *args):
        pass


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script: list = []
        self.requests: list = []
        self.connections = 0
        self.closes = threading.Semaphore(0)  # released each time the server closes one
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def close_request(self, request):
        super().close_request(request)
        self.closes.release()

    def wait_for_closes(self, count):
        assert all(self.closes.acquire(timeout=5) for _ in range(count))


@pytest.fixture
def scripted_servers():
    started = []

    def start():
        server = ScriptedServer()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def scripted(scripted_servers):
    return scripted_servers()


@pytest.fixture
def waits():
    """What the clients below slept, in seconds: recorded instead of waited."""
    return []


@pytest.fixture
def make_client(waits):
    made = []

    def make(base_url, key="lic_scripted", **options):
        client = ManagementClient(key, base_url, **options)
        client._sleep = waits.append
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def to_scripted(scripted, make_client):
    return make_client(scripted.url)


# --- Against the live server ---------------------------------------------------------------


@pytest.fixture
def sdk(live_server, alice, acme, make_client):
    key = create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="sdk")[1]
    return make_client(live_server.url, key)


@pytest.fixture
def live_connections(live_server, monkeypatch):
    """How many connections the live server accepts from now on."""
    server = live_server.thread.httpd
    accepted = []
    accept = server.process_request

    def counted(request, client_address):
        accepted.append(client_address)
        return accept(request, client_address)

    monkeypatch.setattr(server, "process_request", counted)
    return accepted


@pytest.fixture
def live_requests():
    """The paths of the requests the live server starts on from now on."""
    started = []

    def count(sender, environ, **kwargs):
        started.append(environ["PATH_INFO"])

    request_started.connect(count, weak=False)
    yield started
    request_started.disconnect(count)


def test_one_connection_serves_every_call_of_a_client(sdk, live_connections):
    model_id = sdk.create_model("sentiment")
    token_id, _ = sdk.generate_query_token(model_id, "alice-laptop")
    sdk.get_token(token_id)
    sdk.update_token(token_id, note="VIP")
    sdk.list_tokens()
    sdk.list_models()
    sdk.delete_token(token_id)

    assert len(live_connections) == 1


def test_a_lost_answer_is_retried_with_the_same_key_and_the_token_is_made_once(sdk, acme):
    model_id = sdk.create_model("sentiment")
    lose_next_answer(sdk)

    created = sdk.create_token("alice-laptop", model_id=model_id)

    assert Token.objects.filter(provider=acme).count() == 1
    assert created.token_id == Token.objects.get().token_id
    assert created.replayed is True and created.secret is None
    assert "not stored" in created.secret_message


def test_generate_query_token_says_when_a_retry_lost_the_secret(sdk, acme):
    model_id = sdk.create_model("sentiment")
    lose_next_answer(sdk)

    with pytest.raises(SecretLost) as lost:
        sdk.generate_query_token(model_id, "alice-laptop")

    assert lost.value.token_id == Token.objects.get(provider=acme).token_id
    assert "delete this token and create another" in lost.value.message


def test_a_delete_whose_answer_was_lost_is_done_when_its_retry_finds_nothing(
    sdk, make_token, live_requests
):
    token, _ = make_token("alice-laptop")
    lose_next_answer(sdk)

    sdk.delete_token(token.token_id)  # the retry's 404: the first try deleted it

    assert not Token.objects.filter(pk=token.pk).exists()
    assert live_requests == [f"/api/v1/tokens/{token.token_id}"] * 2
    with pytest.raises(NotFound):
        sdk.delete_token(token.token_id)  # no answer lost: nothing there is an error


def lose_next_answer(client):
    """The client's next request reaches the server, whose answer is then lost on the way."""
    new_connection = client._new_connection
    lost = []

    class LosesAnAnswer(http.client.HTTPConnection):
        def getresponse(self):
            response = super().getresponse()
            if not lost:
                lost.append(response.read())
                raise ConnectionResetError("the answer was lost on the way")
            return response

    def connect():
        made = new_connection()
        return LosesAnAnswer(made.host, made.port, timeout=made.timeout)

    client.close()
    client._new_connection = connect


def test_another_providers_key_gets_not_found_once_never_retried(
    live_server, charlie, globex, make_token, make_client, live_requests
):
    token, _ = make_token("alice-laptop")
    key = create_license_key(actor=TEST_ACTOR, provider=globex, created_by=charlie, name="scripts")[
        1
    ]
    client = make_client(live_server.url, key)

    with pytest.raises(NotFound) as refused:
        client.get_token(token.token_id)

    assert refused.value.status == 404
    assert refused.value.request_id
    assert live_requests == [f"/api/v1/tokens/{token.token_id}"]


# --- Retries -------------------------------------------------------------------------------


def test_a_503_is_retried_after_its_retry_after(scripted, to_scripted, waits):
    scripted.script = [answer(503, {"message": "Database away."}, Retry_After=2), answer(body=PAGE)]

    assert to_scripted.list_models() == []

    assert len(scripted.requests) == 2
    assert len(waits) == 1 and 2 <= waits[0] <= 2 + to_scripted.backoff


def test_a_429_is_retried_after_its_retry_after(scripted, to_scripted, waits):
    scripted.script = [answer(429, {"code": "throttled"}, Retry_After=7), answer(body=PAGE)]

    to_scripted.list_tokens()

    assert len(scripted.requests) == 2
    assert 7 <= waits[0] <= 7 + to_scripted.backoff


def test_a_retry_after_longer_than_max_wait_raises_at_once(scripted, make_client, waits):
    client = make_client(scripted.url, max_wait=10)
    scripted.script = [answer(429, {"message": "Too many.", "code": "throttled"}, Retry_After=40)]

    with pytest.raises(RateLimited) as limited:
        client.list_models()

    assert limited.value.retry_after == 40 and limited.value.code == "throttled"
    assert waits == [] and len(scripted.requests) == 1


def test_retries_back_off_exponentially_and_stop_after_max_attempts(scripted, make_client, waits):
    client = make_client(scripted.url, max_attempts=4, backoff=1)
    scripted.script = [answer(503)] * 4

    with pytest.raises(ServerError) as failed:
        client.list_models()

    assert failed.value.status == 503
    assert len(scripted.requests) == 4
    assert len(waits) == 3
    assert all(
        low <= wait <= high
        for wait, (low, high) in zip(waits, [(0.5, 1), (1, 2), (2, 4)], strict=True)
    )


def test_retries_stop_when_the_next_wait_would_pass_max_wait(scripted, make_client, waits):
    client = make_client(scripted.url, max_wait=1.5, backoff=1)
    scripted.script = [answer(503)] * 5

    with pytest.raises(ServerError):
        client.list_models()

    assert len(waits) == 1 and sum(waits) <= 1.5  # the second, 1 to 2 s, would pass it
    assert len(scripted.requests) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequest), (409, Conflict), (404, NotFound), (500, ServerError)],
)
def test_other_errors_are_never_retried(scripted, to_scripted, waits, status, error):
    scripted.script = [answer(status, {"message": "No.", "code": "rule"})]

    with pytest.raises(error):
        to_scripted.update_token("tok_1", note="x")

    assert len(scripted.requests) == 1 and waits == []


def test_a_post_keeps_its_idempotency_key_across_retries_and_the_next_post_gets_another(
    scripted, to_scripted
):
    created = {"token_id": "tok_1", "name": "t", "status": "ACTIVE", "model_id": None}
    scripted.script = [
        answer(503),
        answer(409, {"code": "idempotency_key_in_use"}, Retry_After=1),
        answer(201, {**created, "expires_at": 1, "token": "uat_secret"}),
        answer(201, {**created, "expires_at": 1, "token": "uat_other"}),
    ]

    first = to_scripted.create_token("t")
    to_scripted.create_token("t")

    keys = [headers["Idempotency-Key"] for _, _, headers, _ in scripted.requests]
    bodies = {body for _, _, _, body in scripted.requests[:3]}
    assert keys[0] == keys[1] == keys[2] != keys[3]
    assert uuid.UUID(keys[0]).version == 4
    assert len(bodies) == 1
    assert first.secret == "uat_secret" and first.replayed is False
    assert "uat_secret" not in repr(first)


def test_a_dropped_connection_is_retried_for_a_get_but_not_for_a_counted_check(
    scripted, to_scripted
):
    scripted.script = [DROP, answer(body=PAGE)]
    assert to_scripted.list_models() == []

    scripted.script = [DROP]
    with pytest.raises(ConnectionFailed) as failed:
        to_scripted.introspect("uat_x")  # it reached the server, which may have counted it

    assert failed.value.sent is True
    assert isinstance(failed.value.__cause__, http.client.RemoteDisconnected)
    assert [method for method, *_ in scripted.requests] == ["GET", "GET", "POST"]


def test_a_connection_the_server_closed_is_opened_again(scripted, to_scripted):
    introspection = {"active": False}
    scripted.script = [answer(200, introspection, Connection="close"), CLOSE_AFTER]

    to_scripted.introspect("uat_x")  # the server says it closes: a new connection next
    to_scripted.list_models()  # the server closes without a word
    scripted.wait_for_closes(2)
    scripted.script = [answer(200, introspection)]
    after_a_silent_close = to_scripted.introspect("uat_x")  # not sent into the closed one

    assert after_a_silent_close.active is False
    assert len(scripted.requests) == 3
    assert scripted.connections == 3


def test_introspect_sends_a_form_without_an_idempotency_key(scripted, to_scripted):
    scripted.script = [answer(200, {"active": False})]

    to_scripted.introspect("uat_x", cost=2, client_ip="203.0.113.7")

    method, path, headers, body = scripted.requests[0]
    assert (method, path) == ("POST", "/api/v1/introspect")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert body == b"token=uat_x&cost=2&client_ip=203.0.113.7"
    assert "Idempotency-Key" not in headers


def test_a_closed_port_raises_connection_failed_after_the_retries(make_client, waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens
    client = make_client(f"http://127.0.0.1:{port}", max_attempts=3)

    with pytest.raises(ConnectionFailed) as failed:
        client.introspect("uat_x")  # never sent, so even a counted check is retried

    assert isinstance(failed.value.__cause__, ConnectionRefusedError)
    assert isinstance(failed.value, ApiError) and isinstance(failed.value, OSError)
    assert failed.value.status == 0 and failed.value.sent is False
    assert f"127.0.0.1:{port}" in str(failed.value)
    assert len(waits) == 2


def test_one_client_shared_by_threads_uses_one_connection(scripted, to_scripted):
    errors = []

    def calls():
        try:
            for _ in range(5):
                to_scripted.list_models()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(scripted.requests) == 40
    assert scripted.connections == 1


def test_an_answer_that_is_not_json_says_so_and_an_error_page_keeps_its_status(
    scripted, to_scripted
):
    class Html(ScriptedHandler):
        def _answer(self):
            self.server.requests.append(self.path)
            status = 200 if self.path.startswith("/api/v1/models") else 502
            page = b"<html>Welcome to the proxy</html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        do_GET = _answer

    scripted.RequestHandlerClass = Html
    with pytest.raises(ApiError) as not_json:
        to_scripted.list_models()
    with pytest.raises(ServerError) as bad_gateway:
        to_scripted.get_token("tok_1")

    assert not_json.value.code == "not_json" and "text/html" in not_json.value.message
    assert bad_gateway.value.status == 502 and bad_gateway.value.message == "Bad Gateway"


# --- Other origins -------------------------------------------------------------------------


@pytest.fixture
def elsewhere(scripted_servers):
    """A second server, on another port: another origin, which must hear nothing."""
    return scripted_servers()


def test_a_redirect_to_another_port_is_refused_and_that_port_hears_nothing(
    scripted, elsewhere, to_scripted
):
    scripted.script = [answer(302, Location=f"{elsewhere.url}/api/v1/models")]

    with pytest.raises(CrossOriginRefused) as refused:
        to_scripted.list_models()

    assert refused.value.status == 302
    assert elsewhere.url in refused.value.message
    assert elsewhere.requests == [] and elsewhere.connections == 0


def test_a_redirect_to_https_on_the_same_host_is_refused(scripted, to_scripted):
    port = scripted.server_address[1]
    scripted.script = [answer(301, Location=f"https://127.0.0.1:{port}/api/v1/models")]

    with pytest.raises(CrossOriginRefused):
        to_scripted.list_models()

    assert len(scripted.requests) == 1


def test_a_redirect_on_the_same_origin_is_followed_with_the_key(scripted, to_scripted):
    scripted.script = [answer(307, Location="/api/v1/models?moved=1"), answer(body=PAGE)]

    to_scripted.list_models()

    assert scripted.requests[1][1] == "/api/v1/models?moved=1"
    assert scripted.requests[1][2]["Authorization"] == "Bearer lic_scripted"


def test_a_next_link_to_another_origin_is_refused_after_the_pages_before_it(
    scripted, elsewhere, to_scripted
):
    model = {"model_id": "mdl_1", "name": "m"}
    scripted.script = [
        answer(body={"results": [model], "has_more": True, "next": f"{elsewhere.url}/steal"})
    ]
    models = to_scripted.iter_models()

    assert next(models).model_id == "mdl_1"
    with pytest.raises(CrossOriginRefused) as refused:
        next(models)

    assert refused.value.code == "cross_origin"
    assert elsewhere.requests == [] and elsewhere.connections == 0


def test_an_http_proxy_from_the_environment_carries_the_requests(
    scripted, make_client, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", scripted.url.replace("://", "://gw:s%40cret@"))
    monkeypatch.setenv("NO_PROXY", "")
    client = make_client("http://console.invalid")

    client.list_models()

    _, path, headers, _ = scripted.requests[0]
    assert path == "http://console.invalid/api/v1/models?limit=100"
    assert headers["Proxy-Authorization"] == "Basic Z3c6c0BjcmV0"  # gw:s@cret
    assert headers["Authorization"] == "Bearer lic_scripted"
