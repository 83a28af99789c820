import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from console.accounts.services import create_provider
from console.errors import DomainError

PASSWORD_VARIABLE = "DJANGO_PROVIDER_PASSWORD"  # noqa: S105 - a variable name


class Command(BaseCommand):
    help = (
        "Create a provider account. With --noinput the password comes from the "
        f"{PASSWORD_VARIABLE} environment variable; otherwise it is asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; read the password from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, email, interactive, **options):
        password = self._password(interactive)
        try:
            create_provider(username=username, password=password, email=email)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Provider “{username}” created."))

    def _password(self, interactive: bool) -> str:
        if not interactive:
            # A one-off input to this command, as createsuperuser reads DJANGO_SUPERUSER_PASSWORD:
            # not a setting, so it is read here and not kept in settings for the process's life.
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(
                    f"Set {PASSWORD_VARIABLE} to the new provider's password when using --noinput."
                )
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords did not match.")
        return password
