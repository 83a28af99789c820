from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from console.accounts.models import Membership
from console.api.models import KeyScope
from console.api.services import create_license_key
from console.audit.actors import Actor
from console.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a license key for a provider's JSON API calls. The key is printed once, as the "
        "last line, and is not stored: only its digest is."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Who creates it: the key acts with their role.")
        parser.add_argument(
            "--provider", help="Which of their providers (needed when they are in several)."
        )
        parser.add_argument("--name", help="A name to recognise the key by (default: when made).")
        parser.add_argument(
            "--scope",
            choices=KeyScope.values,
            default=KeyScope.MANAGEMENT,
            help="gateway: introspection only, for a query gateway; management (the default): "
            "everything the creator's role allows.",
        )

    def handle(self, *args, username, name, provider, scope, **options):
        User = get_user_model()
        try:
            creator = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user named “{username}”.") from None
        memberships = Membership.objects.filter(user=creator).select_related("provider")
        if provider is not None:
            memberships = memberships.filter(provider__name__iexact=provider.strip())
        found = list(memberships[:2])
        if not found:
            raise CommandError(f"{username} is not a member of {provider or 'any provider'}.")
        if len(found) > 1:
            raise CommandError(f"{username} is in several providers: name one with --provider.")
        name = (
            name if name is not None else f"Created by manage.py {timezone.now():%Y-%m-%d %H:%M:%S}"
        )
        try:
            key, secret = create_license_key(
                actor=Actor.system("createlicense"),
                provider=found[0].provider,
                created_by=creator,
                name=name,
                scope=scope,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            f"{key.get_scope_display()} license key “{key.name}” created for {key.provider.name} "
            f"by {username}. Copy it now: it is not stored and cannot be shown again."
        )
        self.stdout.write(secret)
