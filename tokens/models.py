from datetime import UTC, datetime
from typing import Self

from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from console.identifiers import new_public_id

TOKEN_NAME_MAX_LENGTH = 100


def new_token_id() -> str:
    return new_public_id("tok")


class TokenStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    SUSPENDED = "SUSPENDED", "Suspended"
    CANCELED = "CANCELED", "Cancelled"


class QuotaPeriod(models.TextChoices):
    DAY = "day", "per day"
    MONTH = "month", "per month"


# The largest limit a provider may set: far above any gateway's real traffic, small enough that
# counters never overflow.
MAX_LIMIT = 1_000_000_000


class TokenQuerySet(models.QuerySet["Token"]):
    """
    The token rules that are questions about state, each written once.

    `Token.is_expired`, `is_assigned` and `unusable_because` ask the same questions of one
    token; the FilterSet, the admin's filters, the dashboard and the services ask these.
    """

    def expired(self, now: datetime | None = None) -> Self:
        return self.filter(expires_at__lte=now or timezone.now())

    def unexpired(self, now: datetime | None = None) -> Self:
        return self.filter(expires_at__gt=now or timezone.now())

    def assigned(self) -> Self:
        return self.filter(model__isnull=False)

    def unassigned(self) -> Self:
        return self.filter(model__isnull=True)

    def usable(self, now: datetime | None = None) -> Self:
        """Tokens whose secret authenticates now: active, unexpired and assigned."""
        return self.assigned().unexpired(now).filter(status=TokenStatus.ACTIVE)

    def unused_since(self, since: datetime) -> Self:
        """Tokens not used since `since`, including those never used."""
        # One condition rather than "before or null", which SQLite answers by fetching every
        # match through the index twice and sorting them all, even for a page of 25. This way
        # a list sorted by last use reads the index in order and stops at the page's end.
        never = models.Value(datetime.min.replace(tzinfo=UTC))
        return self.alias(used_or_never=Coalesce("last_used_at", never)).filter(
            used_or_never__lt=since
        )

    def assignable(self) -> Self:
        """Tokens that may be assigned: unassigned and not cancelled."""
        return self.unassigned().exclude(status=TokenStatus.CANCELED)


class Token(models.Model):
    """
    A User Access Token: lets one end user query one model.

    The secret itself is never stored: only its keyed digest (for lookup) and a display hint
    (prefix and last four characters, so a provider can tell tokens apart). Change tokens through
    `tokens.services`, which holds every rule.
    """

    token_id = models.CharField(
        "token ID", max_length=32, unique=True, default=new_token_id, editable=False
    )
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.CASCADE, related_name="tokens"
    )
    model = models.ForeignKey(
        "models_registry.AIModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tokens",
        help_text="Empty means unassigned: the token cannot be used until it is assigned.",
    )
    # The model this token was last assigned to, kept after the assignment is removed, so that
    # assigning it elsewhere can tell the provider a new Evaluation Key is needed.
    last_model = models.ForeignKey(
        "models_registry.AIModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # A copy of the model's name ("" when unassigned), kept by the services, so the Tokens List
    # can sort a million tokens by model through an index instead of a join and a full sort.
    model_name = models.CharField(max_length=100, blank=True, default="", editable=False)
    needs_new_evk = models.BooleanField(
        "needs new EVK",
        default=False,
        editable=False,
        help_text="Reassigned to a different model: a new Evaluation Key must be generated.",
    )
    name = models.CharField(max_length=TOKEN_NAME_MAX_LENGTH)
    note = models.TextField(blank=True, help_text="Only the provider sees this, never end users.")
    status = models.CharField(
        max_length=10, choices=TokenStatus.choices, default=TokenStatus.ACTIVE
    )
    expires_at = models.DateTimeField("expiration")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Limits, each optional: empty takes the model's default (see `AIModel`), else no limit.
    rate_limit = models.PositiveIntegerField(
        "rate limit",
        null=True,
        blank=True,
        help_text="Queries per minute. Empty: the model's default, if it has one.",
    )
    quota = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Queries per day or per month. Empty: the model's default, if it has one.",
    )
    # Set with the quota, empty without one (a column that adds without rebuilding the table).
    quota_period = models.CharField(  # noqa: DJ001 - empty is None: no rebuild of a big table
        "quota period", max_length=5, choices=QuotaPeriod.choices, null=True, blank=True
    )

    # Usage, written by tokens.usage at most once a minute per token, never on every check.
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(
        "last address", null=True, blank=True, editable=False
    )

    objects = TokenQuerySet.as_manager()
    # Loaded with the token by the gateway's hand-written lookup (tokens.services), not a column.
    model_public_id: str

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "provider",
                Lower("name"),
                name="token_name_unique_per_provider",
                violation_error_message="You already have a token with this name.",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="token_provider_created_idx"),
            # A model's tokens (the Token Management tab), or the unassigned ones (the type-ahead),
            # newest first, without a sort.
            models.Index(
                fields=["provider", "model", "-created_at"], name="token_provider_model_idx"
            ),
            # The Tokens List's sorts (name has per-database indexes, see migration 0007).
            models.Index(fields=["provider", "expires_at"], name="token_provider_expires_idx"),
            models.Index(
                fields=["provider", "status", "-created_at"], name="token_provider_status_idx"
            ),
            models.Index(
                fields=["provider", "model_name", "-created_at"],
                name="token_provider_mname_idx",
            ),
            # "Last used": its sorts (ties newest first, as above), "not used for 30 days" and
            # "never used". On PostgreSQL migration 0009 builds it with NULLS FIRST, so that
            # never-used tokens come first ascending and last descending, as on SQLite.
            models.Index(
                fields=["provider", "last_used_at", "-created_at"],
                name="token_provider_last_used_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_assigned(self) -> bool:
        return self.model_id is not None

    def unusable_because(self) -> str | None:
        """Why this token's secret does not authenticate now (see `TokenQuerySet.usable`)."""
        if self.status != TokenStatus.ACTIVE:
            return self.status.lower()  # "canceled" or "suspended"
        if self.is_expired:
            return "expired"
        if not self.is_assigned:
            return "unassigned"
        return None

    @property
    def display_status(self) -> str:
        """What a provider reads in a badge: 'Expired' outranks whatever status is stored."""
        if self.is_expired:
            return "Expired"
        return self.get_status_display()


class TokenUsage(models.Model):
    """
    How many queries one token answered on one day (UTC), written by `tokens.usage` from the
    counts gathered in the cache: one row per token and day, at most one write a minute.
    """

    token = models.ForeignKey(Token, on_delete=models.CASCADE, related_name="usage")
    # Copies for the provider's and the model's totals, read through their own indexes.
    provider = models.ForeignKey("accounts.Provider", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(
        "models_registry.AIModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The model the token was assigned to when it was used.",
    )
    day = models.DateField()
    queries = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "token usage"
        verbose_name_plural = "token usage"
        constraints = [
            models.UniqueConstraint(fields=["token", "day"], name="token_usage_one_row_a_day"),
        ]
        indexes = [
            # With the count in the index: a day's most used tokens are its first entries, and
            # the provider's and a model's totals are read from the index alone.
            models.Index(
                fields=["provider", "day", "-queries"], name="token_usage_provider_top_idx"
            ),
            models.Index(fields=["model", "day", "queries"], name="token_usage_model_sum_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.queries}"
