"""
Load a million events for one provider fast, then measure what reads them (Activity and its
filters, its CSV export, GET /api/v1/events, a token's and a model's History) and what recording
an event adds to a write. Prints figures; asserts nothing (timings belong to benchmarks, not tests).

    python manage.py benchmark_events --events 1000000

Pages go through Django's whole request cycle (the test client, signed in as the provider's
Owner, or with a license key for the API): the server's time, without a network or a browser.
"""

import json
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import cycle
from typing import Any, cast
from unittest import mock
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from console import bulk_load
from console.accounts.models import Provider, Role
from console.accounts.services import add_member, create_provider
from console.api.models import LicenseKey
from console.api.selectors import license_keys_for
from console.api.services import create_license_key, revoke_license_key
from console.audit.actors import Actor
from console.audit.filters import EventFilter
from console.audit.models import TARGET_NAME_FTS_TABLE, Action, ActorKind, Event, TargetKind
from console.audit.selectors import events_for, history_of_model, history_of_token
from console.audit.views import ACTIVITY_PAGE_SIZE, NEWEST_FIRST
from console.identifiers import BASE62_ALPHABET
from console.pagination import KeysetPaginator
from models_registry.models import AIModel
from models_registry.services import create_model
from tokens.management.commands.benchmark_tokens import WORDS
from tokens.models import Token
from tokens.services import create_token, renew_token

ACTOR = Actor.system("benchmark_events")
# Every column but the id, in the model's field order, which EventRows yields them in.
COLUMNS = [field.attname for field in Event._meta.concrete_fields if not field.primary_key]
SPAN = timedelta(days=730)  # the events spread over the last two years
# Who acts, and how often: an automation key most of all, one member hardly ever.
KEY_WEIGHTS = {"Provisioning": 40.0, "Billing sync": 10.0, "Gateway": 5.0}
MEMBER_WEIGHTS = [8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0.5, 0.01]
SYSTEM_WEIGHT = 5.0
# Mostly tokens' changes; a member's role changes about once in ten thousand events.
ACTION_WEIGHTS = {
    Action.TOKEN_RENEWED: 26.0,
    Action.TOKEN_CREATED: 14.0,
    Action.TOKEN_ASSIGNED: 12.0,
    Action.TOKEN_EXPIRATION_CHANGED: 8.0,
    Action.TOKEN_UNASSIGNED: 6.0,
    Action.TOKEN_RENAMED: 5.0,
    Action.TOKEN_SUSPENDED: 5.0,
    Action.TOKEN_NOTE_CHANGED: 4.0,
    Action.TOKEN_ACTIVATED: 4.0,
    Action.TOKEN_CANCELLED: 3.0,
    Action.TOKEN_DELETED: 2.0,
    Action.MODEL_RENAMED: 0.3,
    Action.MODEL_DESCRIPTION_CHANGED: 0.3,
    Action.LICENSE_KEY_CREATED: 0.02,
    Action.MEMBER_INVITED: 0.02,
    Action.MEMBER_ROLE_CHANGED: 0.01,
    Action.PROVIDER_SETTINGS_CHANGED: 0.01,
}
COMMON_ACTION, RARE_ACTION = Action.TOKEN_RENEWED, Action.MEMBER_ROLE_CHANGED
EVENTS_PER_TOKEN = 8
HOT_TOKEN_SHARE = 0.01  # one token a script renews again and again
BUSY_MODEL_SHARE = 0.4  # the model most assignments go to
REAL_TOKENS = 40
MODELS = 20
NOTES = ["", "Rotated by ops", "Customer asked for a pause", "Pilot", "See ticket 4711"]
STATUS_CHANGES = {
    Action.TOKEN_SUSPENDED: ("ACTIVE", "SUSPENDED"),
    Action.TOKEN_ACTIVATED: ("SUSPENDED", "ACTIVE"),
    Action.TOKEN_CANCELLED: ("ACTIVE", "CANCELED"),
}
ID_CHARS = bytes(ord(BASE62_ALPHABET[byte % 62]) for byte in range(256))
COMMON_TEXT, RARE_TEXT, SHORT_TEXT = "batch", "zzqx", "re"
DEEP_EVENTS = 1_000 * ACTIVITY_PAGE_SIZE  # Activity's page 1,001
EXPORT_SUBSET = 50_000


