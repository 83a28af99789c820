from django.db import models
from django.db.models.functions import Lower

from console.identifiers import new_public_id
from tokens.models import QuotaPeriod

MODEL_NAME_MAX_LENGTH = 100


def new_model_id() -> str:
    return new_public_id("mdl")


class AIModel(models.Model):
    """An AI model (workload) that a provider deploys and hands tokens out for."""

    model_id = models.CharField(
        "model ID", max_length=32, unique=True, default=new_model_id, editable=False
    )
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.CASCADE, related_name="ai_models"
    )
    name = models.CharField(max_length=MODEL_NAME_MAX_LENGTH)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Limits for the tokens assigned to this model that set none of their own; empty: no limit.
    default_rate_limit = models.PositiveIntegerField(
        "default rate limit", null=True, blank=True, help_text="Queries per minute, per token."
    )
    default_quota = models.PositiveIntegerField(
        "default quota", null=True, blank=True, help_text="Queries per day or month, per token."
    )
    default_quota_period = models.CharField(  # noqa: DJ001 - empty is None, as on tokens
        "default quota period",
        max_length=5,
        choices=QuotaPeriod.choices,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "model"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "provider",
                Lower("name"),
                name="model_name_unique_per_provider",
                violation_error_message="You already have a model with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
