"""Signing in and failing to, as the account's events (for staff), whichever view signs in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from console.audit.actors import Actor, actor_for
from console.audit.models import Action, ActorKind, Source
from console.audit.services import record
from console.request_log import client_ip
from console.security.sudo import mark_reauthenticated


@receiver(user_logged_in, dispatch_uid="console.security.signed_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    actor = Actor(
        kind=ActorKind.USER,
        source=Source.CONSOLE,
        ref=f"user:{user.pk}",
        name=user.get_username(),
        ip=client_ip(request),
        request_id=getattr(request, "request_id", ""),
    )
    with transaction.atomic():
        record(actor, Action.ACCOUNT_SIGNED_IN, provider=None, target=user)
    # Signing in is entering the password (and a code): it counts as confirming it's you.
    mark_reauthenticated(request)


@receiver(user_login_failed, dispatch_uid="console.security.sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """A failed sign-in to an account that exists (unknown usernames are only counted)."""
    username = (credentials or {}).get("username")
    if request is None or not username:
        return
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return
    with transaction.atomic():
        record(actor_for(request), Action.ACCOUNT_SIGN_IN_FAILED, provider=None, target=user)