@dataclass(frozen=True)
class Who:
    """An actor as its events name it (plain text, ready for the database)."""

    kind: str
    ref: str
    name: str
    source: str


@dataclass
class World:
    """A benchmark provider and the people, keys, models and tokens its events name."""

    person: User
    provider: Provider
    members: list[User]
    keys: list[LicenseKey]
    models: list[AIModel]
    tokens: list[Token]

    def actors(self) -> tuple[list[Who], list[float]]:
        keys = [
            (Who("license_key", f"key:{k.key_id}", k.name, "api"), KEY_WEIGHTS[k.name])
            for k in self.keys
        ]
        members = [
            (Who("user", f"user:{m.pk}", m.username, "console"), weight)
            for m, weight in zip(self.members, MEMBER_WEIGHTS, strict=True)
        ]
        system = [(Who("system", "system", "sync_tokens", "command"), SYSTEM_WEIGHT)]
        pairs = keys + members + system
        return [who for who, _ in pairs], [weight for _, weight in pairs]


def _moment(value: datetime) -> str:
    """A moment in naive UTC as events store it in `changes` (console.audit.services)."""
    return value.isoformat() + "Z"


class EventRows:
    """
    Made-up but realistic events for one provider, the same on every run (seeded): tokens'
    changes mostly, by ~20 actors, spread over two years, oldest first, each shaped as the
    services write it. Rows come as the database stores them, ready for `bulk_load.load_rows`.
    """

    def __init__(self, world: World, *, start: int, count: int):
        self.rng = random.Random(f"{world.provider.pk}-{start}")  # noqa: S311 - not secrets
        self.world, self.count = world, count
        self.whos, self.who_weights = world.actors()
        self.token_pool = [(t.token_id, t.name) for t in world.tokens] + [
            self._token_identity(i) for i in range(max(count // EVENTS_PER_TOKEN, 10))
        ]
        # No token is ever assigned to the last model: its History is its own few changes.
        self.assignable_models = world.models[:-1] or world.models
        self.builders: dict[Action, Callable[[Action, datetime], tuple]] = {
            **dict.fromkeys(
                [action for action in ACTION_WEIGHTS if action.value.startswith("token.")],
                self._token_change,
            ),
            Action.MODEL_RENAMED: self._model_change,
            Action.MODEL_DESCRIPTION_CHANGED: self._model_change,
            Action.LICENSE_KEY_CREATED: self._key_created,
            Action.MEMBER_INVITED: self._member_invited,
            Action.MEMBER_ROLE_CHANGED: self._role_changed,
            Action.PROVIDER_SETTINGS_CHANGED: self._settings_changed,
        }

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{self.rng.randbytes(20).translate(ID_CHARS).decode()}"

    def _token_identity(self, number: int) -> tuple[str, str]:
        words = self.rng.choice(WORDS), self.rng.choice(WORDS)
        return self._id("tok"), f"{words[0]}-{words[1]}-{number:07d}"

    def __iter__(self) -> Iterator[tuple]:
        rng, provider_id, stored = self.rng, self.world.provider.pk, self._stored_moment()
        kinds = [(action, action.value, self.builders[action]) for action in ACTION_WEIGHTS]
        picks = rng.choices(kinds, list(ACTION_WEIGHTS.values()), k=self.count)
        whos = rng.choices(self.whos, self.who_weights, k=self.count)
        step = SPAN / max(self.count, 1)
        first = timezone.now().astimezone(UTC).replace(tzinfo=None) - SPAN
        for n, ((action, action_value, build), who) in enumerate(zip(picks, whos, strict=True)):
            occurred = first + step * (n + rng.random())
            kind, target_id, name, related_id, changes = build(action, occurred)
            yield (
                self._id("evt"),
                provider_id,
                stored(occurred),
                who.kind,
                who.ref,
                who.name,
                who.source,
                *self._origin(who),
                action_value,
                kind,
                target_id,
                name,
                related_id,
                json.dumps(changes),
            )

    @staticmethod
    def _stored_moment() -> Callable[[datetime], object]:
        """How the database takes a moment made in naive UTC: as Django's SQLite backend writes
        it (text that sorts), or as an aware datetime for PostgreSQL."""
        if connection.vendor == "sqlite":
            return str
        return lambda moment: moment.replace(tzinfo=UTC)

    def _origin(self, who: Who) -> tuple[str | None, str]:
        """The client's address and the request's id; a command has neither."""
        if who.kind == ActorKind.SYSTEM:
            return None, ""
        if who.kind == ActorKind.LICENSE_KEY:  # a gateway, always at one address
            return "198.51.100.7", self.rng.randbytes(16).hex()
        return f"203.0.113.{self.rng.randrange(1, 255)}", self.rng.randbytes(16).hex()

    def _model(self) -> AIModel:
        if self.rng.random() < BUSY_MODEL_SHARE:
            return self.assignable_models[0]
        return self.rng.choice(self.assignable_models)

    def _token_change(self, action: Action, occurred: datetime) -> tuple:
        rng = self.rng
        hot = self.world.tokens and rng.random() < HOT_TOKEN_SHARE
        token_id, name = self.token_pool[0] if hot else rng.choice(self.token_pool)
        changes, related_id = self._token_changes(action, occurred, name)
        return TargetKind.TOKEN.value, token_id, name, related_id, changes

    def _token_changes(self, action: Action, occurred: datetime, name: str) -> tuple[dict, str]:
        """A token's change as `tokens.services` records it, and the model it concerns."""
        rng = self.rng
        expires = _moment(occurred + timedelta(days=rng.choice([30, 90, 365])))
        changes: dict[str, list[Any]]
        match action:
            case Action.TOKEN_CREATED:
                changes = {"name": [None, name], "status": [None, "ACTIVE"]}
                changes["expires_at"] = [None, expires]
                if rng.random() > 0.3:
                    return changes, ""
                model = self._model()
                return changes | {"model": [None, model.name]}, model.model_id
            case Action.TOKEN_RENEWED | Action.TOKEN_EXPIRATION_CHANGED:
                return {"expires_at": [_moment(occurred), expires]}, ""
            case Action.TOKEN_ASSIGNED:
                model = self._model()
                changes = {"model": [None, model.name]}
                if rng.random() < 0.2:
                    changes["needs_new_evk"] = [False, True]
                return changes, model.model_id
            case Action.TOKEN_UNASSIGNED:
                model = self._model()
                return {"model": [model.name, None]}, model.model_id
            case Action.TOKEN_DELETED:
                return {}, self._model().model_id if rng.random() < 0.3 else ""
            case Action.TOKEN_RENAMED:
                return {"name": [f"{rng.choice(WORDS)}-{name}", name]}, ""
            case Action.TOKEN_NOTE_CHANGED:
                return {"note": rng.sample(NOTES, 2)}, ""
        before, after = STATUS_CHANGES[action]
        return {"status": [before, after]}, ""

    def _model_change(self, action: Action, occurred: datetime) -> tuple:
        model = self.rng.choice(self.world.models)
        changes: dict = {"name": [f"{model.name} (beta)", model.name]}
        if action == Action.MODEL_DESCRIPTION_CHANGED:
            changes = {"description": ["", f"{self.rng.choice(WORDS).title()} questions"]}
        return TargetKind.MODEL.value, model.model_id, model.name, "", changes

    def _key_created(self, action: Action, occurred: datetime) -> tuple:
        name = f"Script {self.rng.randrange(1000)}"
        changes = {"name": [None, name], "created_by": [None, self.world.person.username]}
        return TargetKind.LICENSE_KEY.value, self._id("lic"), name, "", changes

    def _member_invited(self, action: Action, occurred: datetime) -> tuple:
        email = f"someone{self.rng.randrange(10_000)}@example.com"
        changes = {"email": [None, email], "role": [None, Role.MEMBER]}
        return TargetKind.INVITATION.value, self._id("inv"), email, "", changes

    def _role_changed(self, action: Action, occurred: datetime) -> tuple:
        member = self.rng.choice(self.world.members)
        changes = {"role": [Role.MEMBER, Role.VIEWER]}
        return TargetKind.MEMBER.value, f"user:{member.pk}", member.username, "", changes

    def _settings_changed(self, action: Action, occurred: datetime) -> tuple:
        provider = self.world.provider
        changes = {"default_token_lifetime_days": [None, self.rng.choice([30, 90, 365])]}
        return TargetKind.PROVIDER.value, provider.provider_id, provider.name, "", changes


def _cursor_after(events, count: int) -> tuple[str | None, int]:
    """The `next` cursor after about the newest `count` events, found by following cursors as a
    reader would (a thousand at a time), and how many events it skips."""
    paginator = KeysetPaginator(events, keys=NEWEST_FIRST, per_page=20 * ACTIVITY_PAGE_SIZE)
    page = paginator.page(None)
    walked = len(page)
    while walked < count and page.next_cursor:
        page = paginator.page(page.next_cursor)
        walked += len(page)
    return page.next_cursor, walked


class Command(BaseCommand):
    help = "Bulk-load events for a benchmark provider and print the server time of their pages."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument(
            "--small", type=int, default=1_000, help="events of a second provider, to compare"
        )
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--rounds", type=int, default=10, help="rounds of the write cost")
        parser.add_argument("--writes", type=int, default=20, help="writes per case and round")
        parser.add_argument("--username", default="bench-events")

    def handle(self, *args, events, small, repeat, rounds, writes, username, **options):
        if connection.vendor == "postgresql":
            # Loading and re-indexing a million rows takes minutes: lift the request-sized limit.
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        big = self._world(username, events)
        small_one = self._world(f"{username}-small", small)
        bulk_load.refresh_statistics()
        for world in (big, small_one):
            self._pages(world, repeat)
        self._export(big)
        self._write_cost(big, rounds=rounds, writes=writes)

    # --- Loading --------------------------------------------------------------------------------

    def _world(self, username: str, count: int) -> World:
        person, provider = self._owner(username)
        models = self._models(provider)
        world = World(
            person=person,
            provider=provider,
            members=self._members(provider, username),
            keys=self._keys(provider, person),
            models=models,
            tokens=self._tokens(provider, models),
        )
        have = events_for(provider).count()
        if have < count:
            started = time.perf_counter()
            bulk_load.load_rows(
                Event._meta.db_table,
                COLUMNS,
                EventRows(world, start=have, count=count - have),
                large=count - have >= bulk_load.LARGE_LOAD,
                text_indexes={TARGET_NAME_FTS_TABLE: "target_name"},
            )
            seconds = time.perf_counter() - started
            self.stdout.write(f"Loaded {count - have:,} events in {seconds:.1f} s")
        return world

    def _owner(self, username: str) -> tuple[User, Provider]:
        """The benchmark's person and their provider (named after them), made once."""
        person, _ = get_user_model().objects.get_or_create(username=username)
        provider = Provider.objects.filter(name=username).first()
        return person, provider or create_provider(actor=ACTOR, name=username, owner=person)

    def _members(self, provider: Provider, username: str) -> list[User]:
        members = []
        for number in range(1, len(MEMBER_WEIGHTS) + 1):
            user, made = get_user_model().objects.get_or_create(username=f"{username}-{number:02}")
            if made:
                add_member(actor=ACTOR, provider=provider, user=user, role=Role.MEMBER)
            members.append(user)
        return members

    def _keys(self, provider: Provider, person: User) -> list[LicenseKey]:
        keys = {key.name: key for key in license_keys_for(provider).filter(name__in=KEY_WEIGHTS)}
        for name in KEY_WEIGHTS.keys() - keys.keys():
            keys[name], _ = create_license_key(
                actor=ACTOR, provider=provider, created_by=person, name=name
            )
        return [keys[name] for name in KEY_WEIGHTS]

    def _models(self, provider: Provider) -> list[AIModel]:
        models = list(AIModel.objects.filter(provider=provider).order_by("pk"))
        for number in range(len(models), MODELS):
            name = f"Benchmark model {number:02}"
            models.append(create_model(actor=ACTOR, provider=provider, name=name))
        return models[:MODELS]

    def _tokens(self, provider: Provider, models: list[AIModel]) -> list[Token]:
        """A few real tokens (most events name made-up ones): their pages, and writes to time."""
        tokens = list(Token.objects.filter(provider=provider).order_by("pk")[:REAL_TOKENS])
        for number in range(len(tokens), REAL_TOKENS):
            name = f"{WORDS[number % len(WORDS)]}-live-{number:02}"
            model = models[number % len(models)] if number % 3 else None
            tokens.append(create_token(actor=ACTOR, provider=provider, name=name, model=model)[0])
        return tokens

    # --- Measuring ------------------------------------------------------------------------------

    def _measure(self, client: Client, url: str, repeat: int):
        """Median and max server time of `url` over `repeat` requests (after one to warm up),
        and the last response."""
        client.get(url)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(timings), max(timings), response

    def _report(self, label: str, median: float, worst: float, note: str = "") -> None:
        self.stdout.write(
            f"  {label:<38} median {median:7.1f} ms   max {worst:7.1f} ms   {note}".rstrip()
        )

    def _pages(self, world: World, repeat: int) -> None:
        events = events_for(world.provider)
        total = events.count()
        self.stdout.write(f"\n{connection.vendor}: {total:,} events for “{world.provider.name}”")
        deep = _cursor_after(events, min(DEEP_EVENTS, total // 2))
        client = Client(HTTP_HOST="localhost")
        client.force_login(world.person)
        self._activity(client, world, deep, repeat)
        self._api(world, deep, repeat)
        self._histories(client, world, repeat)

    def _month(self, days: int = 30) -> dict[str, str]:
        """A stretch of `days` days ending a year ago (Activity's From and To)."""
        until = timezone.localdate() - timedelta(days=365)
        return {"since": (until - timedelta(days=days - 1)).isoformat(), "until": until.isoformat()}

    def _activity(self, client: Client, world: World, deep, repeat: int) -> None:
        self.stdout.write("Activity (GET /activity/?…, full page):")
        cursor, skipped = deep
        common_actor, rare_actor = f"key:{world.keys[0].key_id}", f"user:{world.members[-1].pk}"
        month = self._month()
        cases: list[tuple[str, dict[str, Any]]] = [
            ("first page", {}),
            (f"page {skipped // ACTIVITY_PAGE_SIZE + 1:,} (cursor)", {"cursor": cursor or ""}),
            ("who: a busy license key", {"actor": common_actor}),
            ("who: a member who rarely acts", {"actor": rare_actor}),
            (f"action: {COMMON_ACTION.value}", {"action": COMMON_ACTION}),
            (f"action: {RARE_ACTION.value}", {"action": RARE_ACTION}),
            (f"name contains '{COMMON_TEXT}'", {"target": COMMON_TEXT}),
            (f"name contains '{RARE_TEXT}'", {"target": RARE_TEXT}),
            (f"name contains '{SHORT_TEXT}' (refused)", {"target": SHORT_TEXT}),
            ("one month", month),
            ("all combined", {"actor": common_actor, "action": COMMON_ACTION,
                              "target": COMMON_TEXT, **month}),
        ]  # fmt: skip
        for label, query in cases:
            matches = EventFilter(query, queryset=events_for(world.provider)).qs.count()
            median, worst, response = self._measure(
                client, f"/activity/?{urlencode(query)}", repeat
            )
            refused = b"Type at least" in response.content
            self._report(label, median, worst, f"{matches:>9,} events" + " (refused)" * refused)

    def _api(self, world: World, deep, repeat: int) -> None:
        self.stdout.write("API (GET /api/v1/events?…, license key):")
        key, secret = create_license_key(
            actor=ACTOR,
            provider=world.provider,
            created_by=world.person,
            name=f"benchmark {time.time_ns()}",
        )
        client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
        cursor, skipped = deep
        cases: list[tuple[str, dict[str, Any]]] = [
            ("first page (25)", {}),
            (f"{skipped:,} events on (cursor)", {"cursor": cursor or ""}),
            (f"action={Action.TOKEN_ASSIGNED.value}", {"action": Action.TOKEN_ASSIGNED}),
            (f"target={COMMON_TEXT}, limit=100", {"target": COMMON_TEXT, "limit": 100}),
        ]
        try:
            for label, query in cases:
                url = f"/api/v1/events?{urlencode({k: v for k, v in query.items() if v})}"
                median, worst, _ = self._measure(client, url, repeat)
                self._report(label, median, worst)
        finally:
            revoke_license_key(actor=ACTOR, key=key)

    def _histories(self, client: Client, world: World, repeat: int) -> None:
        self.stdout.write("History (a token's page; a model's History tab):")
        for label, token in [
            ("token page, busiest token", world.tokens[0]),
            ("token page, a typical token", world.tokens[-1]),
        ]:
            url, history = f"/tokens/{token.token_id}/", history_of_token(token)
            median, worst, _ = self._measure(client, url, repeat)
            self._report(label, median, worst, f"{history.count():>9,} events")
        for label, model in [
            ("model History, busiest model", world.models[0]),
            ("model History, a quiet model", world.models[-1]),
            ("model History, a model made today", self._new_model(world.provider)),
        ]:
            url, history = f"/models/{model.model_id}/history/", history_of_model(model)
            median, worst, _ = self._measure(client, url, repeat)
            self._report(label, median, worst, f"{history.count():>9,} events")

    def _new_model(self, provider: Provider) -> AIModel:
        """A model with one event (its creation): its History has the fewest to find."""
        name = "Benchmark model, new"
        new = AIModel.objects.filter(provider=provider, name=name).first()
        return new or create_model(actor=ACTOR, provider=provider, name=name)

    # --- Exporting ------------------------------------------------------------------------------

    def _export(self, world: World) -> None:
        self.stdout.write("\nCSV export (GET /activity/export.csv?…, streamed to the end):")
        client = Client(HTTP_HOST="localhost")
        client.force_login(world.person)
        per_day = events_for(world.provider).count() / SPAN.days
        subset = self._month(days=max(1, round(EXPORT_SUBSET / max(per_day, 1))))
        for query in [subset, {}]:
            url = f"/activity/export.csv?{urlencode(query)}"
            seconds, rows, size = self._stream(client, url)
            tracemalloc.start()
            self._stream(client, url)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            self.stdout.write(
                f"  {rows:>9,} events {size / 1e6:7.1f} MB   {seconds:6.1f} s"
                f"   {rows / max(seconds, 1e-9):8,.0f} events/s   peak Python memory"
                f" {peak / 1e6:6.1f} MB   ({query or 'no filter'})"
            )

    def _stream(self, client: Client, url: str) -> tuple[float, int, int]:
        """Seconds to stream the export to its end, its events (one per chunk) and bytes."""
        started = time.perf_counter()
        response = cast(StreamingHttpResponse, client.get(url))
        assert response.status_code == 200, response.status_code
        chunks = size = 0
        for chunk in cast(Iterator[bytes], response.streaming_content):
            chunks += 1
            size += len(chunk)
        return time.perf_counter() - started, chunks - 1, size

    # --- Writing --------------------------------------------------------------------------------

    def _write_cost(self, world: World, *, rounds: int, writes: int) -> None:
        """renew_token with its event as it is, and with `record` a no-op: interleaved rounds,
        the cases' order alternating, so that drift of the machine touches both alike."""
        total = Event.objects.count()
        self.stdout.write(f"\nWrite cost (renew_token; {total:,} events in the table):")
        cases: dict[str, Callable[[], AbstractContextManager]] = {
            "with its event": nullcontext,
            "event not recorded": lambda: mock.patch("tokens.services.record"),
        }
        labels, tokens = list(cases), cycle(world.tokens)
        samples: dict[str, list[float]] = {label: [] for label in labels}
        for round_number in range(rounds + 1):  # round 0 warms up
            turn = round_number % len(labels)
            for label in labels[turn:] + labels[:turn]:
                with cases[label]():
                    for _ in range(writes):
                        started = time.perf_counter()
                        renew_token(actor=ACTOR, token=next(tokens))
                        if round_number:
                            samples[label].append((time.perf_counter() - started) * 1000)
        medians = {label: statistics.median(samples[label]) for label in labels}
        for label in labels:
            self._report(
                label, medians[label], max(samples[label]), f"{len(samples[label])} writes"
            )
        with_event, without = medians[labels[0]], medians[labels[1]]
        self.stdout.write(
            f"  the event adds {with_event - without:.2f} ms a write"
            f" ({(with_event - without) / without:+.0%} on {without:.2f} ms)"
        )
