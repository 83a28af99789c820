"""prune_events: the only way events go, and only past AUDIT_RETENTION_DAYS."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from console.audit.models import Event
from tests.conftest import TEST_ACTOR
from tokens import services


@pytest.fixture
def aged_events(make_token, charlie, globex):
    """Events of two providers, one old and one new for each."""
    make_token("old-acme")
    services.create_token(actor=TEST_ACTOR, provider=globex, name="old-globex")
    moment = timezone.now() - timedelta(days=100)
    old_ids = list(Event.objects.values_list("pk", flat=True))
    # Ageing events is something only a test does (in SQL): events cannot be updated.
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Event._meta.db_table)
        marks = ", ".join(["%s"] * len(old_ids))
        cursor.execute(
            f"UPDATE {table} SET occurred_at = %s WHERE id IN ({marks})", [moment, *old_ids]
        )
    make_token("new-acme")
    services.create_token(actor=TEST_ACTOR, provider=globex, name="new-globex")
    return set(old_ids)


def test_without_a_retention_every_event_is_kept(aged_events, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = None
    before = Event.objects.count()

    call_command("prune_events")

    assert Event.objects.count() == before
    assert "every event is kept" in capsys.readouterr().out


def test_events_older_than_the_retention_go_for_every_provider(aged_events, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 90

    call_command("prune_events", "--batch-size", "2")

    remaining = set(Event.objects.values_list("pk", flat=True))
    assert not remaining & aged_events
    assert set(Event.objects.values_list("target_name", flat=True)) >= {"new-acme", "new-globex"}
    assert f"Deleted {len(aged_events):,} event(s) older than 90 days." in capsys.readouterr().out


def test_events_within_the_retention_stay(aged_events, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    before = Event.objects.count()

    call_command("prune_events")

    assert Event.objects.count() == before


def test_a_bad_batch_size_is_refused(settings):
    from django.core.management.base import CommandError

    settings.AUDIT_RETENTION_DAYS = 30

    with pytest.raises(CommandError, match="--batch-size"):
        call_command("prune_events", "--batch-size", "0")


@pytest.mark.parametrize("value", ["0", "-3", "forever"])
def test_a_retention_that_is_not_a_positive_number_of_days_stops_the_server(value):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "AUDIT_RETENTION_DAYS": value,
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS" in result.stderr


def test_another_provider_cannot_prune_through_any_page(charlie_client, aged_events):
    before = Event.objects.count()

    for url in ["/activity/", "/admin/audit/event/"]:
        charlie_client.post(url, {"action": "delete_selected"})

    assert Event.objects.count() == before


def test_pruned_events_leave_the_name_search_too(aged_events):
    from console.audit.models import TARGET_NAME_FTS_TABLE
    from console.audit.services import prune_events

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 table, kept by triggers (pg_trgm's is an index).")

    prune_events(older_than_days=90)

    with connection.cursor() as cursor:
        # Compares the trigram table with audit_event: fails if a row went without it.
        cursor.execute(
            f"INSERT INTO {TARGET_NAME_FTS_TABLE}({TARGET_NAME_FTS_TABLE}, rank)"
            " VALUES ('integrity-check', 1)"
        )
        cursor.execute(
            f"SELECT count(*) FROM {TARGET_NAME_FTS_TABLE} WHERE target_name LIKE '%-acme%'"
        )
        assert cursor.fetchone()[0] == 1  # new-acme's creation
