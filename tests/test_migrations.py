"""Database objects written in SQL survive later migrations (SQLite rebuilds tables)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def database_objects():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tokens_token'")
        return {row[0] for row in cursor.fetchall()}


def test_search_and_sort_indexes_exist_after_all_migrations(db):
    expected = {"token_assignable_name_idx", "token_provider_name_idx"}
    if connection.vendor == "sqlite":
        expected |= {
            "tokens_token_fts_insert",
            "tokens_token_fts_delete",
            "tokens_token_fts_update",
        }
    else:
        expected |= {"token_name_trgm"}

    assert expected <= database_objects()


def test_last_used_index_puts_never_used_tokens_first_on_either_database(db):
    # SQLite puts NULLs first in an ascending index; PostgreSQL only when told (migration 0009).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'token_provider_last_used_idx'"
            )
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'token_provider_last_used_idx'"
            )
        definition = cursor.fetchone()[0]

    if connection.vendor == "sqlite":
        assert '("provider_id", "last_used_at", "created_at" DESC)' in definition
    else:
        assert "(provider_id, last_used_at NULLS FIRST, created_at DESC)" in definition


def test_activitys_name_search_index_exists_after_all_migrations(db):
    if connection.vendor == "sqlite":
        expected = {"audit_event_fts_insert", "audit_event_fts_delete"}
        found = database_objects()
    else:
        expected = {"event_target_name_trgm"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_event'")
            found = {row[0] for row in cursor.fetchall()}

    assert expected <= found


BEFORE_PROVIDERS = [
    ("accounts", None),
    ("models_registry", "0001_create_ai_model"),
    ("tokens", "0005_token_owner_model_created_index"),
    ("api", "0001_license_key_moves_to_api"),
]


@pytest.mark.django_db(transaction=True)
def test_each_provider_user_becomes_a_provider_keeping_every_object_and_secret():
    """Data made under the schema before providers (users owned things) survives the move."""
    from console.keys import digest
    from tokens.secrets import new_secret

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_PROVIDERS)
    old = executor.loader.project_state([node for node in BEFORE_PROVIDERS if node[1]]).apps
    User = old.get_model("auth", "User")
    ann = User.objects.create(username="ann", password="!")
    ANN = User.objects.create(username="ANN", password="!")  # a name that differs only in case
    User.objects.create(username="root", password="!", is_staff=True)  # staff owning nothing
    model = old.get_model("models_registry", "AIModel").objects.create(
        owner=ann, name="Vision", model_id="mdl_vision"
    )
    secret = new_secret()
    old.get_model("tokens", "Token").objects.create(
        owner=ann,
        model=model,
        name="gw",
        token_id="tok_gw",
        digest=secret.digest,
        hint="h",
        expires_at=timezone.now() + timedelta(days=5),
    )
    old.get_model("api", "LicenseKey").objects.create(
        owner=ANN, name="k", key_id="lic_k", digest=digest("lic_x"), hint="h"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from console.accounts.models import Membership, Provider
    from console.api.models import LicenseKey
    from models_registry.models import AIModel
    from tokens.models import Token
    from tokens.services import authenticate

    owners = {m.provider.name: (m.user.username, m.role) for m in Membership.objects.all()}
    assert owners == {"ann": ("ann", "OWNER"), "ANN (2)": ("ANN", "OWNER")}
    assert not Provider.objects.filter(memberships__user__username="root").exists()
    assert AIModel.objects.get(model_id="mdl_vision").provider.name == "ann"
    assert Token.objects.get(token_id="tok_gw").provider.name == "ann"
    key = LicenseKey.objects.get(key_id="lic_k")
    assert (key.provider.name, key.created_by.username) == ("ANN (2)", "ANN")
    assert authenticate(secret.value).token.token_id == "tok_gw"
    assert {"token_assignable_name_idx", "token_provider_name_idx"} <= database_objects()
