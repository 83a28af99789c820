"""Tokens will belong to providers: the column first, filled by accounts' migration 0002."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_providers_memberships_invitations"),
        ("tokens", "0005_token_owner_model_created_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="token",
            name="provider",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="tokens", to="accounts.provider"),
        ),
    ]
