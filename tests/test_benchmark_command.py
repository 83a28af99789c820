import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from console import bulk_load
from console.accounts.models import Provider
from console.audit.filters import EventFilter
from console.audit.models import Action
from console.audit.selectors import events_for
from tests.conftest import TEST_ACTOR
from tokens import search
from tokens.models import Token, TokenStatus
from tokens.secrets import new_secret
from tokens.selectors import tokens_for
from tokens.services import suspend_token


def test_benchmark_loads_tokens_and_prints_figures(db, capsys):
    from console.api.models import LicenseKey

    call_command("benchmark_tokens", tokens=40, small=5, models=3, repeat=1, page_size=10)

    output = capsys.readouterr().out
    assert Token.objects.filter(provider__name="bench").count() == 40
    assert (
        Token.objects.filter(provider__name="bench")
        .exclude(model=None)
        .exclude(model_name="")
        .exists()
    )
    assert "Loaded 40 tokens" in output
    assert output.count("median") > 40
    # The API's first page against its last (4 of 10), in each of the 12 sorts.
    assert output.count(", page 4 (") == 12
    assert "page 4 ÷ page 1 (medians)" in output
    assert not LicenseKey.objects.exists()  # its key, revoked


def test_introspection_benchmark_prints_server_times_and_cleans_up(db, capsys):
    from console.api.models import LicenseKey

    call_command("benchmark_introspection", seconds=0, in_process=3)

    output = capsys.readouterr().out
    assert "introspect, usable token" in output
    assert "bare Django view" in output
    # The bare view, the usable, limited and unknown (well-formed) tokens, /healthz; no HTTP load.
    assert output.count("µs median (HTTP 200)") == 5
    assert "Over HTTP" not in output
    assert not LicenseKey.objects.exists()
    assert not Token.objects.exists()


def test_introspection_benchmark_without_wrk_says_how_to_install_it(db, monkeypatch):
    from tokens.management.commands import benchmark_introspection

    monkeypatch.setattr(benchmark_introspection.shutil, "which", lambda name: None)

    with pytest.raises(CommandError, match="apt-get install wrk"):
        call_command("benchmark_introspection", seconds=1, in_process=0)
    assert not Token.objects.exists()


WRK_REPORT = """\
Running 3s test @ http://127.0.0.1:40123/api/v1/introspect
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms    1.02ms  20.01ms   90.00%
    Req/Sec     1.30k    80.00     1.40k    70.00%
  Latency Distribution
     50%  850.00us
     75%    3.40ms
     90%    4.00ms
     99%    8.00ms
  3894 requests in 3.00s, 1.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   1297.50
Transfer/sec:    410.00KB
"""


def test_wrk_report_is_read_for_rate_median_latency_and_failures():
    from tokens.management.commands.benchmark_introspection import parse_wrk

    measure = parse_wrk(WRK_REPORT)

    assert measure.rate == 1297.5
    assert measure.p50_ms == pytest.approx(0.85)
    assert measure.requests == 3894
    assert (measure.non_2xx, measure.socket_errors) == (7, 3)
    failures = ("Socket errors", "Non-2xx")
    clean = parse_wrk(
        "".join(
            line
            for line in WRK_REPORT.splitlines(keepends=True)
            if not line.strip().startswith(failures)
        )
    )
    assert (clean.non_2xx, clean.socket_errors) == (0, 0)


def _bare_introspect(secret):
    from tokens.benchmark_reference import views

    request = RequestFactory().post(
        "/introspect",
        urlencode({"token": secret}),
        content_type="application/x-www-form-urlencoded",
    )
    response = views.introspect(request)
    assert response.status_code == 200
    return json.loads(response.content)


def test_bare_reference_view_answers_active_only_for_a_usable_token(make_token, sentiment):
    usable, usable_secret = make_token("usable", model=sentiment)
    _, unassigned_secret = make_token("unassigned")
    suspended, suspended_secret = make_token("suspended", model=sentiment)
    suspend_token(actor=TEST_ACTOR, token=suspended)
    expired, expired_secret = make_token("expired", model=sentiment)
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _bare_introspect(usable_secret) == {"active": True, "token_id": usable.token_id}
    for secret in [
        new_secret().value,  # well-formed, stored nowhere
        unassigned_secret,
        suspended_secret,
        expired_secret,
        "uat_malformed",
        "",
    ]:
        assert _bare_introspect(secret) == {"active": False}


def test_bare_reference_view_digests_and_reads_tokens_as_the_console_does():
    from tokens.benchmark_reference import views

    secret = new_secret()
    assert views.digest(secret.value) == secret.digest
    assert Token._meta.db_table == views.TOKEN_TABLE
    fields = ["token_id", "digest", "status", "model", "expires_at"]  # what its SELECT reads
    columns = [Token._meta.get_field(name).column for name in fields]
    assert columns == ["token_id", "digest", "status", "model_id", "expires_at"]
    assert views.ACTIVE == TokenStatus.ACTIVE


def _schema_of(table):
    """The table's indexes and (SQLite) triggers, by name."""
    with connection.cursor() as cursor:
        names = {
            name
            for name, details in connection.introspection.get_constraints(cursor, table).items()
            if details["index"]
        }
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            names |= {name for (name,) in cursor.fetchall()}
    return names


def test_a_large_load_rebuilds_the_indexes_and_the_name_search(db, monkeypatch, capsys):
    before = _schema_of("tokens_token")
    monkeypatch.setattr(bulk_load, "LARGE_LOAD", 10)  # the million-row path, at 40 rows

    call_command("benchmark_tokens", tokens=40, small=5, models=3, repeat=1)

    assert _schema_of("tokens_token") == before
    loaded = tokens_for(Provider.objects.get(name="bench"))
    # On SQLite the text index is an FTS5 table the load fills after the fact: it must find them.
    assert search.name_contains(loaded, "-000001").count() == 10


def test_events_benchmark_loads_events_and_prints_each_section(db, monkeypatch, capsys):
    before = _schema_of("audit_event")
    monkeypatch.setattr(bulk_load, "LARGE_LOAD", 100)  # the million-row path, at 300 rows

    call_command("benchmark_events", events=300, small=20, repeat=1, rounds=1, writes=2)

    output = capsys.readouterr().out
    provider = Provider.objects.get(name="bench-events")
    loaded = events_for(provider)
    assert _schema_of("audit_event") == before
    with_batch = loaded.filter(target_name__icontains="batch")
    assert with_batch.exists()
    assert EventFilter({"target": "batch"}, queryset=loaded).qs.count() == with_batch.count()
    assert loaded.count() >= 300
    assert loaded.filter(event_id__regex=r"^evt_[0-9A-Za-z]{20}$").count() == loaded.count()
    assert loaded.filter(action=Action.TOKEN_ASSIGNED).exclude(related_id="").exists()
    assert " events in " in output
    for section in ["Activity (", "API (", "History (", "CSV export", "Write cost"]:
        assert output.count(section) >= 1, section
    assert "(refused)" in output
    assert "the event adds" in output
