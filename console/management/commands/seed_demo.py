from datetime import UTC, date, datetime, time, timedelta

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
from tokens.models import Token, TokenUsage
from tokens.selectors import USAGE_DAYS, utc_today

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
# Tokens the demo shows in use: queries on a weekday, minutes since the last one, its address.
USAGE = {
    "acme-prod-gateway": (1_200, 2, "198.51.100.7"),
    "radiology-team": (380, 9, "198.51.100.23"),
    "acme-staging": (140, 55, "2001:db8::15"),
}
WEEKDAY_SHARE = (1.0, 1.08, 1.12, 1.05, 0.92, 0.35, 0.28)  # Monday first: quiet weekends
# Used last before it was suspended, so "Not used for 30 days" finds it.
STALE = ("photo-app-beta", 41, "203.0.113.24")


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
        self._usage(provider)
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

    def _usage(self, provider) -> None:
        """30 days of queries for the tokens in use (as tokens.usage would have written them),
        once: what the dashboard, the Tokens List's "Last used" and a token's chart show."""
        if TokenUsage.objects.filter(provider=provider).exists():
            return
        now = timezone.now()
        rows = []
        for name, (per_day, minutes_ago, address) in USAGE.items():
            token = Token.objects.get(provider=provider, name=name)
            rows += [
                TokenUsage(
                    token=token, provider=provider, model_id=token.model_id, day=day, queries=n
                )
                for day, n in _month_of_queries(per_day, now)
            ]
            self._used(token.pk, now - timedelta(minutes=minutes_ago), address)
        TokenUsage.objects.bulk_create(rows)
        name, days_ago, address = STALE
        stale = Token.objects.get(provider=provider, name=name)
        self._used(stale.pk, now - timedelta(days=days_ago), address)

    def _used(self, pk: int, at: datetime, address: str) -> None:
        Token.objects.filter(pk=pk).update(last_used_at=at, last_used_ip=address)


def _month_of_queries(per_day: int, now: datetime) -> list[tuple[date, int]]:
    """A plausible month: quieter weekends, a little wobble, and today only so far."""
    today = utc_today()
    day_so_far = (now - datetime.combine(today, time.min, UTC)) / timedelta(days=1)
    month = []
    for back in range(USAGE_DAYS):
        day = today - timedelta(days=back)
        share = WEEKDAY_SHARE[day.weekday()] * (0.9 + 0.05 * (back * 7 % 5))
        if back == 0:
            share *= max(day_so_far, 0.05)
        month.append((day, max(round(per_day * share), 1)))
    return month
