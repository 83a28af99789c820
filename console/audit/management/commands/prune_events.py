from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from console.audit.services import prune_events


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS (the only way events go). Does "
        "nothing when the setting is unset: events are then kept forever. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=10_000,
            help="Events deleted per transaction (default 10,000), so writers never wait long.",
        )

    def handle(self, *args, batch_size, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days is None:
            self.stdout.write("AUDIT_RETENTION_DAYS is not set: every event is kept.")
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        deleted = prune_events(older_than_days=days, batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {deleted:,} event(s) older than {days} days.")
        )
