import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from console.accounts.models import Provider, Role
from console.accounts.services import add_member, create_user, create_user_and_provider
from console.audit.actors import Actor
from console.errors import DomainError

PASSWORD_VARIABLE = "DJANGO_PROVIDER_PASSWORD"  # noqa: S105 - a variable name


class Command(BaseCommand):
    help = (
        "Create a person who signs in to the console, with a provider of the same name that "
        "they own; or, with --provider, add them to an existing provider with --role. With "
        f"--noinput the password comes from the {PASSWORD_VARIABLE} environment variable; "
        "otherwise it is asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--provider", help="Add the new person to this existing provider.")
        parser.add_argument(
            "--role",
            choices=[role.lower() for role in Role.values],
            default="member",
            help="Their role in --provider (default: member).",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; read the password from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, email, interactive, provider, role, **options):
        existing = None
        if provider is not None:
            existing = Provider.objects.filter(name__iexact=provider.strip()).first()
            if existing is None:
                raise CommandError(f"There is no provider named “{provider}”.")
        password = self._password(interactive)
        actor = Actor.system("createprovider")
        try:
            with transaction.atomic():
                if existing is None:
                    create_user_and_provider(
                        actor=actor, username=username, password=password, email=email
                    )
                else:
                    user = create_user(
                        actor=actor, username=username, password=password, email=email
                    )
                    add_member(actor=actor, provider=existing, user=user, role=role.upper())
        except DomainError as error:
            raise CommandError(error.message) from None
        if existing is None:
            message = f"Provider “{username}” created, with {username} as its Owner."
        else:
            message = f"{username} added to “{existing.name}” as {Role(role.upper()).label}."
        self.stdout.write(self.style.SUCCESS(message))

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
