"""Everything under /api/ answers JSON in the one error envelope, whatever went wrong: unknown
paths, ids of the wrong shape, methods, media types and the server's own failures."""

import pytest
from django.test import Client


def bearer(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


def assert_envelope(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert (
        {"message", "code", "request_id"}
        <= set(body)
        <= {"message", "code", "errors", "request_id"}
    )
    assert body["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/tokens/tok-bad!",
        "/api/v1/models/mdl_a/b",
        "/api/v1/tokens/",
        "/api/nope",
        "/api/",
        "/api/docs/",
    ],
)
def test_unrouted_api_paths_answer_a_json_404(api, path):
    assert_envelope(api.get(path), 404, "not_found")


def test_unrouted_api_paths_answer_json_even_without_a_key(client, db):
    assert_envelope(client.get("/api/v1/nope"), 404, "not_found")


def test_console_pages_still_answer_an_html_404(alice_client):
    response = alice_client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_api_docs_page_lives_outside_the_json_api(alice_client):
    response = alice_client.get("/docs/api/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_offer_is_a_json_405(api, alice_key, make_token):
    token, _ = make_token()
    put = api.client.put(f"/api/v1/tokens/{token.token_id}", headers=bearer(alice_key))

    assert_envelope(put, 405, "method_not_allowed")
    assert_envelope(api.delete("/api/v1/models"), 405, "method_not_allowed")


def test_asking_for_html_is_a_json_406(client, alice_key):
    response = client.get("/api/v1/models", headers={**bearer(alice_key), "accept": "text/html"})

    assert_envelope(response, 406, "not_acceptable")


@pytest.mark.parametrize("path", ["/api/v1/introspect", "/api/v1/token"])
def test_the_gateway_answers_json_whatever_accept_says(
    client, alice_key, make_token, sentiment, path
):
    # RFC 9110 lets a server ignore Accept; the gateway's callers (and what they pass on from
    # end users) send anything, so its schema documents no 406.
    _, secret = make_token(model=sentiment)

    if path == "/api/v1/token":
        response = client.get(path, headers={**bearer(secret), "accept": "text/html"})
    else:
        headers = {**bearer(alice_key), "accept": "text/html"}
        response = client.post(path, {"token": secret}, headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_a_check_with_a_broken_multipart_body_is_a_json_400(client, alice_key):
    # Schemathesis sent `multipart/form-data` without a boundary: Django's HTML 400 page answered.
    response = client.post(
        "/api/v1/introspect",
        "token=x",
        content_type="multipart/form-data",
        headers=bearer(alice_key),
    )

    assert_envelope(response, 400, "parse_error")
    assert "Multipart form parse error" in response.json()["message"]


def test_a_request_django_itself_cannot_read_is_a_json_400(client, alice_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    headers = {**bearer(alice_key), "Idempotency-Key": "too-big"}

    response = client.post(
        "/api/v1/tokens", {"name": "x" * 200}, content_type="application/json", headers=headers
    )

    assert_envelope(response, 400, "bad_request")


def test_a_console_page_django_cannot_read_is_still_its_html_400(alice_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = alice_client.post("/tokens/new/", {"name": "x" * 200})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_body_that_is_not_json_is_a_json_415(client, alice_key):
    response = client.post(
        "/api/v1/models", "name=x", content_type="text/plain", headers=bearer(alice_key)
    )

    assert_envelope(response, 415, "unsupported_media_type")


def test_an_unexpected_error_in_an_api_view_is_a_json_500_without_a_traceback(
    alice_key, monkeypatch
):
    def broken(user):
        raise RuntimeError("secret internals /work/h1/tokens/selectors.py")

    monkeypatch.setattr("tokens.api.tokens_for", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/tokens", headers=bearer(alice_key))

    assert_envelope(response, 500, "server_error")
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
