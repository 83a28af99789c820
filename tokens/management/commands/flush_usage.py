"""
Write tokens' usage gathered in the cache to the database now (tokens.usage).

Checks write each finished minute themselves, the first check of the next minute but one; run
this every minute from cron so that a server that goes quiet still writes its last minutes:

    * * * * * cd /srv/console && .venv/bin/python manage.py flush_usage

It only sees the shared cache (Redis, REDIS_URL): with each process's own memory, only that
process can write its counts.
"""

from django.core.management.base import BaseCommand

from tokens import usage


class Command(BaseCommand):
    help = "Write tokens' usage counts gathered in the cache to the database."

    def handle(self, *args, **options):
        written = usage.write_finished_minutes(usage.clock())
        self.stdout.write(
            f"Wrote the usage of {written} token-minute{'s' if written != 1 else ''}."
        )
