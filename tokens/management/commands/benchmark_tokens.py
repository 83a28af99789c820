"""
Load many tokens for one provider fast, then measure the server time of the pages that must
stay fast at that size, and of the JSON API's first page of tokens against a deep one (the
10,000th page of 100 at a million tokens), in every sort. Prints figures; asserts nothing
(timings belong to benchmarks, not tests).

    python manage.py benchmark_tokens --tokens 1000000
"""

import hashlib
import random
import statistics
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import HttpRequest, QueryDict
from django.test import Client
from django.utils import timezone

from console import bulk_load
from console.accounts.models import Provider
from console.accounts.services import create_provider
from console.api.pagination import PAGING_PARAMETERS
from console.api.services import create_license_key, revoke_license_key
from console.audit.actors import Actor
from console.pagination import KeysetPaginator, list_context
from models_registry.models import AIModel
from models_registry.services import create_model
from tokens import search
from tokens.filters import SORTS, TokenFilter
from tokens.models import Token
from tokens.selectors import tokens_for
from tokens.views import LIST_PAGING, PAGE_SIZES

WORDS = [
    "acme",
    "alpha",
    "analytics",
    "batch",
    "beta",
    "billing",
    "cloud",
    "customer",
    "dashboard",
    "data",
    "demo",
    "edge",
    "eval",
    "gateway",
    "health",
    "image",
    "internal",
    "lab",
    "mobile",
    "nightly",
    "ops",
    "partner",
    "pilot",
    "prod",
    "radiology",
    "research",
    "retail",
    "sandbox",
    "search",
    "sentiment",
    "service",
    "staging",
    "summer",
    "team",
    "test",
    "trial",
    "vision",
    "web",
    "worker",
]
COLUMNS = [
    "token_id",
    "provider_id",
    "model_id",
    "model_name",
    "last_model_id",
    "needs_new_evk",
    "name",
    "note",
    "status",
    "expires_at",
    "digest",
    "hint",
    "created_at",
    "updated_at",
]
ACTOR = Actor.system("benchmark_tokens")
QUERIES = ["", "a", "re", "res", "research-", "batch", "lab-0", "4242", "zzqx", "zq", "9z"]


