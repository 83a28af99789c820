"""A NUL byte in an id or a query string never reaches the database (PostgreSQL refuses it with
a ValueError, which would be a 500): ids answer 404, query values a form or filter error."""

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def quiet_alice(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


@pytest.fixture
def nul_never_queried(db):
    """Fails the test if any SQL statement carried a NUL byte (SQLite would accept it)."""
    offenders = []

    def record(execute, sql, params, many, context):
        if "\\x00" in repr((sql, params)):
            offenders.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield
    assert not offenders


@pytest.mark.usefixtures("nul_never_queried")
@pytest.mark.parametrize(
    "path",
    [
        "/tokens/tok_%00/edit/",
        "/tokens/tok_%00/delete/",
        "/models/mdl_%00/",
        "/models/mdl_%00/tokens/",
        "/account/license-keys/lic_%00/revoke/",
    ],
)
def test_a_nul_byte_in_an_id_is_a_404(quiet_alice, path):
    assert quiet_alice.get(path).status_code == 404


@pytest.mark.usefixtures("nul_never_queried")
@pytest.mark.parametrize("path", ["/api/v1/tokens/tok_%00", "/api/v1/models/mdl_%00"])
def test_a_nul_byte_in_an_api_id_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.usefixtures("nul_never_queried")
def test_a_nul_byte_in_the_type_ahead_is_a_400(quiet_alice, sentiment, make_token):
    make_token("gateway")

    response = quiet_alice.get(f"/models/{sentiment.model_id}/tokens/unassigned/?q=%00")

    assert response.status_code == 400


@pytest.mark.usefixtures("nul_never_queried")
@pytest.mark.parametrize(
    "query", ["name=%00", "model=%00", "sort=%00", "status=%00", "expires_after=%00", "page=%00"]
)
def test_a_nul_byte_in_a_tokens_list_filter_is_ignored_with_a_message(
    quiet_alice, make_token, query
):
    make_token("gateway")

    response = quiet_alice.get(f"/tokens/?{query}")

    assert response.status_code == 200
    if not query.startswith("page"):
        assert "Some filters were ignored" in response.content.decode()


@pytest.mark.usefixtures("nul_never_queried")
@pytest.mark.parametrize("query", ["name=%00", "model=%00", "sort=%00", "status=%00"])
def test_a_nul_byte_in_an_api_list_filter_is_a_400(api, make_token, query):
    make_token("gateway")

    response = api.get(f"/api/v1/tokens?{query}")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


@pytest.mark.usefixtures("nul_never_queried")
def test_a_nul_byte_in_the_assign_field_is_a_form_error(quiet_alice, sentiment):
    response = quiet_alice.post(
        f"/models/{sentiment.model_id}/tokens/assign/",
        {"q": "\x00", "token_id": "tok_\x00"},
        headers={"hx-request": "true"},
    )

    assert response.status_code == 400
    assert "Choose an unassigned token from the list." in response.content.decode()


@pytest.mark.usefixtures("nul_never_queried")
def test_a_nul_byte_in_the_chosen_token_id_is_a_form_error(quiet_alice, sentiment):
    response = quiet_alice.post(
        f"/models/{sentiment.model_id}/tokens/assign/", {"q": "gateway", "token_id": "tok_\x00"}
    )

    assert response.status_code == 400  # without JavaScript: the tab again, with the message
    assert "Choose an unassigned token from the list." in response.content.decode()


@pytest.mark.usefixtures("nul_never_queried")
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/tokens", {"name": "t", "model_id": "\x00"}),
        ("post", "/api/v1/tokens", {"name": "\x00"}),
        ("post", "/api/v1/models", {"name": "m\x00"}),
        ("post", "/api/v1/introspect", {"token": "uat_\x00"}),
    ],
)
def test_a_nul_byte_in_an_api_body_is_a_400_before_any_query_of_it(api, method, path, body):
    response = getattr(api, method)(path, body)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "invalid"
