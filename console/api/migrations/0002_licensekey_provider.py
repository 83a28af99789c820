"""License keys will belong to providers and record who made them: columns first."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_providers_memberships_invitations"),
        ("api", "0001_license_key_moves_to_api"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="licensekey",
            name="provider",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="license_keys", to="accounts.provider"),
        ),
        migrations.AddField(
            model_name="licensekey",
            name="created_by",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="license_keys_created", to=settings.AUTH_USER_MODEL),
        ),
    ]
