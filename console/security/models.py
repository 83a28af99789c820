"""
Two-factor sign-in: an authenticator app (TOTP, RFC 6238) and single-use recovery codes, as
django-otp devices, so django-otp's middleware and helpers know a session was verified.

Nothing readable is stored: the app's key is sealed (console.security.sealing) and recovery codes
are kept as keyed digests, like tokens.
"""

import secrets
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from console.keys import PresentedDigests, digest
from console.security.sealing import is_sealed_under_a_fallback, seal, unseal

ISSUER = "Token Console"
KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_CODE_COUNT = 10


def normalised_code(code: str) -> str:
    """A code as typed, without spaces or dashes, in lower case; only ASCII letters and digits
    count (int() refuses the other digits str.isdigit() accepts, such as ²)."""
    return "".join(char for char in code.lower() if char.isascii() and char.isalnum())


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app's shared key. Unconfirmed until its first code is entered."""

    sealed_key = models.TextField(editable=False)
    # The time step of the last code accepted: a code is never accepted twice.
    last_t = models.BigIntegerField(default=-1, editable=False)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @classmethod
    def new_for(cls, user) -> "AuthenticatorApp":
        return cls(
            user=user,
            name="Authenticator app",
            confirmed=False,
            sealed_key=seal(secrets.token_bytes(KEY_BYTES)),
        )

    @property
    def bin_key(self) -> bytes:
        return unseal(self.sealed_key)

    @property
    def base32_key(self) -> str:
        """The key as authenticator apps take it when typed: base32, in groups of four."""
        text = b32encode(self.bin_key).decode().rstrip("=")
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    @property
    def config_url(self) -> str:
        """The otpauth:// URL the QR code carries."""
        label = quote(f"{ISSUER}:{self.user.get_username()}")
        secret = b32encode(self.bin_key).decode().rstrip("=")
        query = urlencode({"secret": secret, "issuer": ISSUER, "digits": 6, "period": 30})
        return f"otpauth://totp/{label}?{query}"

    def get_throttle_factor(self) -> int:
        return 1  # then 2, 4, 8... seconds after each wrong code in a row

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalised_code(str(token))
        verified = False
        if len(code) == 6 and code.isdigit():
            totp = TOTP(self.bin_key, step=30, t0=0, digits=6, drift=0)
            totp.time = time.time()
            # One step either way for clocks a little off; never the same step twice.
            verified = totp.verify(int(code), tolerance=1, min_t=self.last_t + 1)
            if verified:
                self.last_t = totp.t()
        if verified:
            if is_sealed_under_a_fallback(self.sealed_key):
                self.sealed_key = seal(self.bin_key)
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified


class RecoveryCodes(Device):
    """Ten single-use codes for when the authenticator app is out of reach."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def verify_token(self, token) -> bool:
        code = normalised_code(str(token))
        if len(code) != 10:
            return False
        # Under the current digest key or a fallback; one UPDATE, so a code works once however
        # many requests present it at the same moment.
        digests = PresentedDigests.of(code).params
        used = RecoveryCode.objects.filter(
            device=self, used_at__isnull=True, digest__in=digests
        ).update(used_at=timezone.now())
        return used == 1

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    """One recovery code, as its keyed digest; `used_at` once it has been used."""

    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return "a used recovery code" if self.used_at else "a recovery code"

    @staticmethod
    def new_values() -> list[str]:
        """Ten fresh codes, `xxxxx-xxxxx` (50 random bits each), to show once."""
        codes = [
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        return [f"{code[:5]}-{code[5:]}" for code in codes]

    @staticmethod
    def digest_of(code: str) -> str:
        return digest(normalised_code(code))
