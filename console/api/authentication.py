"""
Who is calling the JSON API: a provider's license key (`Authorization: Bearer lic_…`).

Kept apart from the API's other modules because REST framework imports the authentication
classes named in settings while it is itself being imported.
"""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from console.accounts.models import Provider
from console.api.models import LicenseKey
from console.api.services import authenticate_license_key
from console.api.throttling import count_key_request, seconds_locked_after_bad_key, throttled


def bearer_credentials(request) -> str | None:
    """The credentials of an `Authorization: Bearer …` header; None when there is no header."""
    header = get_authorization_header(request).split()
    if not header:
        return None
    if header[0].lower() != b"bearer" or len(header) != 2:
        raise exceptions.AuthenticationFailed(
            "Send the key as `Authorization: Bearer <key>`, with nothing else in the header."
        )
    try:
        return header[1].decode("ascii")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed("The key contains characters no key has.") from None


def refused_key(request, presented: str) -> exceptions.APIException:
    """
    What a bad license key is answered: 401, or 429 once its address has sent too many (the
    API's authentication and the gateway's check alike). Counts this one.
    """
    wait = seconds_locked_after_bad_key(request)
    if wait is not None:
        return throttled(
            "Too many bad license keys from your address: try again in "
            f"{wait} second{'s' if wait != 1 else ''}.",
            wait,
        )
    hint = (
        " This is a User Access Token: the management API needs a license key."
        if presented.startswith("uat_")
        else ""
    )
    return exceptions.AuthenticationFailed(f"Invalid or revoked license key.{hint}")


class LicenseKeyAuthentication(BaseAuthentication):
    """
    `Authorization: Bearer lic_…`: a provider's scripts and gateway, acting as that provider.

    Each request it lets in counts against the key's API_RATE_LIMIT, here, before anything
    else answers it (a 403 for the key's role counts too). The gateway's endpoints check keys
    themselves (tokens.gateway), so they are never counted.
    """

    def authenticate(self, request):
        presented = bearer_credentials(request)
        if presented is None:
            return None
        key = authenticate_license_key(presented)
        if key is None:
            raise refused_key(request, presented)
        count_key_request(request._request, key)
        return key.created_by, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def key_provider(request: Request) -> Provider:
    """The provider whose license key authenticated `request` (IsAuthenticated checked it)."""
    key = request.auth
    assert isinstance(key, LicenseKey), "a view that needs a license key"
    return key.provider
