"""
Settings for the token console.

Everything that differs between a laptop and production comes from the environment, read here
once. The defaults suit development; production must set SECRET_KEY and TOKEN_DIGEST_KEY (the
process refuses to start with DEBUG off and the development values).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105
_DEV_TOKEN_DIGEST_KEY = "dev-only-token-digest-key"  # noqa: S105


def envbool(name: str, default: str) -> bool:
    """Read a yes/no variable; refuse anything that is not clearly one or the other."""
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    """Read an integer variable, failing fast on a typo."""
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def optional_envint(name: str) -> int | None:
    """Read an integer variable that may be unset or blank (None)."""
    return envint(name, "") if os.environ.get(name, "").strip() else None


def envlist(name: str, default: str) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET_KEY
# Token digests are HMAC-SHA256 under this key, kept apart from SECRET_KEY so that rotating the
# session-signing key does not invalidate every token a provider has handed out.
TOKEN_DIGEST_KEY = os.environ.get("TOKEN_DIGEST_KEY") or _DEV_TOKEN_DIGEST_KEY
# Old digest keys, kept while rotating: a secret found under one is re-digested under the current
# key the first time it is presented (console.keys). Drop them once every live secret has been.
TOKEN_DIGEST_KEY_FALLBACKS = envlist("TOKEN_DIGEST_KEY_FALLBACKS", "")
if not DEBUG:
    if SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    if TOKEN_DIGEST_KEY == _DEV_TOKEN_DIGEST_KEY:
        raise ImproperlyConfigured("Set TOKEN_DIGEST_KEY when DEBUG is off.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

TOKEN_DEFAULT_LIFETIME_DAYS = envint("TOKEN_DEFAULT_LIFETIME_DAYS", "30")
TOKEN_MAX_LIFETIME_DAYS = envint("TOKEN_MAX_LIFETIME_DAYS", "365")
if not 1 <= TOKEN_DEFAULT_LIFETIME_DAYS <= TOKEN_MAX_LIFETIME_DAYS:
    raise ImproperlyConfigured(
        "TOKEN_DEFAULT_LIFETIME_DAYS must be between 1 and TOKEN_MAX_LIFETIME_DAYS."
    )

# How long an invitation link to join a provider stays open.
INVITATION_MAX_AGE_DAYS = envint("INVITATION_MAX_AGE_DAYS", "7")
if INVITATION_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("INVITATION_MAX_AGE_DAYS must be at least 1.")

# Invitations are emailed: printed to standard output in development, sent by SMTP otherwise.
# The variables keep Django's classic names, but configure Django 6.1's MAILERS: the EMAIL_*
# settings they replace are deprecated (and may not be set alongside MAILERS).
_EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": envint("EMAIL_PORT", "25"),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": envbool("EMAIL_USE_TLS", "false"),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        # Only the SMTP backend takes these; the others refuse options they do not know.
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Token Console <console@localhost>")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "axes",
    "django_otp",
    "rest_framework",
    "drf_spectacular",
    "console",
    "console.accounts",
    "console.api",
    "console.dashboard",
    "console.audit",
    "console.security",
    "models_registry",
    "tokens",
]

MIDDLEWARE = [
    # First, so its one log line per request sees the final status and the whole duration.
    "console.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The query gateway's endpoints answer here, past everything pages need (tokens.gateway).
    "tokens.gateway.GatewayShortcutMiddleware",
    # Answers to a license key's requests say where its API_RATE_LIMIT stands.
    "console.api.throttling.RateLimitHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "console.middleware.NoStoreByDefaultMiddleware",
    # An API POST with an Idempotency-Key runs once; its retries get the first answer.
    "console.api.idempotency.IdempotencyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.provider and request.membership: which provider the page shows, and the role.
    "console.accounts.current.CurrentProviderMiddleware",
    # A provider's Owner, or the admin, may require two-factor sign-in (console.security).
    "console.security.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After MessageMiddleware in this list, so it sees messages before they are stored.
    "console.middleware.HtmxMessagesMiddleware",
    # Last: turns a locked-out sign-in into its answer (console.accounts.signin).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.accounts.current.membership_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
# A database that hangs must not hold every worker: give up connecting, and cancel a statement,
# after a few seconds (answered 503, see console.views.server_error). In seconds.
DATABASE_CONNECT_TIMEOUT = envint("DATABASE_CONNECT_TIMEOUT", "5")
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", "10")
DATABASE_BUSY_TIMEOUT = envint("DATABASE_BUSY_TIMEOUT", "5")
# The gateway's check runs as a prepared statement on PostgreSQL, planned once per connection
# (tokens.gateway). Turn off behind a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21).
GATEWAY_PREPARED_STATEMENTS = envbool("GATEWAY_PREPARED_STATEMENTS", "true")
# Checks of tokens without limits are counted in the process and added to the cache together
# every this many seconds (tokens.usage.UsageBuffer); 0 counts each check in the cache at once.
GATEWAY_USAGE_FLUSH_SECONDS = envint("GATEWAY_USAGE_FLUSH_SECONDS", "1")
if GATEWAY_USAGE_FLUSH_SECONDS < 0 or GATEWAY_USAGE_FLUSH_SECONDS > 30:
    raise ImproperlyConfigured("GATEWAY_USAGE_FLUSH_SECONDS must be from 0 to 30.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        # Django's cursors bind on the client and never prepare; only the gateway's cursor asks
        # to, explicitly, and psycopg lets it only with a threshold set.
        **({"prepare_threshold": 2**31 - 1} if GATEWAY_PREPARED_STATEMENTS else {}),
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}",
        **DATABASES["default"].get("OPTIONS", {}),  # what DATABASE_URL says wins
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # How long a write waits for another's lock before "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": DATABASE_BUSY_TIMEOUT,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: passwords are low-entropy and a slow hash is the point. Tokens are 256-bit random
# secrets and use a keyed digest instead (see tokens.secrets).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = 12
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters at the least, as NIST SP 800-63B and GitHub's guidance ask of a password
    # that is the only thing between the internet and a provider's paid models.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed sign-ins (console and admin alike) and refuses a locked-out one
# before any password is checked; then Django's own backend signs people in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", "15")
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# A username and an address together: a stranger cannot lock someone out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # failures count in a row; a lockout is not lifted by success
AXES_CLIENT_IP_CALLABLE = "console.request_log.client_ip"
AXES_LOCKOUT_CALLABLE = "console.accounts.signin.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each person's failed attempts, for their Security page

# Dangerous actions ask for the password (and a code) again unless given this recently.
REAUTHENTICATION_MINUTES = envint("REAUTHENTICATION_MINUTES", "10")
# Django admin only for staff signed in with two-factor (on by default in production).
ADMIN_REQUIRE_2FA = envbool("ADMIN_REQUIRE_2FA", "false" if DEBUG else "true")
OTP_LOGIN_URL = "login"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the app folders; in production from STATIC_ROOT,
# filled by `collectstatic`.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# Content Security Policy: only our own files, and scripts carrying this response's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# The JSON API (/api/v1/): license keys only, JSON only, one error shape, the Tokens List's paging.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["console.api.authentication.LicenseKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "console.api.permissions.CreatorRoleAllows",
        "console.api.permissions.KeyScopeAllows",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["console.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "console.api.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "console.api.schema.ConsoleAutoSchema",
    "EXCEPTION_HANDLER": "console.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "STRICT_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Token Console API",
    "DESCRIPTION": (
        "Manage your AI models and their User Access Tokens from scripts, and let your query "
        "gateway check tokens. Authenticate with `Authorization: Bearer <license key>`; "
        "timestamps are Unix seconds; errors are `{message, code, errors, request_id}`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Paths are absolute (`/api/v1/…`): the API is on the host that serves the schema. Client
    # generators want a server; a relative one fits every deployment.
    "SERVERS": [{"url": "/", "description": "This console"}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "console.api.schema.document_idempotency",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # One component per enum, read and written alike, named as the product names it.
    "ENUM_NAME_OVERRIDES": {
        "TokenStatus": "tokens.models.TokenStatus",
        "QuotaPeriod": "tokens.models.QuotaPeriod",
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 12))
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
# Load balancers probe app servers over plain HTTP, behind the TLS they terminate.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else str(60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
# Behind a load balancer that terminates TLS, trust its X-Forwarded-Proto header.
if envbool("USE_X_FORWARDED_PROTO", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Set only behind a proxy that sets (and strips clients' own) request headers: then the request
# log takes its X-Request-ID. Anyone could send those headers straight to the app server.
TRUST_PROXY_HEADERS = envbool("TRUST_PROXY_HEADERS", "false")
# How many proxies in front of the app servers append to X-Forwarded-For (usually 1, the load
# balancer): the client's address is that many entries from the right (console.request_log).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "1")
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be at least 1.")

# Bad license keys one address may present to the JSON API in a minute before it gets 429.
API_BAD_KEY_LIMIT = envint("API_BAD_KEY_LIMIT", "20")
if API_BAD_KEY_LIMIT < 1:
    raise ImproperlyConfigured("API_BAD_KEY_LIMIT must be at least 1.")
# Requests one license key may make to the management API in a minute, each answered with
# RateLimit-* headers, past it 429; unset, blank or 0: no limit, no headers. The gateway's
# endpoints (introspection, an end user's own token) are not counted (console.api.throttling).
API_RATE_LIMIT = optional_envint("API_RATE_LIMIT") or 0
if API_RATE_LIMIT < 0:
    raise ImproperlyConfigured("API_RATE_LIMIT must be 0 (no limit) or more.")

# The cache: what app servers share beyond the database (tokens' usage counts and limits, the
# API's bad-key counts). Redis when REDIS_URL is set, as it must be with several processes;
# otherwise each process's memory, roomy enough that counters are not evicted early.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    )
}

# Days an audit event is kept before `prune_events` deletes it; unset or blank keeps every event.
AUDIT_RETENTION_DAYS = optional_envint("AUDIT_RETENTION_DAYS")
if AUDIT_RETENTION_DAYS is not None and AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 1, or unset to keep events.")

# "text": messages as they are, the request log as key=value; "json": one object per line.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {"()": "console.log_formats.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
