"""Models belong to providers now: the owner column goes, names are unique per provider."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_a_provider_for_each_provider_user"),
        ("models_registry", "0002_aimodel_provider"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="aimodel", name="model_name_unique_per_owner"),
        migrations.RemoveField(model_name="aimodel", name="owner"),
        migrations.AlterField(
            model_name="aimodel",
            name="provider",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="ai_models", to="accounts.provider"),
        ),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.UniqueConstraint(models.F("provider"), django.db.models.functions.text.Lower("name"), name="model_name_unique_per_provider", violation_error_message="You already have a model with this name."),
        ),
    ]
