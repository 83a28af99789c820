"""Providers are teams: providers, their members' memberships with a role, and invitations."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

import console.accounts.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Provider",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("provider_id", models.CharField(default=console.accounts.models.new_provider_id, editable=False, max_length=32, unique=True, verbose_name="provider ID")),
                ("name", models.CharField(max_length=100)),
                ("default_token_lifetime_days", models.PositiveIntegerField(blank=True, null=True)),
                ("max_token_lifetime_days", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["name"],
                "constraints": [models.UniqueConstraint(django.db.models.functions.text.Lower("name"), name="provider_name_unique", violation_error_message="A provider with this name already exists.")],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField(choices=[("OWNER", "Owner"), ("MEMBER", "Member"), ("VIEWER", "Viewer")], default="MEMBER", max_length=10)),
                ("joined_at", models.DateTimeField(auto_now_add=True)),
                ("provider", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="accounts.provider")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["joined_at", "pk"],
                "constraints": [models.UniqueConstraint(fields=("provider", "user"), name="membership_unique_per_provider_and_user")],
            },
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("invitation_id", models.CharField(default=console.accounts.models.new_invitation_id, editable=False, max_length=32, unique=True, verbose_name="invitation ID")),
                ("email", models.EmailField(max_length=254)),
                ("role", models.CharField(choices=[("OWNER", "Owner"), ("MEMBER", "Member"), ("VIEWER", "Viewer")], default="MEMBER", max_length=10)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("declined_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("accepted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("invited_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("provider", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="invitations", to="accounts.provider")),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["provider", "-created_at"], name="invitation_provider_idx")],
            },
        ),
    ]
