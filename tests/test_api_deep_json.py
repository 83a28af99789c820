"""A body nested thousands deep is bad input (400 in the envelope), not a crash (500)."""

import pytest
from django.test import Client

DEPTH = 100_000


def deeply_nested(depth: int = DEPTH) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def quiet_client(db):
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/models", deeply_nested()),
        ("post", "/api/v1/tokens", '{"name": ' + deeply_nested() + "}"),
        # The gateway's check takes 16 KB at most: deep, but within that.
        ("post", "/api/v1/introspect", '{"token": ' + deeply_nested(5_000) + "}"),
        ("patch", "/api/v1/tokens/{token_id}", '{"note": ' + deeply_nested() + "}"),
        ("post", "/api/v1/tokens/{token_id}/assign", "[" * 5000),
    ],
)
def test_deeply_nested_json_is_a_400_in_the_envelope(
    quiet_client, alice_key, make_token, method, path, body
):
    token, _ = make_token()
    call = getattr(quiet_client, method)

    response = call(
        path.format(token_id=token.token_id),
        body,
        content_type="application/json",
        headers={"authorization": f"Bearer {alice_key}"},
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert "nested too deeply" in response.json()["message"]


def test_a_check_bigger_than_16_kb_is_refused_before_parsing(quiet_client, alice_key):
    response = quiet_client.post(
        "/api/v1/introspect",
        '{"token": ' + deeply_nested() + "}",
        content_type="application/json",
        headers={"authorization": f"Bearer {alice_key}"},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
