from django.core.management import call_command
from django.db import connection

from console import bulk_load
from console.accounts.models import Provider
from console.audit.filters import EventFilter
from console.audit.models import Action
from console.audit.selectors import events_for
from tokens import search
from tokens.models import Token
from tokens.selectors import tokens_for


def test_benchmark_loads_tokens_and_prints_figures(db, capsys):
    call_command("benchmark_tokens", tokens=40, small=5, models=3, repeat=1)

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


def test_introspection_benchmark_prints_server_times_and_cleans_up(db, capsys):
    from console.api.models import LicenseKey

    call_command("benchmark_introspection", seconds=0, in_process=3)

    output = capsys.readouterr().out
    assert "introspect, usable token" in output
    assert output.count("µs median (HTTP 200)") == 3
    assert not LicenseKey.objects.exists()
    assert not Token.objects.exists()


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
