"""
Shared personas, as healthchecks does: alice is an Owner of the provider Acme, bob a Member and
victor a Viewer of it; charlie owns another provider, Globex, and must be refused everywhere;
staff runs Django admin.
"""

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from console.accounts.models import Provider, Role
from console.accounts.services import add_member, create_user, create_user_and_provider
from console.audit.actors import Actor
from models_registry.services import create_model
from tokens.services import create_token

PASSWORD = "correct-horse-battery-staple"
# Who acts when a test sets the scene through the services (its events are not what is tested).
TEST_ACTOR = Actor.system("tests")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def alice(db):
    """An Owner of Acme."""
    user, _ = create_user_and_provider(
        actor=TEST_ACTOR,
        username="alice",
        password=PASSWORD,
        email="alice@example.com",
        provider_name="Acme",
    )
    return user


@pytest.fixture
def acme(alice) -> Provider:
    return Provider.objects.get(name="Acme")


def _joined(provider: Provider, username: str, role: Role):
    user = create_user(
        actor=TEST_ACTOR, username=username, password=PASSWORD, email=f"{username}@example.com"
    )
    add_member(actor=TEST_ACTOR, provider=provider, user=user, role=role)
    return user


@pytest.fixture
def bob(acme):
    """A Member of Acme."""
    return _joined(acme, "bob", Role.MEMBER)


@pytest.fixture
def victor(acme):
    """A Viewer of Acme."""
    return _joined(acme, "victor", Role.VIEWER)


@pytest.fixture
def charlie(db):
    """The Owner of another provider, Globex: refused everywhere in Acme."""
    user, _ = create_user_and_provider(
        actor=TEST_ACTOR,
        username="charlie",
        password=PASSWORD,
        email="charlie@example.com",
        provider_name="Globex",
    )
    return user


@pytest.fixture
def globex(charlie) -> Provider:
    return Provider.objects.get(name="Globex")


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_superuser("staff", "staff@example.com", PASSWORD)


def _signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(client, alice):
    return _signed_in(client, alice)


@pytest.fixture
def staff_client(client, staff):
    return _signed_in(client, staff)


@pytest.fixture
def bob_client(client, bob):
    return _signed_in(client, bob)


@pytest.fixture
def victor_client(client, victor):
    return _signed_in(client, victor)


@pytest.fixture
def charlie_client(client, charlie):
    return _signed_in(client, charlie)


@pytest.fixture
def sentiment(acme):
    return create_model(
        actor=TEST_ACTOR, provider=acme, name="Sentiment Analysis", description="Reviews"
    )


@pytest.fixture
def vision(acme):
    return create_model(actor=TEST_ACTOR, provider=acme, name="Image Sharpening")


@pytest.fixture
def charlies_model(globex):
    return create_model(actor=TEST_ACTOR, provider=globex, name="Charlie's Model")


@pytest.fixture
def make_token(acme):
    """Create a token through the service and return (token, secret)."""

    def make(name="gateway", *, provider=None, model=None, days=30, note=""):
        return create_token(
            actor=TEST_ACTOR,
            provider=provider or acme,
            name=name,
            model=model,
            note=note,
            expires_at=timezone.now() + timedelta(days=days),
        )

    return make


@pytest.fixture
def bulk_tokens(acme):
    """Create `count` tokens in one statement, in order (for lists past the count's cap)."""
    import hashlib

    from tokens.models import Token

    def make(count, *, provider=None, prefix="bulk"):
        provider = provider or acme
        expires_at = timezone.now() + timedelta(days=30)
        return Token.objects.bulk_create(
            Token(
                provider=provider,
                name=f"{prefix}-{number:05}",
                digest=hashlib.sha256(f"{prefix}-{provider.pk}-{number}".encode()).hexdigest(),
                hint="uat_…0000",
                expires_at=expires_at,
            )
            for number in range(count)
        )

    return make


@pytest.fixture
def invited(acme, alice):
    """An open invitation for dana@example.com to join Acme as Member, and its link's path."""
    from django.urls import reverse

    from console.accounts.services import invite

    invitation, token = invite(
        actor=TEST_ACTOR,
        provider=acme,
        email="dana@example.com",
        role=Role.MEMBER,
        invited_by=alice,
    )
    return invitation, reverse("invitation", args=[token])


@pytest.fixture
def deleted_meanwhile(monkeypatch):
    """
    Make the next token change lose a race with a delete: the service reads the token's row,
    then (as another request would, where rows are not locked) the row is deleted.
    """
    from tokens import services
    from tokens.models import Token

    read_current_row = services._locked

    def read_then_lose_the_race(token):
        current = read_current_row(token)
        Token.objects.filter(pk=token.pk).delete()
        return current

    monkeypatch.setattr(services, "_locked", read_then_lose_the_race)


