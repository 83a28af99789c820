from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from console.identifiers import new_public_id

LICENSE_KEY_NAME_MAX_LENGTH = 100


class KeyScope(models.TextChoices):
    MANAGEMENT = "management", "Management"
    GATEWAY = "gateway", "Gateway"


def new_license_key_id() -> str:
    return new_public_id("lic")


class LicenseKey(models.Model):
    """
    A provider's key to the JSON API (`Authorization: Bearer lic_…`), for scripts and gateways.

    Like a token, only its keyed digest and a display hint are stored; the key itself is shown
    once. Change keys through `console.api.services`.
    """

    key_id = models.CharField(
        "key ID", max_length=32, unique=True, default=new_license_key_id, editable=False
    )
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.CASCADE, related_name="license_keys"
    )
    # A key acts with its creator's role in the provider, and stops working when they leave.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="license_keys_created",
    )
    name = models.CharField(max_length=LICENSE_KEY_NAME_MAX_LENGTH)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False)
    # Gateway keys only introspect tokens: a gateway's key, if it leaks, changes nothing.
    scope = models.CharField(
        max_length=10,
        choices=KeyScope.choices,
        db_default=KeyScope.MANAGEMENT,
        help_text="Gateway: introspection only. Management: everything its creator's role allows.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Loaded with the key by its hand-written lookup (console.api.services), not columns.
    creator_role: str  # the creator's role in the key's provider
    creator_username: str

    # Written at most once a minute per key (see console.api.services), never on every request.
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)

    class Meta:
        # Made by the `console` app before the API had an app of its own: the table kept its name.
        db_table = "console_licensekey"
        verbose_name = "license key"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "provider",
                Lower("name"),
                name="license_key_name_unique_per_provider",
                violation_error_message="You already have a license key with this name.",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="license_provider_created_idx")
        ]

    def __str__(self) -> str:
        return self.name


class IdempotentRequest(models.Model):
    """
    A POST sent with an `Idempotency-Key`, and its answer once it has one (console.api.idempotency):
    kept 24 hours per license key, so that a retry gets the first answer again. Never a secret.
    """

    license_key = models.ForeignKey(LicenseKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    created_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True)  # empty while the first one runs
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint("license_key", "key", name="idempotency_key_unique_per_key")
        ]
        indexes = [models.Index(fields=["license_key", "created_at"], name="idempotency_age_idx")]

    def __str__(self) -> str:
        return self.key
