"""
LicenseKey moves from the `console` app to `api`: only Django's idea of where it lives changes.

The table keeps its name (`console_licensekey`) and its rows; the content type follows the model,
so staff permissions and admin history about license keys carry over.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

import console.api.models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="console", model="licensekey").update(app_label="api")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="api", model="licensekey").update(app_label="console")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("console", "0001_license_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LicenseKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key_id", models.CharField(default=console.api.models.new_license_key_id, editable=False, max_length=32, unique=True, verbose_name="key ID")),
                        ("name", models.CharField(max_length=100)),
                        ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                        ("hint", models.CharField(editable=False, max_length=16)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used")),
                        ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="license_keys", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "license key",
                        "db_table": "console_licensekey",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["owner", "-created_at"], name="license_owner_created_idx")],
                        "constraints": [models.UniqueConstraint(models.F("owner"), django.db.models.functions.text.Lower("name"), name="license_key_name_unique_per_owner", violation_error_message="You already have a license key with this name.")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
