"""
Schemathesis against the live server, as its CLI runs against any API: every phase (the schema's
examples, the coverage phase's boundaries, wrong methods and missing credentials, fuzzing, and
the stateful phase that follows the schema's links from a creation to what can be done with it)
and every check the schema can express, less the one named below. Any disagreement between
schema and server fails the test, with schemathesis' report and a curl command to reproduce it.
"""

import json
import os
import subprocess
import sys

import pytest

from console.api.services import create_license_key
from tests.conftest import TEST_ACTOR

# The checks the schema cannot make hold, and why:
EXCLUDED_CHECKS = {
    # "Valid data is accepted": our rules go beyond what a schema can say, and such values are
    # rightly refused. `model_id` must be one of *your* models; an expiration inside your
    # provider's allowed lifetime; a name without control or invisible characters, not taken;
    # `until` on or after `since`; a `cursor` this server signed; an `If-Match` that is the
    # object's current ETag (else 412); an `Idempotency-Key` not used with another request
    # (else 422).
    "positive_data_acceptance",
}
# Per operation, for the examples and fuzzing phases (the coverage phase sends every boundary
# the schema has, whatever this says), and scenarios for the stateful phase: about 40 s in all.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
SCENARIOS = int(os.environ.get("SCHEMATHESIS_SCENARIOS", "30"))

CONFIG = """
[generation]
database = "none"
deterministic = true
max-examples = {examples}

[phases.stateful.generation]
max-examples = {scenarios}

[checks.negative_data_rejection]
# Schemathesis' own list, with 412 and 413: a failed If-Match, and a body too large for a check,
# refuse a request as surely as a 400 does.
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422",
                     "428", "429"]

[auth.openapi.licenseKey]
bearer = "{license_key}"

[auth.openapi.userAccessToken]
bearer = "{user_access_token}"
"""


@pytest.fixture
def run_config(live_server, alice, acme, sentiment, make_token, settings, tmp_path):
    """Schemathesis' configuration: a license key and an end user's token to call with."""
    # Schemathesis sends bad credentials on purpose, many times, from one address: past the
    # limit those are rightly 429 (test_api_bad_key_throttling), where its checks expect 401.
    settings.API_BAD_KEY_LIMIT = 1_000_000
    license_key = create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="schemathesis"
    )[1]
    _, user_access_token = make_token("end-user", model=sentiment)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.format(
            examples=EXAMPLES,
            scenarios=SCENARIOS,
            license_key=license_key,
            user_access_token=user_access_token,
        )
    )
    return config


def links_followed(events_file) -> set[str]:
    """The schema's own links (not those schemathesis inferred) the stateful phase followed."""
    followed = set()

    def collect(node):
        if isinstance(node, dict):
            transition = node.get("transition")
            applied = isinstance(transition, dict) and node.get("is_transition_applied")
            if applied and not transition["is_inferred"]:
                followed.add(transition["id"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for line in events_file.read_text().splitlines():
        event = json.loads(line)
        if "ScenarioFinished" in event:
            collect(event)
    return followed


def run_schemathesis(url: str, config, folder, *, phases: str, events) -> str:
    """Run schemathesis' CLI on the schema at `url`; its report when it finds anything."""
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    run = subprocess.run(
        [
            *(schemathesis, "--config-file", str(config), "--no-color", "run", url),
            *("--checks", "all", "--exclude-checks", ",".join(sorted(EXCLUDED_CHECKS))),
            *("--phases", phases),
            # One request at a time: the live server's in-memory SQLite has one connection.
            *("--workers", "1", "--request-timeout", "10"),
            *("--report", "ndjson", "--report-ndjson-path", str(events)),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return "" if run.returncode == 0 else run.stdout[-20_000:] + run.stderr[-5_000:]


def test_schemathesis_finds_no_disagreement_between_schema_and_server(
    live_server, run_config, tmp_path
):
    events = tmp_path / "events.ndjson"

    found = run_schemathesis(
        f"{live_server.url}/api/v1/schema",
        run_config,
        tmp_path,
        phases="examples,coverage,fuzzing,stateful",
        events=events,
    )

    assert found == "", found
    # The stateful phase follows the links from a new token to what can be done with it. A new
    # model is rarer within this budget (the names it generates repeat, and a taken name is
    # 409); test_generated_client walks both, create to delete, every time.
    followed = links_followed(events)
    assert any(link.startswith("POST /api/v1/tokens -> [201]") for link in followed), followed
