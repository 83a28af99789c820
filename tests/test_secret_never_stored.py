"""The plaintext secret exists once, in the creator's hands: never in the database or logs."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.views.debug import ExceptionReporter

from tokens import secrets, services
from tokens.models import Token


def every_stored_value() -> str:
    """Every value of every row of every table, as one string."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


def test_secret_is_in_no_table_and_no_sql_statement(alice, sentiment, caplog):
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        token, secret = services.create_token(owner=alice, name="gateway", model=sentiment)
        services.authenticate(secret)

    assert secret not in every_stored_value()
    assert token.digest in every_stored_value()
    assert all(secret not in str(query) for query in queries.captured_queries)
    assert secret not in caplog.text


def test_the_stored_digest_is_not_the_plain_sha256_of_the_secret(alice):
    import hashlib

    token, secret = services.create_token(owner=alice, name="gateway")

    assert token.digest == secrets.digest(secret)
    assert token.digest != hashlib.sha256(secret.encode()).hexdigest()


def test_exception_reports_do_not_contain_the_secret(alice, monkeypatch):
    made = []
    real_new_secret = secrets.new_secret

    def recording_new_secret():
        made.append(real_new_secret())
        return made[-1]

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(secrets, "new_secret", recording_new_secret)
    monkeypatch.setattr(Token, "save", failing_save)

    with pytest.raises(RuntimeError) as excinfo:
        services.create_token(owner=alice, name="gateway")
    report = ExceptionReporter(None, excinfo.type, excinfo.value, excinfo.tb).get_traceback_text()

    assert made
    assert "create_token" in report
    assert made[0].value not in report
