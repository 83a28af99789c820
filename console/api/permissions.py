"""What a license key may do: what its creator's role in the provider allows, never more."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from console.accounts.models import Role
from console.api.models import KeyScope, LicenseKey


class CreatorRoleAllows(BasePermission):
    """
    Viewers' keys read (and check tokens); Members' and Owners' keys also change things. A view
    whose POST changes nothing (introspection) says so with `needs_role = Role.VIEWER`.
    """

    message = "This license key acts with its creator's role, Viewer: it can read but not change."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, LicenseKey):
            return True  # not a license key's request (another authentication answers for it)
        needed = getattr(view, "needs_role", None) or (
            Role.VIEWER if request.method in SAFE_METHODS else Role.MEMBER
        )
        return Role(key.creator_role).allows(needed)


class KeyScopeAllows(BasePermission):
    """Gateway keys introspect tokens and nothing else (tokens.gateway answers introspection)."""

    message = (
        "This is a Gateway license key: it can only introspect tokens. Use a Management key "
        "for everything else."
    )

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, LicenseKey) or key.scope != KeyScope.GATEWAY:
            return True
        return getattr(view, "gateway_key_allowed", False)
