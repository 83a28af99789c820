"""
How many introspections a second the console answers, side by side with reference servers doing
the same check with less around it. Prints figures and ratios; asserts nothing.

    python manage.py benchmark_introspection --rounds 5 --seconds 3 --workers 2
    python manage.py benchmark_introspection --mode close --connections 8
    python manage.py benchmark_introspection --seconds 0      # the in-process times only

Every case is its own gunicorn, started once on this database (DATABASE_URL) and kept up for
the whole run; only one is loaded at a time, by wrk (`apt-get install wrk`) over loopback:

- bare: `tokens.benchmark_reference`, a plain Django view with no middleware and no apps doing
  the least a token check must (HMAC-SHA256, one indexed SELECT, a constant-time compare);
- drf-api-key: REST framework with djangorestframework-api-key's `HasAPIKey` (the `bench`
  extra: `pip install -e ".[bench]"`), skipped with a note when it is not installed;
- console usable / limited / unknown: POST /api/v1/introspect with a Gateway license key, for a
  usable token without limits (its checks are gathered in the process, tokens.usage.UsageBuffer),
  one with a rate limit and a daily quota too high to reach (each check is counted in the cache
  at once: with REDIS_URL, a round trip to Redis), and a well-formed token that is stored nowhere
  (it reaches the database);
- console healthz: GET /healthz, no database and no session: the floor.

The console runs with production settings (DEBUG off, its own digest key when this process
runs with the development one), and REDIS_URL passes through. Rounds are interleaved: each
runs every case once for `--seconds`, starting one case further each round, so drift (a warm
cache, a noisy neighbour) spreads over all cases; ratios are taken within each round. Each
`--mode` (keep-alive, a new connection per request, or both) has its own rounds. Before any
HTTP load, each case is asked once to check it answers 200 with what it should.

`--in-process` also prints each console case's server time through Django's test client (and
the bare view's through RequestFactory), without the network, gunicorn or the client.
"""

import http.client
import importlib.util
import json
import logging
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client, RequestFactory, override_settings

from console.accounts.models import Provider
from console.accounts.services import create_provider
from console.api.models import KeyScope
from console.api.services import create_license_key, revoke_license_key
from console.audit.actors import Actor
from models_registry.services import create_model
from tokens.benchmark_reference import views as bare_reference
from tokens.models import MAX_LIMIT, QuotaPeriod
from tokens.secrets import new_secret
from tokens.services import create_token

BARE_SETTINGS = "tokens.benchmark_reference.settings"
DRF_SETTINGS = "tokens.benchmark_reference.drf_settings"
REFERENCE_WSGI = "tokens.benchmark_reference.wsgi"
FORM = "application/x-www-form-urlencoded"
MODES = {"keepalive": "Keep-alive connections", "close": "A new connection per request"}
# The goals introspection is held to, as multiples of the reference servers' rates.
GOAL_OF_BARE = 0.8
GOAL_OF_DRF = 1.5


@dataclass(frozen=True)
class Case:
    """One kind of request, sent to one server."""

    key: str
    label: str
    server: str  # "bare", "drf" or "console"
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expect: dict[str, Any] | None = None  # what its JSON answer must contain


