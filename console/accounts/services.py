"""Provider accounts: the Django users who own models, tokens and license keys."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from console.errors import DomainError


@sensitive_variables("password")
def create_provider(*, username: str, password: str, email: str = ""):
    """Create a provider who can log in to the console. The password is hashed with Argon2."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise DomainError("Enter a username.", field="username", code="required")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            f"The username “{username}” is already taken.", field="username", code="duplicate"
        )
    if not password:
        raise DomainError("Enter a password.", field="password", code="required")
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password", code="weak") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        raise DomainError(
            f"The username “{username}” is already taken.", field="username", code="duplicate"
        ) from None
