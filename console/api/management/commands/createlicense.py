from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from console.api.services import create_license_key
from console.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a license key for a provider's JSON API calls. The key is printed once, as the "
        "last line, and is not stored: only its digest is."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", help="A name to recognise the key by (default: when made).")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"There is no provider named “{username}”.") from None
        name = (
            name if name is not None else f"Created by manage.py {timezone.now():%Y-%m-%d %H:%M:%S}"
        )
        try:
            key, secret = create_license_key(owner=owner, name=name)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            f"License key “{key.name}” created for {owner.get_username()}. Copy it now: it is "
            "not stored and cannot be shown again."
        )
        self.stdout.write(secret)
