"""
Who acts: every write service takes an `actor`, and every event records it.

An actor is a person signed in to the console, a license key on the JSON API, staff in Django
admin, or the system (a management command); with the source, the client's address and the
request's id where there is a request. `actor_for(request)` tells which from the request itself,
so pages, the API and the admin name their actor the same way.
"""

from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.http import HttpRequest

from console.api.models import LicenseKey
from console.audit.models import ActorKind, Source
from console.request_log import client_ip

ANONYMOUS_NAME = "Someone with the link"


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who makes a change, from where. Services write it into the change's event."""

    kind: ActorKind
    source: Source
    ref: str  # "user:<id>", "key:<key id>" (as in the request log), "system", "anonymous"
    name: str  # a snapshot: the record outlives a removed member or a revoked key
    ip: str | None = None
    request_id: str = ""

    @classmethod
    def system(cls, command: str) -> "Actor":
        """A management command (`createprovider`, `seed_demo`...), run by whoever runs it."""
        return cls(kind=ActorKind.SYSTEM, source=Source.COMMAND, ref="system", name=command)

    def as_user(self, user: User) -> "Actor":
        """The same request acting as `user` from now on: someone who just made their account."""
        return replace(self, kind=ActorKind.USER, ref=f"user:{user.pk}", name=user.get_username())


def _is_admin(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.app_name == "admin"


def actor_for(request: HttpRequest) -> Actor:
    """
    The actor of a request: the license key of a JSON API call, staff in Django admin, the
    person signed in to the console, or, for the invitation link, someone not signed in.
    """
    key = getattr(request, "auth", None)  # REST framework's authenticated credentials
    user = request.user
    if isinstance(key, LicenseKey):
        kind, source, ref, name = ActorKind.LICENSE_KEY, Source.API, f"key:{key.key_id}", key.name
    elif not user.is_authenticated:
        kind, source, ref, name = ActorKind.ANONYMOUS, Source.CONSOLE, "anonymous", ANONYMOUS_NAME
    else:
        kind, source = (
            (ActorKind.STAFF, Source.ADMIN)
            if _is_admin(request)
            else (ActorKind.USER, Source.CONSOLE)
        )
        ref, name = f"user:{user.pk}", user.get_username()
    return Actor(
        kind=kind,
        source=source,
        ref=ref,
        name=name,
        ip=client_ip(request),
        request_id=getattr(request, "request_id", ""),
    )
