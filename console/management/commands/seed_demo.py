from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from console.accounts.models import Membership, Provider, Role
from console.accounts.services import add_member, create_provider, create_user
from console.audit.actors import Actor
from models_registry.models import AIModel
from models_registry.services import create_model
from tokens import services as token_services
from tokens.models import Token

DEMO_USERNAME = "demo"
DEMO_PROVIDER = "Demo AI"
# The demo provider's team: its Owner (demo) and, with the same password, a Member and a Viewer.
TEAM = {"demo-member": Role.MEMBER, "demo-viewer": Role.VIEWER}
DEMO_PASSWORD = "quiet-harbor-4271"  # noqa: S105 - a published demo login, for local use only
STAFF_USERNAME = "staff"
ACTOR = Actor.system("seed_demo")

MODELS = {
    "Sentiment Analysis": "Classifies the sentiment of encrypted product reviews.",
    "Image Sharpening": "Sharpens images without ever seeing them in the clear.",
    "Digit Recognition": "Reads handwritten digits (MNIST-style) under encryption.",
    "Health Analysis": "Scores encrypted health records for risk factors.",
}

# name, model, status action, days until expiry (negative: already expired), note
TOKENS = [
    ("acme-prod-gateway", "Sentiment Analysis", None, 30, "ACME's production query gateway."),
    ("acme-staging", "Sentiment Analysis", None, 3, "Renew before the staging demo."),
    ("radiology-team", "Health Analysis", None, 60, ""),
    ("photo-app-beta", "Image Sharpening", "suspend", 20, "Suspended while billing is sorted."),
    ("old-mobile-client", "Digit Recognition", "cancel", 10, "Replaced by mobile-client-v2."),
    ("summer-intern", "Digit Recognition", None, -2, ""),
    ("partner-trial", None, None, 30, "Unassigned: for the partner pilot."),
    ("research-batch", None, None, 14, ""),
]


class Command(BaseCommand):
    help = (
        "Create (once) a demo provider with models and tokens in every state, and print its login."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo runs only with DEBUG on: its logins' password is published in the "
                "README, so anyone could log in to a production console it had seeded."
            )
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        User = get_user_model()
        provider = Provider.objects.filter(name=DEMO_PROVIDER).first()
        if provider is None:
            owner = User.objects.filter(username=DEMO_USERNAME).first() or create_user(
                actor=ACTOR, username=DEMO_USERNAME, password=DEMO_PASSWORD
            )
            provider = create_provider(actor=ACTOR, name=DEMO_PROVIDER, owner=owner)
        for username, role in TEAM.items():
            person = User.objects.filter(username=username).first() or create_user(
                actor=ACTOR, username=username, password=DEMO_PASSWORD
            )
            if not Membership.objects.filter(provider=provider, user=person).exists():
                add_member(actor=ACTOR, provider=provider, user=person, role=role)
        if not User.objects.filter(username=STAFF_USERNAME).exists():
            User.objects.create_superuser(STAFF_USERNAME, "", DEMO_PASSWORD)
        models = {name: self._model(provider, name, text) for name, text in MODELS.items()}
        for name, model_name, action, days, note in TOKENS:
            self._token(
                provider, name, models[model_name] if model_name else None, action, days, note
            )
        self._reassigned_token(provider, models)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as “{DEMO_USERNAME}” (Owner of {DEMO_PROVIDER}) with "
                f"password “{DEMO_PASSWORD}”; “demo-member” and “demo-viewer” show the other "
                f"roles, and “{STAFF_USERNAME}” opens the admin (same password)."
            )
        )

    def _model(self, provider, name, description) -> AIModel:
        existing = AIModel.objects.filter(provider=provider, name=name).first()
        return existing or create_model(
            actor=ACTOR, provider=provider, name=name, description=description
        )

    def _token(self, provider, name, model, action, days, note) -> Token | None:
        if Token.objects.filter(provider=provider, name=name).exists():
            return None
        expires_at = timezone.now() + timedelta(days=max(days, 1))
        token, _secret = token_services.create_token(
            actor=ACTOR, provider=provider, name=name, model=model, note=note, expires_at=expires_at
        )
        if action == "suspend":
            token_services.suspend_token(actor=ACTOR, token=token)
        elif action == "cancel":
            token_services.cancel_token(actor=ACTOR, token=token)
        if days < 0:
            # Only time can expire a token; the demo backdates one so the state can be seen.
            Token.objects.filter(pk=token.pk).update(
                expires_at=timezone.now() + timedelta(days=days)
            )
        return token

    def _reassigned_token(self, provider, models) -> None:
        """A token moved from one model to another, which therefore needs a new EVK."""
        token = self._token(
            provider, "migrated-client", models["Sentiment Analysis"], None, 30, "Moved models."
        )
        if token is not None:
            token_services.unassign_token(actor=ACTOR, token=token)
            token_services.assign_token(actor=ACTOR, token=token, model=models["Image Sharpening"])
