"""The type-ahead's search over names, on each database's indexes (tokens.search)."""

from tokens import services
from tokens.selectors import unassigned_tokens_matching


def names(owner, text):
    return [match.token.name for match in unassigned_tokens_matching(owner, text)]


def test_substring_search_follows_renames_and_deletes(alice, make_token):
    token, _ = make_token("alpha-gateway")
    gone, _ = make_token("beta-gateway")

    services.rename_token(token=token, name="alpha-portal")
    services.delete_token(token=gone)

    assert names(alice, "gateway") == []
    assert names(alice, "portal") == ["alpha-portal"]


def test_like_wildcards_in_the_text_are_taken_literally(alice, make_token):
    make_token("100%-uptime")
    make_token("snake_case")
    make_token("plain-name")

    assert names(alice, "0%-u") == ["100%-uptime"]
    assert names(alice, "e_c") == ["snake_case"]
    assert names(alice, "%") == ["100%-uptime"]
    assert names(alice, "_") == ["snake_case"]


def test_short_text_matches_prefixes_then_substrings(alice, make_token):
    for name in ["ab-one", "xab-two", "Ab-three", "none"]:
        make_token(name)

    assert names(alice, "AB") == ["ab-one", "Ab-three", "xab-two"]


def test_empty_text_lists_assignable_tokens_alphabetically(alice, make_token, sentiment):
    for name in ["charlie", "Alpha", "bravo"]:
        make_token(name)
    make_token("assigned", model=sentiment)

    assert names(alice, "") == ["Alpha", "bravo", "charlie"]


def test_search_costs_at_most_three_queries(alice, make_token, django_assert_max_num_queries):
    for i in range(12):
        make_token(f"item-{i:02}")

    # Prefix matches, a check of how common the text is (SQLite), substring matches.
    with django_assert_max_num_queries(3):
        assert len(names(alice, "tem-")) == 10
