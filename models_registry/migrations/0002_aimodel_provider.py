"""Models will belong to providers: the column first, filled by accounts' migration 0002."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_providers_memberships_invitations"),
        ("models_registry", "0001_create_ai_model"),
    ]

    operations = [
        migrations.AddField(
            model_name="aimodel",
            name="provider",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="ai_models", to="accounts.provider"),
        ),
    ]
