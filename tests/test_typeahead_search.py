"""The type-ahead's search over names, on each database's indexes (tokens.search)."""

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.selectors import unassigned_tokens_matching


def names(provider, text):
    return [match.token.name for match in unassigned_tokens_matching(provider, text)]


def test_substring_search_follows_renames_and_deletes(alice, make_token, acme):
    token, _ = make_token("alpha-gateway")
    gone, _ = make_token("beta-gateway")

    services.rename_token(actor=TEST_ACTOR, token=token, name="alpha-portal")
    services.delete_token(actor=TEST_ACTOR, token=gone)

    assert names(acme, "gateway") == []
    assert names(acme, "portal") == ["alpha-portal"]


def test_like_wildcards_in_the_text_are_taken_literally(alice, make_token, acme):
    make_token("100%-uptime")
    make_token("snake_case")
    make_token("plain-name")

    assert names(acme, "0%-u") == ["100%-uptime"]
    assert names(acme, "e_c") == ["snake_case"]
    assert names(acme, "%") == ["100%-uptime"]
    assert names(acme, "_") == ["snake_case"]


def test_short_text_matches_prefixes_then_substrings(alice, make_token, acme):
    for name in ["ab-one", "xab-two", "Ab-three", "none"]:
        make_token(name)

    assert names(acme, "AB") == ["ab-one", "Ab-three", "xab-two"]


def test_empty_text_lists_assignable_tokens_alphabetically(alice, make_token, sentiment, acme):
    for name in ["charlie", "Alpha", "bravo"]:
        make_token(name)
    make_token("assigned", model=sentiment)

    assert names(acme, "") == ["Alpha", "bravo", "charlie"]


def test_search_costs_at_most_three_queries(alice, make_token, django_assert_max_num_queries, acme):
    for i in range(12):
        make_token(f"item-{i:02}")

    # Prefix matches, a check of how common the text is (SQLite), substring matches.
    with django_assert_max_num_queries(3):
        assert len(names(acme, "tem-")) == 10
