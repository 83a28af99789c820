"""
Indexes for the pages that show usage.

- The Tokens List's "Last used" sort: never-used tokens first ascending, last descending, ties
  newest first. SQLite puts NULLs first in an ascending index already; PostgreSQL puts them
  last unless told, which Django's Index cannot say, so there the index is written in SQL
  (same name, same columns, NULLS FIRST). Both walk it forwards or backwards without a sort.
- Usage rows with their counts in the index: a day's most used tokens are the first entries of
  (provider, day, -queries), and the provider's and a model's totals are summed from the
  indexes alone.
"""

from django.db import migrations, models

LAST_USED = models.Index(
    fields=["provider", "last_used_at", "-created_at"], name="token_provider_last_used_idx"
)
POSTGRESQL_LAST_USED = (
    "CREATE INDEX token_provider_last_used_idx ON tokens_token"
    " (provider_id, last_used_at ASC NULLS FIRST, created_at DESC)"
)


def create_last_used_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_LAST_USED)
    else:
        schema_editor.add_index(apps.get_model("tokens", "Token"), LAST_USED)


def drop_last_used_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS token_provider_last_used_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0008_token_limits_and_usage"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="token", name="token_provider_used_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="token", index=LAST_USED)],
            database_operations=[
                migrations.RunPython(create_last_used_index, drop_last_used_index),
            ],
        ),
        migrations.RemoveIndex(model_name="tokenusage", name="token_usage_provider_day_idx"),
        migrations.AddIndex(
            model_name="tokenusage",
            index=models.Index(
                fields=["provider", "day", "-queries"], name="token_usage_provider_top_idx"
            ),
        ),
        migrations.RemoveIndex(model_name="tokenusage", name="token_usage_model_day_idx"),
        migrations.AddIndex(
            model_name="tokenusage",
            index=models.Index(fields=["model", "day", "queries"], name="token_usage_model_sum_idx"),
        ),
    ]
