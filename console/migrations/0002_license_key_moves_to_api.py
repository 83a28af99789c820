"""LicenseKey now lives in the `api` app (see its migration 0001); its table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_license_keys"),
        ("api", "0001_license_key_moves_to_api"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LicenseKey")],
            database_operations=[],
        ),
    ]
