from datetime import timedelta

from django.utils import timezone

from console.dashboard.selectors import account_summary, capped_count
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token


def test_dashboard_counts_tokens_by_what_needs_attention(alice, make_token, sentiment, acme):
    make_token("working", model=sentiment)
    make_token("soon", model=sentiment, days=3)
    make_token("spare")
    paused, _ = make_token("paused", model=sentiment)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    gone, _ = make_token("gone", model=sentiment)
    services.cancel_token(actor=TEST_ACTOR, token=gone)
    old, _ = make_token("old", model=sentiment)
    Token.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))

    summary = {key: tally.count for key, tally in account_summary(acme).items()}

    assert summary == {
        "models": 1,
        "tokens": 6,
        "active": 2,
        "expiring_soon": 1,
        "unassigned": 1,
        "suspended": 1,
        "expired": 1,
        "cancelled": 1,
    }


def test_counts_stop_at_the_cap_and_say_so(alice, make_token):
    for i in range(4):
        make_token(f"t{i}")

    tally = capped_count(Token.objects.all(), cap=3)

    assert (tally.count, tally.capped, str(tally)) == (3, True, "3+")
    assert str(capped_count(Token.objects.all(), cap=10)) == "4"


def test_dashboard_page_shows_the_counts(alice_client, make_token):
    make_token("one")

    html = alice_client.get("/").content.decode()

    assert "Unassigned" in html
    assert '<span class="stat-value">1</span>' in html
