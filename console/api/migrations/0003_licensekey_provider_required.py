"""License keys belong to providers now: the owner column goes, names are unique per provider."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_a_provider_for_each_provider_user"),
        ("api", "0002_licensekey_provider"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="licensekey", name="license_key_name_unique_per_owner"),
        migrations.RemoveIndex(model_name="licensekey", name="license_owner_created_idx"),
        migrations.RemoveField(model_name="licensekey", name="owner"),
        migrations.AlterField(
            model_name="licensekey",
            name="provider",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="license_keys", to="accounts.provider"),
        ),
        migrations.AddConstraint(
            model_name="licensekey",
            constraint=models.UniqueConstraint(models.F("provider"), django.db.models.functions.text.Lower("name"), name="license_key_name_unique_per_provider", violation_error_message="You already have a license key with this name."),
        ),
        migrations.AddIndex(
            model_name="licensekey",
            index=models.Index(fields=["provider", "-created_at"], name="license_provider_created_idx"),
        ),
    ]
