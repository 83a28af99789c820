"""
Each provider user becomes a provider of the same name, with that user as its Owner: their
models, tokens and license keys move to it (keys record them as their creator). A provider user
is anyone who owns something or is not staff; staff who own nothing stay plain staff.
"""

from django.db import migrations


def _free_name(Provider, wanted: str) -> str:
    """The username, or "name (2)", "name (3)"... where names differ only in case."""
    name, n = wanted[:100], 2
    while Provider.objects.filter(name__iexact=name).exists():
        suffix = f" ({n})"
        name, n = wanted[: 100 - len(suffix)] + suffix, n + 1
    return name


def forward(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Provider = apps.get_model("accounts", "Provider")
    Membership = apps.get_model("accounts", "Membership")
    AIModel = apps.get_model("models_registry", "AIModel")
    Token = apps.get_model("tokens", "Token")
    LicenseKey = apps.get_model("api", "LicenseKey")
    owners = (
        set(AIModel.objects.values_list("owner_id", flat=True))
        | set(Token.objects.values_list("owner_id", flat=True))
        | set(LicenseKey.objects.values_list("owner_id", flat=True))
        | set(User.objects.filter(is_staff=False).values_list("pk", flat=True))
    )
    for user in User.objects.filter(pk__in=owners).order_by("pk"):
        provider = Provider.objects.create(name=_free_name(Provider, user.username))
        Membership.objects.create(provider=provider, user=user, role="OWNER")
        AIModel.objects.filter(owner_id=user.pk).update(provider=provider)
        Token.objects.filter(owner_id=user.pk).update(provider=provider)
        LicenseKey.objects.filter(owner_id=user.pk).update(provider=provider, created_by=user)


def backward(apps, schema_editor):
    """Each object goes back to its provider's first Owner."""
    Membership = apps.get_model("accounts", "Membership")
    for app, name in [("models_registry", "AIModel"), ("tokens", "Token"), ("api", "LicenseKey")]:
        model = apps.get_model(app, name)
        for membership in Membership.objects.filter(role="OWNER").order_by("-joined_at", "-pk"):
            model.objects.filter(provider_id=membership.provider_id).update(
                owner_id=membership.user_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_providers_memberships_invitations"),
        ("models_registry", "0002_aimodel_provider"),
        ("tokens", "0006_token_provider"),
        ("api", "0002_licensekey_provider"),
    ]

    operations = [migrations.RunPython(forward, backward)]
