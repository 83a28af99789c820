"""
Indexes that keep the Token Management tab and the type-ahead fast at a million tokens.

The type-ahead's indexes differ per database (see tokens/search.py), so they are written in
SQL here rather than declared on the model.
"""

from django.db import migrations, models

ASSIGNABLE = "model_id IS NULL AND NOT (status = 'CANCELED')"

# SQLite drops a table's triggers when Django rebuilds the table (as it does to add a column),
# so later migrations that alter tokens_token run SQLITE_FTS_TRIGGERS again.
SQLITE_FTS_TRIGGERS = [
    "DROP TRIGGER IF EXISTS tokens_token_fts_insert",
    "DROP TRIGGER IF EXISTS tokens_token_fts_delete",
    "DROP TRIGGER IF EXISTS tokens_token_fts_update",
    "CREATE TRIGGER tokens_token_fts_insert AFTER INSERT ON tokens_token BEGIN"
    " INSERT INTO tokens_token_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER tokens_token_fts_delete AFTER DELETE ON tokens_token BEGIN"
    " INSERT INTO tokens_token_name_fts(tokens_token_name_fts, rowid, name)"
    " VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER tokens_token_fts_update AFTER UPDATE OF name ON tokens_token BEGIN"
    " INSERT INTO tokens_token_name_fts(tokens_token_name_fts, rowid, name)"
    " VALUES ('delete', old.id, old.name);"
    " INSERT INTO tokens_token_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO tokens_token_name_fts(tokens_token_name_fts) VALUES ('rebuild')",
]
SQLITE_FORWARD = [
    f"CREATE INDEX token_assignable_name_idx ON tokens_token (owner_id, name COLLATE NOCASE)"
    f" WHERE {ASSIGNABLE}",
    "CREATE VIRTUAL TABLE tokens_token_name_fts USING fts5("
    "name, content='tokens_token', content_rowid='id', tokenize='trigram')",
    *SQLITE_FTS_TRIGGERS,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tokens_token_fts_update",
    "DROP TRIGGER IF EXISTS tokens_token_fts_delete",
    "DROP TRIGGER IF EXISTS tokens_token_fts_insert",
    "DROP TABLE IF EXISTS tokens_token_name_fts",
    "DROP INDEX IF EXISTS token_assignable_name_idx",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX token_assignable_name_idx ON tokens_token"
    f' (owner_id, (UPPER((name)::text) COLLATE "C")) WHERE {ASSIGNABLE}',
    # Not partial: the planner does not match `NOT (status = ...)` against the queries' form.
    "CREATE INDEX token_name_trgm ON tokens_token USING gin (UPPER((name)::text) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS token_name_trgm",
    "DROP INDEX IF EXISTS token_assignable_name_idx",
]


def run_sql(statements_by_vendor):
    """A RunPython function that runs the statements written for the database at hand."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0001_create_ai_model"),
        ("tokens", "0001_create_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["model", "-created_at"], name="token_model_created_idx"),
        ),
        migrations.RunPython(
            run_sql({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run_sql({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