def _refuse_to_connect(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.fixture
def database_down(db, monkeypatch):
    """Every query from now on fails to connect, as when the database server is unreachable."""
    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", _refuse_to_connect)
        yield


# --- Real browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        message = "No Chromium installed: `apt-get install chromium chromium-driver` runs these."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls that tests make
    # around it are still synchronous, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    # Script errors and console errors; answers of 4xx that a form's errors use are not errors.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.console_errors = errors
    yield page
    context.close()


HTMX_BUSY = "!!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def wait_for_htmx(page, timeout_ms: int = 10_000) -> None:
    """Wait until htmx has finished its requests, swaps and settling (and so has wired up the
    content it swapped in: a control changed before that would send nothing). Polled from here:
    Playwright's in-page polling evaluates a string, which our CSP (no 'unsafe-eval') refuses."""
    waited = 0
    while page.evaluate(HTMX_BUSY):
        if waited >= timeout_ms:
            raise AssertionError(f"htmx was still busy after {timeout_ms} ms")
        page.wait_for_timeout(25)
        waited += 25


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
        for node in violation["nodes"]
    ]


@pytest.fixture
def log_in(page):
    """Log in through the real login form."""

    def log_in_as(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")

    return log_in_as


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/, and under docs/ when asked to."""

    def take(name: str, *, full_page: bool = True) -> Path:
        folders = [ROOT / "test-artifacts"]
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
            folders.append(ROOT / "docs")
        for folder in folders:
            folder.mkdir(exist_ok=True)
            page.screenshot(path=folder / f"{name}.png", full_page=full_page)
        return folders[0] / f"{name}.png"

    return take


# --- JSON API ------------------------------------------------------------------------------


@pytest.fixture
def alice_key(alice, acme):
    """A license key alice made for Acme (the secret): it acts as an Owner of Acme."""
    from console.api.services import create_license_key

    return create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="scripts")[1]


@pytest.fixture
def charlie_key(charlie, globex):
    from console.api.services import create_license_key

    return create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="scripts"
    )[1]


class ApiCaller:
    """Calls the JSON API as one key holder: `api.get(path)`, `api.post(path, {...})`."""

    def __init__(self, client, key):
        self.client = client
        self.key = key

    def _headers(self, key):
        key = self.key if key is ... else key
        return {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path, params=None, *, key=...):
        return self.client.get(path, params or {}, headers=self._headers(key))

    def _send(self, method, path, body, key):
        call = getattr(self.client, method)
        if body is None:
            return call(path, headers=self._headers(key))
        return call(path, body, content_type="application/json", headers=self._headers(key))

    def post(self, path, body=None, *, key=...):
        return self._send("post", path, body, key)

    def patch(self, path, body=None, *, key=...):
        return self._send("patch", path, body, key)

    def delete(self, path, *, key=...):
        return self._send("delete", path, None, key)


@pytest.fixture
def api(client, alice_key):
    """The API as alice's scripts see it."""
    return ApiCaller(client, alice_key)


@pytest.fixture
def charlie_api(client, charlie_key):
    return ApiCaller(client, charlie_key)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis too, where REDIS_URL points at one)."""
    from django.core.cache import cache

    from tokens import usage

    yield
    cache.clear()
    usage._held.clear()  # what this process reserved of limits: it lived in the cache cleared
    usage._buffer.take()


# --- Usage: the gateway's clock ------------------------------------------------------------------

# 2026-12-01 10:00:00 UTC, a minute's start: usage tests move the clock from here.
START = 1_796_119_200.0


@pytest.fixture
def clock(monkeypatch):
    """The gateway's clock (tokens.usage.clock), stopped at START; `clock.advance(seconds)`."""
    from tokens import usage

    class Clock:
        now = START

        def advance(self, seconds: float) -> None:
            self.now += seconds

    stopped = Clock()
    monkeypatch.setattr(usage, "clock", lambda: stopped.now)
    return stopped


# --- Two processes sharing one cache -------------------------------------------------------------

# Checks of one token under one rate limit, in a process of its own: prints how many were allowed.
# Arguments: token pk, limit, the checks' time (Unix seconds), how many checks.
CHECKS_UNDER_A_RATE_LIMIT = """
import sys
import django
django.setup()
from tokens import usage
pk, limit, now, checks = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
limits = usage.Limits(rate=limit)
print(sum(usage.meter(token_pk=pk, limits=limits, cost=1, now=now).allowed for _ in range(checks)))
"""


def in_two_processes(script: str, *args: object, timeout: int = 120) -> list[str]:
    """What `script` prints, run by two processes at once on the tests' database and cache."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    command = [sys.executable, "-c", script, *map(str, args)]
    workers = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    return [worker.communicate(timeout=timeout)[0].strip() for worker in workers]
