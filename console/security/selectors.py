"""What the Security page shows of one person: their sign-ins, failures and password changes."""

from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.db.models import QuerySet

from console.accounts.models import Provider
from console.audit.models import Action, Event

RECENT = 10


def recent_sign_ins(user: User) -> QuerySet:
    """The person's latest sign-ins (when, address, browser), newest first."""
    return AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[:RECENT]


def recent_failed_sign_ins(user: User) -> QuerySet:
    """The latest failed sign-ins with the person's username, newest first."""
    return AccessFailureLog.objects.filter(username=user.get_username()).order_by("-attempt_time")[
        :RECENT
    ]


def wrong_codes(user: User) -> QuerySet[Event]:
    """Wrong two-factor codes after the right password: someone else may know it."""
    return Event.objects.filter(
        target_id=f"user:{user.pk}",
        action=Action.ACCOUNT_SIGN_IN_FAILED,
        changes__has_key="second_factor",
    ).newest_first()[:RECENT]


def password_changes(user: User) -> QuerySet[Event]:
    return Event.objects.filter(
        target_id=f"user:{user.pk}", action=Action.ACCOUNT_PASSWORD_CHANGED
    ).newest_first()[:RECENT]


def providers_requiring_two_factor(user: User) -> list[str]:
    """Names of the person's providers whose Owners require two-factor sign-in."""
    return list(
        Provider.objects.filter(
            memberships__user=user, require_two_factor=True, is_active=True
        ).values_list("name", flat=True)
    )