class Command(BaseCommand):
    help = "Bulk-load tokens for a benchmark provider and print the server time of key pages."

    def add_arguments(self, parser):
        parser.add_argument("--tokens", type=int, default=1_000_000)
        parser.add_argument("--models", type=int, default=20)
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--username", default="bench")
        parser.add_argument(
            "--small", type=int, default=1_000, help="tokens of a second provider, to compare"
        )
        parser.add_argument("--page-size", type=int, default=100, help="the API's `limit`")
        parser.add_argument(
            "--deep-page",
            type=int,
            default=10_000,
            help="the page the API's first is compared with, or the last there is",
        )

    def handle(
        self, *args, tokens, models, repeat, username, small, page_size, deep_page, **options
    ):
        if connection.vendor == "postgresql":
            # Loading and re-indexing a million rows takes minutes: lift the request-sized limit.
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        big = self._provider(username, tokens, models)
        small_one = self._provider(f"{username}-small", small, models)
        bulk_load.refresh_statistics()
        for (person, provider), what in [big, small_one]:
            total = Token.objects.filter(provider=provider).count()
            self.stdout.write(f"{connection.vendor}: {total:,} tokens for “{provider.name}”")
            client = Client(HTTP_HOST="localhost")
            client.force_login(person)
            self._typeahead(client, what[0], repeat)
            self._tab(client, what[0], repeat)
            self._tokens_list(client, what[0], repeat)
            self._api_pages(person, provider, repeat, page_size, deep_page, total, client)

    def _provider(self, username, tokens, models):
        person, owner = self._owner(username)
        model_list = self._models(owner, models)
        have = Token.objects.filter(provider=owner).count()
        if have < tokens:
            started = time.perf_counter()
            self._load(owner, model_list, start=have, count=tokens - have)
            seconds = time.perf_counter() - started
            self.stdout.write(f"Loaded {tokens - have:,} tokens in {seconds:.1f} s")
        return (person, owner), model_list

    def _owner(self, username):
        """The benchmark's person and their provider (named after them), made once."""
        User = get_user_model()
        person = User.objects.filter(username=username).first()
        person = person or User.objects.create_user(username, password=None)
        provider = Provider.objects.filter(name=username).first()
        return person, provider or create_provider(actor=ACTOR, name=username, owner=person)

    def _models(self, owner, count):
        existing = list(AIModel.objects.filter(provider=owner).order_by("pk"))
        for i in range(len(existing), count):
            existing.append(
                create_model(actor=ACTOR, provider=owner, name=f"Benchmark model {i:02}")
            )
        return existing[:count]

    def _rows(self, owner, models, start, count):
        rng = random.Random(start)  # noqa: S311 - benchmark data, not secrets
        now = timezone.now()
        # As Django stores them (on SQLite, text without "+00:00"): else a moment in a query
        # never equals one in a row, and lists that compare moments skip rows.
        moment = connection.ops.adapt_datetimefield_value
        for i in range(start, start + count):
            roll = rng.random()
            model = None if roll < 0.3 else rng.choice(models)
            status = "CANCELED" if roll > 0.95 else "SUSPENDED" if roll > 0.9 else "ACTIVE"
            name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:07d}"
            digest = hashlib.sha256(f"benchmark-{owner.pk}-{i}".encode()).hexdigest()
            expires = moment(now + timedelta(days=rng.randint(-60, 365)))
            created = moment(now - timedelta(seconds=count - (i - start)))
            yield (
                f"tok_b{owner.pk:04d}{i:015d}",
                owner.pk,
                model.pk if model else None,
                model.name if model else "",
                model.pk if model else None,
                False,
                name,
                "",
                status,
                expires,
                digest,
                f"uat_…{digest[-4:]}",
                created,
                created,
            )

    def _load(self, owner, models, start, count):
        bulk_load.load_rows(
            Token._meta.db_table,
            COLUMNS,
            self._rows(owner, models, start, count),
            large=count >= bulk_load.LARGE_LOAD,
            text_indexes={search.FTS_TABLE: "name"},
        )

    def _measure(self, client, url, repeat, **headers):
        client.get(url, **headers)  # warm caches and the connection
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        return statistics.median(timings), max(timings)

    def _report(self, label, median, worst):
        self.stdout.write(f"  {label:<40} median {median:7.1f} ms   max {worst:7.1f} ms")

    def _typeahead(self, client, model, repeat):
        self.stdout.write("Type-ahead (GET …/tokens/unassigned/?q=…, htmx):")
        url = f"/models/{model.model_id}/tokens/unassigned/"
        for query in QUERIES:
            median, worst = self._measure(
                client, f"{url}?q={query}", repeat, HTTP_HX_REQUEST="true"
            )
            self._report(f"q={query!r}", median, worst)

    def _tab(self, client, model, repeat):
        count = Token.objects.filter(model=model).count()
        self.stdout.write(f"Token Management tab ({count:,} tokens on the model):")
        url = f"/models/{model.model_id}/tokens/"
        for label, query in [("first page", ""), ("page 100", "?page=100")]:
            median, worst = self._measure(client, url + query, repeat)
            self._report(label, median, worst)

    def _tokens_list(self, client, model, repeat):
        self.stdout.write("Tokens List (GET /tokens/?…, full page):")
        soon = (timezone.localdate() + timedelta(days=30)).isoformat()
        for label, query in [
            ("first page", ""),
            ("100 per page", "per_page=100"),
            ("status=ACTIVE", "status=ACTIVE"),
            ("assigned, not expired", "assigned=yes&expired=no"),
            ("model", f"model={model.model_id}"),
            ("name contains 'batch'", "name=batch"),
            ("name contains 'zzqx'", "name=zzqx"),
            ("expiring before +30 days", f"expires_before={soon}"),
            ("sort=name", "sort=name"),
            ("sort=-expires", "sort=-expires"),
            ("sort=status", "sort=status"),
            ("sort=model", "sort=model"),
            ("sort=last_used", "sort=last_used"),
            ("sort=-last_used", "sort=-last_used"),
            ("not used for 30 days", "used=not_for_30_days"),
            ("page 400 (last counted)", "page=400"),
        ]:
            median, worst = self._measure(client, f"/tokens/?{query}", repeat)
            self._report(label, median, worst)

    def _api_pages(self, person, provider, repeat, page_size, deep_page, total, client):
        """GET /api/v1/tokens: the first page and a deep one (as deep as `deep_page`, or the
        last), in every sort, and the Tokens List's deep page by its Next link's cursor."""
        number = max(1, min(deep_page, -(-total // page_size)))
        self.stdout.write(
            f"API (GET /api/v1/tokens?limit={page_size}&sort=…): page 1 and page {number:,}"
        )
        key, secret = create_license_key(
            actor=ACTOR, provider=provider, created_by=person, name="benchmark_tokens"
        )
        api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
        ratios = []
        for sort in [order for name in SORTS for order in (name, f"-{name}")]:
            query = urlencode({"limit": page_size, "sort": sort})
            first = self._measure(api, f"/api/v1/tokens?{query}", repeat)
            cursor = self._cursor_to(provider, query, PAGING_PARAMETERS, page_size, number)
            if cursor is None:
                self._report(f"sort={sort}, page 1 (the only one)", *first)
                continue
            url = f"/api/v1/tokens?{query}&{urlencode({'cursor': cursor})}"
            deep = self._measure(api, url, repeat)
            ratios.append(deep[0] / first[0])
            self._report(f"sort={sort}, page 1", *first)
            self._report(f"sort={sort}, page {number:,} ({ratios[-1]:.2f}x)", *deep)
        if ratios:
            self.stdout.write(
                f"  page {number:,} ÷ page 1 (medians): {min(ratios):.2f}x to {max(ratios):.2f}x"
            )
        revoke_license_key(actor=ACTOR, key=key)
        self._list_deep_page(client, provider, repeat, deep_page, total)

    def _list_deep_page(self, client, provider, repeat, deep_page, total):
        per_page = PAGE_SIZES[-1]
        number = max(1, min(deep_page, -(-total // per_page)))
        query = urlencode({"per_page": per_page})
        cursor = self._cursor_to(provider, query, LIST_PAGING, per_page, number)
        if cursor is None:
            return
        self.stdout.write(f"Tokens List ({per_page} per page): page 1 and page {number:,}")
        first = self._measure(client, f"/tokens/?{query}", repeat)
        url = f"/tokens/?{query}&{urlencode({'cursor': cursor, 'page': number})}"
        deep = self._measure(client, url, repeat)
        self._report("page 1", *first)
        self._report(f"page {number:,} by Next ({deep[0] / first[0]:.2f}x)", *deep)

    @staticmethod
    def _cursor_to(provider, query, paging, page_size, number):
        """The cursor of page `number` (a Next link's, made directly: following 10,000 of them
        would take minutes), or None for the first page."""
        if number < 2:
            return None
        params = QueryDict(query)
        # All the filters read of a request is its provider (the model filter's choices).
        request = cast(HttpRequest, SimpleNamespace(provider=provider))
        tokens = TokenFilter(params, queryset=tokens_for(provider), request=request).qs
        paginator = KeysetPaginator(
            tokens, per_page=page_size, context=list_context(params, paging=paging)
        )
        return paginator.page_at((number - 2) * page_size).next_cursor
