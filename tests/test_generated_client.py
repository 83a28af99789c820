"""
A client generated from the served schema works: openapi-python-client accepts the schema
without a warning, the client it writes imports, and every operation through it does what the
API does, with typed answers. Proof that the schema is one generators accept, not only one that
validates.
"""

import importlib
import json
import subprocess
import sys
import urllib.request

import pytest

from console.api.services import create_license_key
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.generated_client

PACKAGE = "console_api_client"
# No post-generation hooks (ruff, by default): the test needs the code, not its formatting.
GENERATOR_CONFIG = "post_hooks: []\n"


def generate_client(schema_url: str, folder) -> None:
    """openapi-python-client's package for the schema at `schema_url`, written into `folder`."""
    with urllib.request.urlopen(schema_url) as answer:  # noqa: S310 (the live server's URL)
        (folder / "schema.json").write_text(json.dumps(json.load(answer)))
    (folder / "generator.yaml").write_text(GENERATOR_CONFIG)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(folder / "generator.yaml"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    """The generated package, imported (and forgotten after the test)."""
    generate_client(f"{live_server.url}/api/v1/schema", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


@pytest.fixture
def license_key(alice, acme):
    return create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="gen")[1]


def operation(package, tag: str, name: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def test_a_client_generated_from_the_served_schema_performs_every_operation(
    generated, live_server, license_key
):
    api = generated.AuthenticatedClient(base_url=live_server.url, token=license_key)
    models = importlib.import_module(f"{PACKAGE}.models")

    def call(tag, name, *args, **kwargs):
        return operation(generated, tag, name).sync_detailed(*args, client=api, **kwargs)

    # Models: create, list, get (with its ETag), update with If-Match.
    created_model = call(
        "models", "create_model", body=models.ModelRequest(name="Sentiment v2", description="1-5")
    )
    model = created_model.parsed
    listed_models = call("models", "list_models").parsed
    got_model = call("models", "get_model", model.model_id)
    updated_model = call(
        "models",
        "update_model",
        model.model_id,
        body=models.PatchedModelUpdateRequest(default_rate_limit=60),
        if_match=got_model.headers["ETag"],
    ).parsed

    # Tokens: create (its secret, once), get, list, update, unassign, assign, renew, cancel.
    created_token = call(
        "tokens",
        "create_token",
        body=models.TokenCreateRequest(name="alice-laptop", model_id=model.model_id),
        idempotency_key="first-token",
    )
    new = created_token.parsed
    got_token = call("tokens", "get_token", new.token_id)
    not_modified = call(
        "tokens", "get_token", new.token_id, if_none_match=got_token.headers["ETag"]
    )
    listed_tokens = call("tokens", "list_tokens", status=[models.TokenStatus.ACTIVE]).parsed
    updated = call(
        "tokens",
        "update_token",
        new.token_id,
        body=models.PatchedTokenUpdateRequest(note="VIP", rate_limit=30),
        if_match=got_token.headers["ETag"],
    ).parsed
    introspected = call(
        "introspect",
        "introspect",
        body=models.IntrospectionFormRequest(token=new.token, client_ip="203.0.113.7"),
    ).parsed
    end_user = generated.AuthenticatedClient(base_url=live_server.url, token=new.token)
    own = operation(generated, "token", "get_own_token").sync(client=end_user)
    unassigned = call("tokens", "remove_token_assignment", new.token_id).parsed
    assigned = call(
        "tokens",
        "assign_token_to_model",
        new.token_id,
        body=models.AssignRequest(model_id=model.model_id),
    ).parsed
    renewed = call("tokens", "renew_token", new.token_id).parsed
    cancelled = call("tokens", "cancel_token", new.token_id).parsed
    refused = call(
        "introspect", "introspect", body=models.IntrospectionFormRequest(token=new.token)
    ).parsed
    deleted = call("tokens", "delete_token", new.token_id)
    gone = call("tokens", "get_token", new.token_id)
    events = call("events", "list_events", action=models.ListEventsAction.TOKEN_CANCELLED).parsed

    assert created_model.status_code == 201
    assert isinstance(model, models.Model) and model.model_id.startswith("mdl_")
    assert isinstance(listed_models, models.PaginatedModelList)
    assert [item.model_id for item in listed_models.results] == [model.model_id]
    assert isinstance(updated_model, models.Model) and updated_model.default_rate_limit == 60

    assert created_token.status_code == 201
    assert isinstance(new, models.NewToken) and new.token.startswith("uat_")
    assert new.status is models.TokenStatus.ACTIVE
    assert (
        isinstance(got_token.parsed, models.Token) and got_token.parsed.model_id == model.model_id
    )
    assert not_modified.status_code == 304
    assert [token.token_id for token in listed_tokens.results] == [new.token_id]
    assert isinstance(updated, models.Token) and (updated.note, updated.rate_limit) == ("VIP", 30)
    assert isinstance(introspected, models.Introspection) and introspected.active is True
    assert (introspected.token_id, introspected.model_id) == (new.token_id, model.model_id)
    assert introspected.rate_limit.limit == 30
    assert isinstance(own, models.EndUserToken) and own.token_id == new.token_id
    assert unassigned.model_id is None
    assert assigned.model_id == model.model_id
    assert renewed.expires_at >= new.expires_at
    assert cancelled.status is models.TokenStatus.CANCELED
    assert refused.active is False
    assert deleted.status_code == 204
    assert gone.status_code == 404 and isinstance(gone.parsed, models.Error)
    assert gone.parsed.code == "not_found"
    assert [event.target_id for event in events.results] == [new.token_id]
    assert events.results[0].action is models.ActionEnum.TOKEN_CANCELLED


def test_the_generated_client_reads_errors_as_the_error_envelope(
    generated, live_server, license_key
):
    models = importlib.import_module(f"{PACKAGE}.models")
    api = generated.AuthenticatedClient(base_url=live_server.url, token=license_key)
    stranger = generated.AuthenticatedClient(base_url=live_server.url, token="lic_not-a-key")

    invalid = operation(generated, "tokens", "create_token").sync_detailed(
        client=api, body=models.TokenCreateRequest(name="x", rate_limit=0)
    )
    refused = operation(generated, "models", "list_models").sync_detailed(client=stranger)

    assert invalid.status_code == 400 and isinstance(invalid.parsed, models.Error)
    assert invalid.parsed.code == "limit_out_of_range"
    assert list(invalid.parsed.errors.additional_properties) == ["rate_limit"]
    assert refused.status_code == 401 and refused.parsed.code == "authentication_failed"
