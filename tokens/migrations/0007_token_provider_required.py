"""
Tokens belong to providers now: the owner column goes, and every index and constraint that led
with it leads with the provider instead, including the search and name-sort indexes written in
SQL (migrations 0002 and 0003), which SQLite's table rebuild would drop along with its triggers.
"""

from importlib import import_module

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

search_indexes = import_module("tokens.migrations.0002_token_search_indexes")

ASSIGNABLE = search_indexes.ASSIGNABLE
DROP_SQL_INDEXES = [
    "DROP INDEX IF EXISTS token_assignable_name_idx",
    "DROP INDEX IF EXISTS token_owner_name_idx",
    "DROP INDEX IF EXISTS token_provider_name_idx",
]
CREATE_SQL_INDEXES = {
    "sqlite": [
        "CREATE INDEX token_assignable_name_idx ON tokens_token"
        f" (provider_id, name COLLATE NOCASE) WHERE {ASSIGNABLE}",
        "CREATE INDEX token_provider_name_idx ON tokens_token (provider_id, name COLLATE NOCASE)",
        *search_indexes.SQLITE_FTS_TRIGGERS,
    ],
    "postgresql": [
        "CREATE INDEX token_assignable_name_idx ON tokens_token"
        f' (provider_id, (UPPER((name)::text) COLLATE "C")) WHERE {ASSIGNABLE}',
        "CREATE INDEX token_provider_name_idx ON tokens_token"
        ' (provider_id, (UPPER((name)::text) COLLATE "C"))',
    ],
}


def drop_sql_indexes(apps, schema_editor):
    for statement in DROP_SQL_INDEXES:
        schema_editor.execute(statement)


def create_sql_indexes(apps, schema_editor):
    for statement in CREATE_SQL_INDEXES.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_a_provider_for_each_provider_user"),
        ("models_registry", "0003_aimodel_provider_required"),
        ("tokens", "0006_token_provider"),
    ]

    operations = [
        migrations.RunPython(drop_sql_indexes, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="token", name="token_name_unique_per_owner"),
        migrations.RemoveIndex(model_name="token", name="token_owner_created_idx"),
        migrations.RemoveIndex(model_name="token", name="token_owner_expires_idx"),
        migrations.RemoveIndex(model_name="token", name="token_owner_status_idx"),
        migrations.RemoveIndex(model_name="token", name="token_owner_model_name_idx"),
        migrations.RemoveIndex(model_name="token", name="token_owner_model_created_idx"),
        migrations.RemoveField(model_name="token", name="owner"),
        migrations.AlterField(
            model_name="token",
            name="provider",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="tokens", to="accounts.provider"),
        ),
        migrations.AddConstraint(
            model_name="token",
            constraint=models.UniqueConstraint(models.F("provider"), django.db.models.functions.text.Lower("name"), name="token_name_unique_per_provider", violation_error_message="You already have a token with this name."),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["provider", "-created_at"], name="token_provider_created_idx"),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["provider", "model", "-created_at"], name="token_provider_model_idx"),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["provider", "expires_at"], name="token_provider_expires_idx"),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["provider", "status", "-created_at"], name="token_provider_status_idx"),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["provider", "model_name", "-created_at"], name="token_provider_mname_idx"),
        ),
        migrations.RunPython(create_sql_indexes, drop_sql_indexes),
    ]