@dataclass(frozen=True)
class Measure:
    """What one wrk run of one case reported."""

    rate: float
    p50_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lua_string(value: str) -> str:
    if not value.isascii() or not value.isprintable():
        raise CommandError(f"Not a plain ASCII value for wrk's script: {value[:20]!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk_script(case: Case, close: bool) -> str:
    """wrk's Lua script for `case`: method, body and headers."""
    headers = {**case.headers, **({"Connection": "close"} if close else {})}
    lines = [f"wrk.method = {_lua_string(case.method)}"]
    if case.body:
        lines.append(f"wrk.body = {_lua_string(case.body)}")
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n"


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(output: str) -> Measure:
    """Requests/sec, the median latency and the failures of wrk's `--latency` report."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if not (rate and total and p50):
        raise CommandError(f"Could not read wrk's report:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Measure(
        rate=float(rate.group(1)),
        p50_ms=float(p50.group(1)) * _UNITS_MS[p50.group(2)],
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def _load() -> str:
    """The 1, 5 and 15 minute load averages: another process's load shows in every figure."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def _spread(values: list[float], digits: int) -> str:
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


class Command(BaseCommand):
    help = (
        "Measure introspection requests per second with wrk, side by side with a bare Django "
        "view and djangorestframework-api-key, in interleaved rounds; print the ratios."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seconds",
            type=int,
            default=3,
            help="per case and round, in whole seconds (wrk's unit); 0 makes no HTTP load: the "
            "in-process times only",
        )
        parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per mode")
        parser.add_argument(
            "--mode",
            choices=["keepalive", "close", "both"],
            default="both",
            help="keep-alive connections, a new connection per request (Connection: close), or "
            "each in turn",
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
        parser.add_argument(
            "--worker-class",
            choices=["gthread", "sync"],
            default="gthread",
            help="gunicorn's worker class for every server. gthread (with --threads, default 1: "
            "one request at a time per worker, like sync) keeps connections alive, each worker "
            "taking at most its share of wrk's connections plus one per thread; gunicorn's "
            "sync worker closes every connection after its answer, so with it the keepalive "
            "mode measures new connections too",
        )
        parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
        parser.add_argument("--connections", type=int, default=4, help="wrk's open connections")
        parser.add_argument(
            "--warmup", type=int, default=1, help="seconds of load per case before each mode"
        )
        parser.add_argument(
            "--in-process", type=int, default=2000, help="requests per case in-process; 0 skips"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seconds"] > 0 and shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: `apt-get install wrk` (Debian's package).")
        if options["seconds"] > 0 and (options["rounds"] < 1 or options["workers"] < 1):
            raise CommandError("--rounds and --workers must be at least 1.")
        # The servers run with production settings, which refuse the development digest key:
        # give them one of their own, and make this run's token and license key under it.
        digest_key = settings.TOKEN_DIGEST_KEY
        if settings.DEBUG:
            digest_key = "benchmark-only-digest-key-" + secrets.token_hex(16)
        with override_settings(TOKEN_DIGEST_KEY=digest_key):
            self._run(digest_key=digest_key, **options)

    def _run(self, *, digest_key: str, seconds: int, in_process: int, **options: Any) -> None:
        person, _ = get_user_model().objects.get_or_create(username="bench-introspection")
        provider = Provider.objects.filter(name="bench-introspection").first()
        actor = Actor.system("benchmark_introspection")
        provider = provider or create_provider(
            actor=actor, name="bench-introspection", owner=person
        )
        key, license_key = create_license_key(
            actor=actor,
            provider=provider,
            created_by=person,
            name=f"benchmark {time.time_ns()}",
            scope=KeyScope.GATEWAY,  # what a query gateway uses
        )
        model = provider.ai_models.first() or create_model(
            actor=actor, provider=provider, name="Benchmark model"
        )
        token, secret = create_token(
            actor=actor, provider=provider, name=f"bench {time.time_ns()}", model=model
        )
        limited, limited_secret = create_token(
            actor=actor,
            provider=provider,
            name=f"bench limited {time.time_ns()}",
            model=model,
            rate_limit=MAX_LIMIT,
            quota=MAX_LIMIT,
            quota_period=QuotaPeriod.DAY,
        )
        # Well-formed (prefix and checksum) so that it reaches the database, and stored nowhere.
        unknown = new_secret().value
        form = {"Authorization": f"Bearer {license_key}", "Content-Type": FORM}
        cases = [
            Case("bare", "bare Django view, usable", "bare", "POST", "/introspect",
                 urlencode({"token": secret}), {"Content-Type": FORM}, {"active": True}),
            Case("drf", "drf-api-key, valid key", "drf", "POST", "/check",
                 urlencode({"token": secret}), {"Content-Type": FORM}, {"active": True}),
            Case("usable", "introspect, usable token", "console", "POST", "/api/v1/introspect",
                 urlencode({"token": secret}), form, {"active": True}),
            Case("limited", "introspect, token with limits", "console", "POST",
                 "/api/v1/introspect", urlencode({"token": limited_secret}), form,
                 {"active": True}),
            Case("unknown", "introspect, unknown token", "console", "POST", "/api/v1/introspect",
                 urlencode({"token": unknown}), form, {"active": False}),
            Case("healthz", "GET /healthz (floor)", "console", "GET", "/healthz"),
        ]  # fmt: skip
        drf_key_id = None
        try:
            if in_process > 0:
                logging.disable(logging.INFO)  # not the request log's line per request
                try:
                    self._in_process(cases, in_process)
                finally:
                    logging.disable(logging.NOTSET)
            if seconds > 0:
                if importlib.util.find_spec("rest_framework_api_key") is None:
                    self.stdout.write(
                        "drf-api-key: skipped, djangorestframework-api-key is not installed "
                        '(pip install -e ".[bench]").'
                    )
                    cases = [case for case in cases if case.server != "drf"]
                else:
                    drf_key_id, drf_key = self._drf_key()
                    api_key = {"Authorization": f"Api-Key {drf_key}"}
                    cases = [
                        replace(case, headers={**case.headers, **api_key})
                        if case.server == "drf"
                        else case
                        for case in cases
                    ]
                self._over_http(cases, seconds=seconds, digest_key=digest_key, **options)
        finally:
            token.delete()
            limited.delete()
            revoke_license_key(actor=actor, key=key)
            if drf_key_id is not None:
                self._reference_command(
                    DRF_SETTINGS, "-m", "tokens.benchmark_reference.drf_keys", "delete", drf_key_id
                )

    # --- In-process -------------------------------------------------------------------------

    def _in_process(self, cases: list[Case], repeat: int) -> None:
        self.stdout.write(f"In-process server time (Django test client), median of {repeat}:")
        client = Client(HTTP_HOST="localhost")
        for case in cases:
            if case.server == "drf":
                continue
            call = self._in_process_call(case, client)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = call()
                samples.append(time.perf_counter() - started)
            self.stdout.write(
                f"  {case.label:<28} {statistics.median(samples) * 1e6:7.0f} µs median "
                f"(HTTP {response.status_code})"
            )

    @staticmethod
    def _in_process_call(case: Case, client: Client) -> Callable[[], HttpResponseBase]:
        if case.server == "bare":
            # Straight to the view: the console's middleware is not the bare server's.
            factory = RequestFactory()
            return lambda: bare_reference.introspect(
                factory.post(case.path, case.body, content_type=FORM)
            )
        headers = {k: v for k, v in case.headers.items() if k != "Content-Type"}
        if case.method == "POST":
            return lambda: client.post(case.path, case.body, content_type=FORM, headers=headers)
        return lambda: client.get(case.path, headers=headers)

    # --- The servers ------------------------------------------------------------------------

    def _server_env(self, server: str, digest_key: str) -> dict[str, str]:
        env = {**os.environ, "TOKEN_DIGEST_KEY": digest_key}
        if server == "console":
            return {
                **env,
                "DJANGO_SETTINGS_MODULE": "console.settings",
                "DEBUG": "false",
                "SECRET_KEY": "benchmark-only-" + "x" * 50,
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "false",
                "LOG_LEVEL": "ERROR",
                # whitenoise's, when collectstatic has not run: no static file is asked for.
                "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
            }
        settings_module = BARE_SETTINGS if server == "bare" else DRF_SETTINGS
        return {**env, "DJANGO_SETTINGS_MODULE": settings_module}

    def _reference_command(self, settings_module: str, *args: str) -> str:
        """Run a command in a child process under a reference server's settings."""
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, *args],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise CommandError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _drf_key(self) -> tuple[str, str]:
        """Migrate djangorestframework-api-key's table into this database, and make one key."""
        self._reference_command(
            DRF_SETTINGS, "-m", "django", "migrate", "rest_framework_api_key", "--noinput", "-v0"
        )
        name = f"benchmark {time.time_ns()}"
        created = self._reference_command(
            DRF_SETTINGS, "-m", "tokens.benchmark_reference.drf_keys", "create", name
        )
        key_id, key = created.split()
        return key_id, key

    @contextmanager
    def _gunicorn(
        self,
        server: str,
        *,
        workers: int,
        worker_class: str,
        threads: int,
        connections: int,
        digest_key: str,
    ) -> Iterator[int]:
        port = _free_port()
        command = [
            sys.executable, "-m", "gunicorn",
            "console.wsgi" if server == "console" else REFERENCE_WSGI,
            "--workers", str(workers), "--worker-class", worker_class,
            "--bind", f"127.0.0.1:{port}", "--log-level", "error",
        ]  # fmt: skip
        if worker_class == "gthread":
            # A gthread worker accepts as many connections as it is allowed: capped, wrk's kept-
            # alive connections cannot all land on one worker and leave the others idle.
            capped = -(-connections // workers) + threads
            command += ["--threads", str(threads), "--worker-connections", str(capped)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=self._server_env(server, digest_key), cwd=settings.BASE_DIR
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                if process.poll() is not None:
                    raise CommandError(f"The {server} server exited ({process.returncode}).")
                try:
                    with closing(socket.create_connection(("127.0.0.1", port), timeout=0.2)):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise CommandError(f"The {server} server did not start.") from None
                    time.sleep(0.1)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)

    def _check(self, case: Case, port: int) -> None:
        """One request: the case must answer 200 with what it should, or nothing is measured."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(case.method, case.path, body=case.body or None, headers=case.headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        ok = response.status == 200
        if ok and case.expect is not None:
            try:
                answer = json.loads(text)
            except ValueError:
                answer = None
            ok = isinstance(answer, dict) and all(
                answer.get(k) == v for k, v in case.expect.items()
            )
        if not ok:
            raise CommandError(
                f"{case.label}: expected 200 with {case.expect}, got {response.status}: "
                f"{text[:300]}"
            )

    # --- Load -------------------------------------------------------------------------------

    def _wrk(
        self, case: Case, port: int, *, seconds: int, connections: int, close: bool, folder: Path
    ) -> Measure:
        script = folder / f"{case.key}-{'close' if close else 'keepalive'}.lua"
        if not script.exists():
            script.write_text(_wrk_script(case, close))
            script.chmod(0o600)  # it holds the token and the keys
        command = [
            "wrk", "-t1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
            "-s", str(script), f"http://127.0.0.1:{port}{case.path}",
        ]  # fmt: skip
        done = subprocess.run(  # noqa: S603 - wrk, with our arguments
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        if done.returncode:
            raise CommandError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return parse_wrk(done.stdout)

    def _over_http(
        self,
        cases: list[Case],
        *,
        seconds: int,
        rounds: int,
        mode: str,
        workers: int,
        worker_class: str,
        threads: int,
        connections: int,
        warmup: int,
        digest_key: str,
        **options: Any,
    ) -> None:
        modes = ["keepalive", "close"] if mode == "both" else [mode]
        version = ".".join(str(part) for part in connection.get_database_version())
        threads_text = f" x {threads} thread{'s' if threads != 1 else ''}"
        self.stdout.write(
            f"\nOver HTTP on {os.cpu_count()} CPUs; database {connection.display_name} {version} "
            f"(vendor {connection.vendor}).\n"
            f"Each case its own gunicorn: {workers} workers, {worker_class}"
            f"{threads_text if worker_class == 'gthread' else ''}. "
            f"wrk: 1 thread, {connections} connections. {rounds} interleaved rounds x "
            f"{seconds} s per case and mode, after {warmup} s of warm-up.\n"
            f"Load average before the servers start: {_load()}."
        )
        if worker_class == "sync" and "keepalive" in modes:
            self.stdout.write(
                "Note: gunicorn's sync worker closes every connection: keep-alive is not kept."
            )
        with ExitStack() as stack:
            ports = {
                server: stack.enter_context(
                    self._gunicorn(
                        server,
                        workers=workers,
                        worker_class=worker_class,
                        threads=threads,
                        connections=connections,
                        digest_key=digest_key,
                    )
                )
                for server in dict.fromkeys(case.server for case in cases)
            }
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-wrk-")))
            for case in cases:
                self._check(case, ports[case.server])
            for each_mode in modes:
                close = each_mode == "close"
                load = partial(self._wrk, connections=connections, close=close, folder=folder)
                if warmup > 0:
                    for case in cases:
                        load(case, ports[case.server], seconds=warmup)
                results: dict[str, list[Measure]] = {case.key: [] for case in cases}
                for round_ in range(rounds):
                    start = round_ % len(cases)
                    for case in cases[start:] + cases[:start]:
                        measure = load(case, ports[case.server], seconds=seconds)
                        results[case.key].append(measure)
                    self.stderr.write(f"  ({each_mode}: round {round_ + 1}/{rounds} done)")
                self._report(MODES[each_mode], cases, results)
        self.stdout.write(f"\nLoad average after: {_load()}.")

    # --- Report -----------------------------------------------------------------------------

    def _report(self, title: str, cases: list[Case], results: dict[str, list[Measure]]) -> None:
        self.stdout.write(f"\n{title}:")
        self.stdout.write(f"  {'case':<28} {'req/s median':>12} {'min-max':>13} {'p50 median':>11}")
        for case in cases:
            measures = results[case.key]
            rates = [m.rate for m in measures]
            non_2xx = sum(m.non_2xx for m in measures)
            socket_errors = sum(m.socket_errors for m in measures)
            flags = []
            if non_2xx:
                flags.append(f"{non_2xx} non-2xx")
            if socket_errors:
                flags.append(f"{socket_errors} socket errors")
            self.stdout.write(
                f"  {case.label:<28} {statistics.median(rates):12.0f} "
                f"{_spread(rates, 0):>13} "
                f"{statistics.median(m.p50_ms for m in measures):8.2f} ms"
                + (f"  FLAGGED: {', '.join(flags)}" if flags else "")
            )
        ratios = [
            ("usable", "bare", "console usable ÷ bare"),
            ("usable", "drf", "console usable ÷ drf-api-key"),
            ("limited", "bare", "console limited ÷ bare"),
            ("limited", "drf", "console limited ÷ drf-api-key"),
            ("unknown", "bare", "console unknown ÷ bare"),
        ]
        medians: dict[tuple[str, str], float] = {}
        self.stdout.write(f"  {'ratios, per round':<28} {'median':>12} {'min-max':>13}")
        for top, bottom, label in ratios:
            if top not in results or bottom not in results:
                self.stdout.write(f"  {label:<28} {'(not run)':>12}")
                continue
            per_round = [
                a.rate / b.rate if b.rate else 0.0
                for a, b in zip(results[top], results[bottom], strict=True)
            ]
            medians[top, bottom] = statistics.median(per_round)
            self.stdout.write(
                f"  {label:<28} {medians[top, bottom]:11.2f}x {_spread(per_round, 2):>13}"
            )
        goals = []
        for top, who in [("usable", "usable"), ("limited", "with limits")]:
            for bottom, goal, name in [("bare", GOAL_OF_BARE, "bare"), ("drf", GOAL_OF_DRF, "drf")]:
                wanted = f"console {who} ≥ {goal:g}x {'drf-api-key' if name == 'drf' else name}"
                ratio = medians.get((top, bottom))
                if ratio is None:
                    goals.append(f"{wanted}: not measured")
                else:
                    verdict = "met" if ratio >= goal else "NOT met"
                    goals.append(f"{wanted}: {verdict} ({ratio:.2f}x)")
        self.stdout.write("  Goals: " + "; ".join(goals) + ".")
