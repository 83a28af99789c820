"""The OpenAPI schema: valid, complete, true to what the endpoints do, and fuzzed for 5xx."""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from console.api.docs import api_schema
from console.wsgi import application
from tests.conftest import TEST_ACTOR
from tokens.services import create_token

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/models"),
    ("post", "/api/v1/models"),
    ("get", "/api/v1/models/{model_id}"),
    ("patch", "/api/v1/models/{model_id}"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens/{token_id}"),
    ("patch", "/api/v1/tokens/{token_id}"),
    ("delete", "/api/v1/tokens/{token_id}"),
    ("post", "/api/v1/tokens/{token_id}/assign"),
    ("post", "/api/v1/tokens/{token_id}/unassign"),
    ("post", "/api/v1/tokens/{token_id}/renew"),
    ("post", "/api/v1/tokens/{token_id}/cancel"),
    ("post", "/api/v1/introspect"),
    ("get", "/api/v1/token"),
    ("get", "/api/v1/events"),
}


def test_the_served_schema_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/schema")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_lists_every_endpoint_and_nothing_else(client, db):
    paths = client.get("/api/v1/schema").json()["paths"]

    operations = {(method, path) for path, methods in paths.items() for method in methods}
    assert operations == EXPECTED_OPERATIONS


def test_the_schema_documents_the_token_list_filters_and_unix_timestamps(client, db):
    schema = client.get("/api/v1/schema").json()

    parameters = {p["name"] for p in schema["paths"]["/api/v1/tokens"]["get"]["parameters"]}
    created = schema["components"]["schemas"]["NewToken"]["properties"]
    assert {"name", "status", "model", "assigned", "expired", "expires_after", "sort"} <= parameters
    assert {"limit", "cursor", "count"} <= parameters
    assert not {"page", "per_page"} & parameters
    assert created["expires_at"]["type"] == "integer"
    assert "token" in created


@pytest.mark.parametrize("path", ["/api/v1/tokens", "/api/v1/models", "/api/v1/events"])
def test_every_list_documents_its_cursor_paging(client, db, path):
    schema = client.get("/api/v1/schema").json()
    operation = schema["paths"][path]["get"]

    limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 25)
    assert {"cursor", "count"} <= {p["name"] for p in operation["parameters"]}
    assert set(body["required"]) == {"has_more", "next", "results"}
    assert {"count", "count_is_capped"} <= set(body["properties"])


def test_the_api_docs_page_describes_every_endpoint(alice_client):
    html = alice_client.get("/docs/api/").content.decode()

    for method, path in EXPECTED_OPERATIONS:
        assert f"{method.upper()}</span> <code>{path}</code>" in html, (method, path)
    assert "Authorization: Bearer" in html
    assert "ManagementClient" in html
    assert 'href="/api/v1/schema"' in html


# --- Fuzzing: whatever schemathesis sends, the API never answers 5xx -------------------------

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
schema = schemathesis.openapi.from_dict(api_schema())
schema.app = application  # every request, the checks' own included, goes to the WSGI app


@pytest.fixture
def fuzz_world(alice, acme, alice_key, sentiment, make_token, settings):
    """Alice's key, a model, and tokens for path parameters to point at."""
    # Schemathesis tries bad credentials on every example, from one address: past the limit
    # they would rightly get 429, where its check expects 401 (tested in its own file).
    settings.API_BAD_KEY_LIMIT = 1_000_000
    # Requests go straight to the WSGI app, whose request signals would close the database
    # connection that holds the test's transaction; Django's own test client unhooks them too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"key": alice_key, "model": sentiment, "acme": acme, "made": 0}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_fuzzed_requests_never_get_a_server_error(case, fuzz_world):
    headers = {"Authorization": f"Bearer {fuzz_world['key']}"}
    response = case.call(headers=headers)
    assert response.status_code < 500, case.as_curl_command(headers=headers)

    # The same request again, aimed at objects that exist.
    if "token_id" in (case.path_parameters or {}):
        fuzz_world["made"] += 1
        token, _ = create_token(
            actor=TEST_ACTOR, provider=fuzz_world["acme"], name=f"fuzz-{fuzz_world['made']}"
        )
        case.path_parameters["token_id"] = token.token_id
    if "model_id" in (case.path_parameters or {}):
        case.path_parameters["model_id"] = fuzz_world["model"].model_id
    response = case.call(headers=headers)
    assert response.status_code < 500, case.as_curl_command(headers=headers)
    # Every other check stands: documented status codes, content types and bodies, auth. These
    # two expect the schema to say everything; our rules go further (one of *your* models, an
    # expiration inside the allowed range), and unknown query parameters and empty choices are
    # ignored, as on the Tokens List page.
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
