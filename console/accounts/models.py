"""
Providers are teams: a provider (an organization) owns models, tokens and license keys, and
people belong to it through a membership with one role.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from console.identifiers import new_public_id

PROVIDER_NAME_MAX_LENGTH = 100


def new_provider_id() -> str:
    return new_public_id("prv")


def new_invitation_id() -> str:
    return new_public_id("inv")


class Role(models.TextChoices):
    """What a member may do, each role including those below it."""

    OWNER = "OWNER", "Owner"
    MEMBER = "MEMBER", "Member"
    VIEWER = "VIEWER", "Viewer"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 0, Role.MEMBER: 1, Role.OWNER: 2}[self]

    def allows(self, needed: "Role") -> bool:
        """True when this role may do what `needed` may."""
        return self.rank >= Role(needed).rank


class Provider(models.Model):
    """An AI provider: a company whose people manage its models, tokens and license keys."""

    provider_id = models.CharField(
        "provider ID", max_length=32, unique=True, default=new_provider_id, editable=False
    )
    name = models.CharField(max_length=PROVIDER_NAME_MAX_LENGTH)
    # None: the server's TOKEN_DEFAULT_LIFETIME_DAYS / TOKEN_MAX_LIFETIME_DAYS.
    default_token_lifetime_days = models.PositiveIntegerField(null=True, blank=True)
    max_token_lifetime_days = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Staff deactivate a provider (unpaid, abusive...): its tokens stop authenticating, its
    # license keys stop working and its members no longer see it, until it is reactivated.
    is_active = models.BooleanField("active", default=True)
    # An Owner's rule: members without two-factor sign-in set it up before they see the provider.
    require_two_factor = models.BooleanField("require two-factor sign-in", default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="provider_name_unique",
                violation_error_message="A provider with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def token_default_days(self) -> int:
        return self.default_token_lifetime_days or settings.TOKEN_DEFAULT_LIFETIME_DAYS

    @property
    def token_max_days(self) -> int:
        return self.max_token_lifetime_days or settings.TOKEN_MAX_LIFETIME_DAYS


class Membership(models.Model):
    """A person's place in a provider: one role, from the day they joined."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "user"], name="membership_unique_per_provider_and_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.provider} ({self.get_role_display()})"

    def allows(self, needed: Role) -> bool:
        return Role(self.role).allows(needed)


class Invitation(models.Model):
    """
    An Owner's invitation to join a provider with a role, sent as a signed, single-use link.

    The link carries `invitation_id` signed with the server's key and a timestamp; this row
    says whether it is still open (not accepted, declined or revoked) and until when.
    """

    invitation_id = models.CharField(
        "invitation ID", max_length=32, unique=True, default=new_invitation_id, editable=False
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="invitation_provider_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.provider}"

    @property
    def is_open(self) -> bool:
        return not (self.accepted_at or self.declined_at or self.revoked_at)
