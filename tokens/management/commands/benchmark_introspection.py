"""
How many introspections a second the console answers, against a trivial endpoint of the same
server: what the provider's query gateway costs us per query. Prints figures; asserts nothing.

    python manage.py benchmark_introspection --seconds 10 --workers 2 --clients 4

Starts gunicorn on this project and this database (DATABASE_URL), with production settings,
and drives it from separate processes over loopback: GET /healthz (no database, no session),
then POST /api/v1/introspect with a usable token, an unknown one and a malformed one. Also
prints the in-process server time of each request, without the network and the client.
"""

import http.client
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.test import Client, override_settings

from console.accounts.models import Provider
from console.accounts.services import create_provider
from console.api.services import create_license_key, revoke_license_key
from console.audit.actors import Actor
from models_registry.services import create_model
from tokens.services import create_token


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hammer(port, method, path, body, headers, seconds, results):
    """One client process: requests back to back for `seconds`, counting answers by status."""
    counts: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        counts[response.status] = counts.get(response.status, 0) + 1
        connection.close()
    results.put(counts)


class Command(BaseCommand):
    help = "Measure introspection requests per second against a trivial endpoint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seconds", type=float, default=10.0, help="per case over HTTP; 0 skips HTTP"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--clients", type=int, default=4, help="load-generating processes")
        parser.add_argument("--in-process", type=int, default=2000, help="requests per case")

    def handle(self, *args, **options):
        # The server runs with production settings, which refuse the development digest key:
        # give it one of its own, and make this run's token and license key under it.
        digest_key = settings.TOKEN_DIGEST_KEY
        if settings.DEBUG:
            digest_key = "benchmark-only-digest-key-" + secrets.token_hex(16)
        with override_settings(TOKEN_DIGEST_KEY=digest_key):
            self._run(digest_key=digest_key, **options)

    def _run(self, *, digest_key, seconds, workers, clients, in_process, **options):
        person, _ = get_user_model().objects.get_or_create(username="bench-introspection")
        provider = Provider.objects.filter(name="bench-introspection").first()
        actor = Actor.system("benchmark_introspection")
        provider = provider or create_provider(
            actor=actor, name="bench-introspection", owner=person
        )
        key, license_key = create_license_key(
            actor=actor, provider=provider, created_by=person, name=f"benchmark {time.time_ns()}"
        )
        model = provider.ai_models.first() or create_model(
            actor=actor, provider=provider, name="Benchmark model"
        )
        token, secret = create_token(
            actor=actor, provider=provider, name=f"bench {time.time_ns()}", model=model
        )
        auth = {"Authorization": f"Bearer {license_key}"}
        form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
        cases = [
            ("GET /healthz (trivial)", "GET", "/healthz", None, {}),
            ("introspect, usable token", "POST", "/api/v1/introspect",
             urlencode({"token": secret}), form),
            ("introspect, unknown token", "POST", "/api/v1/introspect",
             urlencode({"token": "uat_" + secret[4:-6][::-1] + "AAAAAA"}), form),
        ]  # fmt: skip
        try:
            self._in_process(cases, in_process)
            if seconds > 0:
                self._over_http(cases, seconds, workers, clients, digest_key)
        finally:
            token.delete()
            revoke_license_key(actor=actor, key=key)

    def _in_process(self, cases, repeat):
        self.stdout.write(f"In-process server time (Django test client), median of {repeat}:")
        client = Client(HTTP_HOST="localhost")
        for label, method, path, body, headers in cases:
            call = getattr(client, method.lower())
            extra = {"content_type": headers["Content-Type"]} if body else {}
            header_args = {k: v for k, v in headers.items() if k != "Content-Type"}
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = call(path, body, headers=header_args, **extra) if body else call(path)
                samples.append(time.perf_counter() - started)
            self.stdout.write(
                f"  {label:<28} {statistics.median(samples) * 1e6:7.0f} µs median "
                f"(HTTP {response.status_code})"
            )

    @contextmanager
    def _gunicorn(self, workers, digest_key):
        port = _free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + "x" * 50,
            "TOKEN_DIGEST_KEY": digest_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "ERROR",
        }
        command = [
            sys.executable, "-m", "gunicorn", "console.wsgi", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "--log-level", "error",
        ]  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603
        try:
            for _ in range(100):
                try:
                    with closing(socket.create_connection(("127.0.0.1", port), timeout=0.2)):
                        break
                except OSError:
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=10)

    def _over_http(self, cases, seconds, workers, clients, digest_key):
        self.stdout.write(
            f"Over HTTP: gunicorn with {workers} workers, {clients} client processes, "
            f"{seconds:g} s per case, on {os.cpu_count()} CPUs:"
        )
        rates = {}
        with self._gunicorn(workers, digest_key) as port:
            for label, method, path, body, headers in cases:
                results: multiprocessing.Queue = multiprocessing.Queue()
                processes = [
                    multiprocessing.Process(
                        target=_hammer, args=(port, method, path, body, headers, seconds, results)
                    )
                    for _ in range(clients)
                ]
                for process in processes:
                    process.start()
                counts: dict[int, int] = {}
                for _ in processes:
                    for status, count in results.get().items():
                        counts[status] = counts.get(status, 0) + count
                for process in processes:
                    process.join()
                rates[label] = sum(counts.values()) / seconds
                self.stdout.write(f"  {label:<28} {rates[label]:8.0f} req/s  statuses {counts}")
        trivial = rates[cases[0][0]]
        for label in list(rates)[1:]:
            self.stdout.write(f"  {label:<28} {rates[label] / trivial:8.2f} x the trivial rate")
