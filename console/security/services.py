"""Two-factor sign-in: turning it on and off, recovery codes, and checking a second factor."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.models import Device

from console.audit.actors import Actor
from console.audit.models import Action
from console.audit.services import record
from console.errors import DomainError
from console.security.models import AuthenticatorApp, RecoveryCode, RecoveryCodes, normalised_code

WRONG_CODE = "That code is not right. Enter the 6-digit code your app shows now."
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already."


def authenticator_of(user: User) -> AuthenticatorApp | None:
    """The person's confirmed authenticator app, if two-factor sign-in is on."""
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return (
        user.is_authenticated
        and AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_of(user: User) -> RecoveryCodes | None:
    return RecoveryCodes.objects.filter(user=user, confirmed=True).first()


def pending_authenticator(user: User) -> AuthenticatorApp:
    """The app being set up (its key shown as a QR code until a first code confirms it)."""
    pending = AuthenticatorApp.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = AuthenticatorApp.new_for(user)
        pending.save()
    return pending


def _throttled(device: AuthenticatorApp) -> DomainError | None:
    """After wrong codes in a row, the app's codes wait 1, 2, 4... seconds: say how long."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    until = (details or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    wait = (
        f"{seconds} second{'s' if seconds != 1 else ''}"
        if seconds < 120
        else f"{seconds // 60} minutes"
    )
    return DomainError(
        f"Too many wrong codes in a row: wait {wait} for your app's next code, or use one of "
        "your recovery codes.",
        field="code",
        code="throttled",
    )


@sensitive_variables("code")
def verify_second_factor(*, user: User, code: str) -> Device:
    """
    The device that accepts `code`: the authenticator app for 6 digits, the recovery codes
    otherwise (each works once). DomainError on the `code` field when none does.
    """
    typed = normalised_code(code or "")
    app = authenticator_of(user)
    if app is not None and len(typed) == 6 and typed.isdigit():
        refusal = _throttled(app)
        if refusal is not None:
            raise refusal
        if app.verify_token(typed):
            return app
    codes = recovery_codes_of(user)
    if codes is not None and len(typed) == 10 and codes.verify_token(typed):
        return codes
    if not (code or "").strip():
        raise DomainError(
            "Enter the code from your authenticator app.", field="code", code="required"
        )
    if len(typed) == 10:
        raise DomainError(WRONG_RECOVERY_CODE, field="code", code="wrong_code")
    raise DomainError(WRONG_CODE, field="code", code="wrong_code")


@sensitive_variables("values")
def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones; returns them, to show once."""
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name="Recovery codes", confirmed=True)
    values = RecoveryCode.new_values()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, digest=RecoveryCode.digest_of(value)) for value in values]
    )
    return values


@sensitive_variables("code", "values")
def turn_on_two_factor(*, actor: Actor, user: User, code: str) -> list[str]:
    """
    Confirm the app being set up with its first code: two-factor sign-in is on from now on.
    Returns ten recovery codes, to show once.
    """
    with transaction.atomic():
        if has_two_factor(user):
            raise DomainError("Two-factor sign-in is already on.", code="already_on")
        app = pending_authenticator(user)
        refusal = _throttled(app)
        if refusal is not None:
            raise refusal
        if not app.verify_token(normalised_code(code or "")):
            raise DomainError(WRONG_CODE, field="code", code="wrong_code")
        app.confirmed = True
        app.save(update_fields=["confirmed"])
        values = _new_recovery_codes(user)
        record(actor, Action.ACCOUNT_TWO_FACTOR_ENABLED, provider=None, target=user)
    return values


@sensitive_variables("values")
def regenerate_recovery_codes(*, actor: Actor, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (which stop working), to show once."""
    with transaction.atomic():
        if not has_two_factor(user):
            raise DomainError("Turn on two-factor sign-in first.", code="not_on")
        values = _new_recovery_codes(user)
        record(actor, Action.ACCOUNT_RECOVERY_CODES_REGENERATED, provider=None, target=user)
    return values


@sensitive_variables("code")
def turn_off_two_factor(*, actor: Actor, user: User, code: str) -> None:
    """
    Two-factor sign-in off, with a current code (or a recovery code). The page checks the
    password first, through sign-in throttling (`password_confirmed`).
    """
    with transaction.atomic():
        verify_second_factor(user=user, code=code)
        AuthenticatorApp.objects.filter(user=user).delete()
        RecoveryCodes.objects.filter(user=user).delete()
        record(actor, Action.ACCOUNT_TWO_FACTOR_DISABLED, provider=None, target=user)


def turn_off_two_factor_for(*, actor: Actor, user: User) -> None:
    """Staff turn someone's two-factor sign-in off (a lost phone and lost recovery codes)."""
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=user).delete()
        RecoveryCodes.objects.filter(user=user).delete()
        record(actor, Action.ACCOUNT_TWO_FACTOR_DISABLED, provider=None, target=user)
