"""The Tokens List says its sort in words and keeps empty filters out of the address; the
dashboard's cards and models lead to what they summarize."""

import re

import pytest

from tests.conftest import TEST_ACTOR
from tokens import services

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("query", "caption"),
    [
        ("", "Tokens, sorted by creation date, newest first"),
        ("sort=name", "Tokens, sorted by name, A to Z"),
        ("sort=-expires", "Tokens, sorted by expiration date, latest first"),
    ],
)
def test_the_tables_caption_says_the_sort_in_words(alice_client, make_token, query, caption):
    make_token("one")

    html = alice_client.get(f"/tokens/?{query}").content.decode()

    assert f'<caption class="visually-hidden">{caption}</caption>' in html


def test_a_filter_change_pushes_only_the_filters_that_were_given(alice_client, make_token):
    make_token("one")

    response = alice_client.get(
        "/tokens/?name=&model=&assigned=&expired=no&used=&status=ACTIVE&expires_after=&sort=",
        **HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/tokens/?expired=no&status=ACTIVE"
    assert 'data-refresh-url="/tokens/?expired=no&amp;status=ACTIVE"' in response.content.decode()


def test_a_request_with_no_empty_filters_pushes_what_htmx_asked(alice_client, make_token):
    make_token("one")

    response = alice_client.get("/tokens/?status=ACTIVE", **HTMX)

    assert "HX-Push-Url" not in response


def test_each_dashboard_card_leads_to_the_tokens_it_counts(alice_client, make_token, sentiment):
    make_token("live", model=sentiment)
    make_token("spare")
    paused, _ = make_token("paused", model=sentiment, days=3)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    html = alice_client.get("/").content.decode()
    cards = dict(
        re.findall(
            r'<a class="stat stat-link[^"]*" href="([^"]+)"><span class="stat-label">([^<]+)<', html
        )
    )
    by_label = {label: href.replace("&amp;", "&") for href, label in cards.items()}

    def listed(label):
        return {t.name for t in alice_client.get(by_label[label]).context["page"]}

    assert by_label["Models"] == "/models/"
    assert listed("Tokens") == {"live", "spare", "paused"}
    assert listed("Active and assigned") == {"live"}
    assert listed("Expiring within 7 days") == {"paused"}
    assert listed("Unassigned") == {"spare"}
    assert listed("Suspended") == {"paused"}
    assert listed("Expired") == set()
    assert listed("Cancelled") == set()
    assert f'href="/models/{sentiment.model_id}/">{sentiment.name}</a>' in html
