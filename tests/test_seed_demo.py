import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from console.accounts.models import Provider
from console.management.commands.seed_demo import DEMO_PASSWORD, DEMO_PROVIDER, DEMO_USERNAME
from models_registry.models import AIModel
from tokens.models import Token, TokenUsage


@pytest.fixture
def development(settings):
    settings.DEBUG = True


def test_seed_demo_creates_tokens_in_every_state_and_prints_the_login(db, development, capsys):
    call_command("seed_demo")

    owner = get_user_model().objects.get(username=DEMO_USERNAME)
    provider = Provider.objects.get(name=DEMO_PROVIDER)
    tokens = Token.objects.filter(provider=provider)
    states = {token.display_status for token in tokens}
    assert owner.check_password(DEMO_PASSWORD)
    roles = {m.user.username: m.role for m in provider.memberships.select_related("user")}
    assert roles == {"demo": "OWNER", "demo-member": "MEMBER", "demo-viewer": "VIEWER"}
    assert {"Active", "Suspended", "Cancelled", "Expired"} <= states
    assert tokens.filter(model__isnull=True).exists()
    assert tokens.filter(needs_new_evk=True).exists()
    assert AIModel.objects.filter(provider=provider).count() >= 3
    assert TokenUsage.objects.filter(provider=provider).count() >= 30  # a month of a token's use
    assert tokens.filter(last_used_at__isnull=False).exists()
    assert tokens.filter(last_used_at__isnull=True).exists()
    output = capsys.readouterr().out
    assert DEMO_USERNAME in output
    assert DEMO_PASSWORD in output


def test_seed_demo_is_idempotent(db, development):
    call_command("seed_demo")
    counts = (Token.objects.count(), AIModel.objects.count(), get_user_model().objects.count())
    usage = TokenUsage.objects.count()

    call_command("seed_demo")

    assert (Token.objects.count(), AIModel.objects.count(), get_user_model().objects.count()) == (
        counts
    )
    assert TokenUsage.objects.count() == usage


def test_seed_demo_refuses_to_run_with_debug_off_because_its_password_is_public(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on: its logins' password is published"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()
