"""
One log line per request: an id (also in the X-Request-ID header and API error bodies), who
called, method, path without the query string, status and duration; never a database query.
"""

import json
import logging
import sys

import pytest

from console.log_formats import JsonFormatter, key_value_text
from tests.test_settings import PRODUCTION, manage

LOGGER = "console.requests"


@pytest.fixture
def request_log(caplog):
    """The request log's records, as a function returning those captured so far."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda: [record for record in caplog.records if record.name == LOGGER]


def only_line(request_log) -> dict:
    records = request_log()
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    return records[0].log_fields


def test_a_page_logs_one_line_naming_the_provider_and_never_the_query_string(
    alice_client, alice, request_log, acme
):
    response = alice_client.get("/tokens/", {"q": "private-search"})

    line = only_line(request_log)
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["provider"], line["actor"]) == (acme.provider_id, f"user:{alice.pk}")
    assert (line["method"], line["path"], line["status"]) == ("GET", "/tokens/", 200)
    assert 0 <= line["duration_ms"] < 60_000
    assert "private-search" not in request_log()[0].getMessage()


def test_an_api_call_names_the_license_keys_provider_and_key(api, alice, request_log, acme):
    from console.api.models import LicenseKey

    api.get("/api/v1/models")

    line = only_line(request_log)
    key = LicenseKey.objects.get(provider=acme)
    assert (line["provider"], line["actor"]) == (acme.provider_id, f"key:{key.key_id}")


def test_an_end_users_call_names_the_token(client, make_token, sentiment, request_log):
    token, secret = make_token(model=sentiment)

    client.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"})

    line = only_line(request_log)
    assert (line["provider"], line["actor"]) == (None, f"token:{token.token_id}")


def test_the_final_status_is_logged_even_when_a_middleware_answers(client, request_log):
    client.get("/tokens/")  # LoginRequiredMiddleware redirects to the login page

    line = only_line(request_log)
    assert (line["status"], line["provider"], line["actor"]) == (302, None, None)


def test_logging_healthz_does_not_load_the_session_user(
    alice_client, request_log, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = alice_client.get("/healthz")

    assert response.status_code == 200
    line = only_line(request_log)
    assert (line["provider"], line["actor"]) == (None, None)


def test_api_errors_carry_the_request_id_of_the_header_and_the_log(client, request_log):
    response = client.get("/api/v1/models")

    assert response.status_code == 401
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert only_line(request_log)["request_id"] == response["X-Request-ID"]


def test_a_clients_request_id_is_ignored_unless_a_trusted_proxy_sets_it(client, settings):
    settings.TRUST_PROXY_HEADERS = False

    response = client.get("/healthz", headers={"X-Request-ID": "from-the-client"})

    assert response["X-Request-ID"] != "from-the-client"
    assert len(response["X-Request-ID"]) == 32


def test_a_trusted_proxys_request_id_is_kept(client, settings, request_log):
    settings.TRUST_PROXY_HEADERS = True
    incoming = "lb.eu_1:1-67891233-abcdef012345678912345678"

    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] == incoming
    assert only_line(request_log)["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "with space", "line\nbreak", 'quote"d', "x" * 201, "ünïcode", "a=b"]
)
def test_an_odd_request_id_is_replaced_even_from_a_trusted_proxy(client, settings, incoming):
    settings.TRUST_PROXY_HEADERS = True

    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_the_text_line_is_key_value_and_one_line_whatever_the_path(client, request_log):
    client.get("/no%20such%0Apage%3D1")

    message = request_log()[0].getMessage()
    assert "\n" not in message
    assert message.startswith("request_id=")
    assert " provider=- actor=- method=GET path=/no%20such%0Apage%3D1 status=404 " in message
    assert message.endswith(f"duration_ms={request_log()[0].log_fields['duration_ms']}")


def test_text_values_that_could_be_misread_are_quoted():
    fields = {"missing": None, "empty": "", "spaced": "a b", "equals": "a=b", "number": 3}

    assert key_value_text(fields) == 'missing=- empty=- spaced="a b" equals="a=b" number=3'


def test_the_json_format_writes_one_object_with_the_fields(client, request_log):
    response = client.get("/healthz")

    line = json.loads(JsonFormatter().format(request_log()[0]))
    assert line["logger"] == LOGGER and line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert {"time", "provider", "actor", "duration_ms"} <= set(line)


def test_the_json_format_writes_other_records_message_and_exception():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("twice",), None)
        record.exc_info = sys.exc_info()

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "failed twice"
    assert "ValueError: broken" in line["exception"]


def test_log_format_json_selects_the_json_formatter():
    code = "import logging; print(type(logging.getLogger().handlers[0].formatter).__name__)"

    json_format = manage("shell", "-c", code, **PRODUCTION, LOG_FORMAT="json")
    default = manage("shell", "-c", code, **PRODUCTION)
    typo = manage("check", LOG_FORMAT="yaml")

    assert json_format.stdout.split()[-1] == "JsonFormatter"
    assert default.stdout.split()[-1] == "Formatter"
    assert "LOG_FORMAT must be text or json" in typo.stderr


def test_with_the_request_log_off_the_request_id_is_still_returned(client, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)

    response = client.get("/healthz")

    assert len(response["X-Request-ID"]) == 32
    assert not [record for record in caplog.records if record.name == LOGGER]
