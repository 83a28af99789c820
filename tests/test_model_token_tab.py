"""The model's Token Management tab: list, create with reveal, type-ahead, assign, remove."""

import json

import pytest

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token


def tab(model):
    return f"/models/{model.model_id}/tokens/"


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_tab_lists_the_models_tokens_with_status_expiration_and_hint(
    alice_client, sentiment, vision, make_token
):
    token, _ = make_token("gateway", model=sentiment, days=3)
    make_token("elsewhere", model=vision)

    html = alice_client.get(tab(sentiment)).content.decode().replace("\xa0", " ")

    assert "gateway" in html
    assert "elsewhere" not in html
    assert "Active" in html
    assert "in 2 days" in html
    assert token.hint in html
    assert "Remove assignment" in html
    assert 'aria-current="page">Token Management' in html


def test_expired_token_shows_expired_whatever_its_status(alice_client, sentiment, make_token):
    from datetime import timedelta

    from django.utils import timezone

    token, _ = make_token("old", model=sentiment)
    services.suspend_token(actor=TEST_ACTOR, token=token)
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=2))

    html = alice_client.get(tab(sentiment)).content.decode().replace("\xa0", " ")

    assert "badge-expired" in html
    assert "2 days ago" in html


def test_htmx_table_refresh_returns_only_the_table(alice_client, sentiment, make_token):
    make_token("gateway", model=sentiment)

    response = alice_client.get(tab(sentiment), HTTP_HX_TARGET="token-table", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="token-table"')
    assert "gateway" in html
    assert "<html" not in html


def test_create_token_dialog_preselects_this_model_and_takes_a_name(alice_client, sentiment):
    html = alice_client.get(f"{tab(sentiment)}new/?name=from-typeahead", **HTMX).content.decode()

    assert "Create Token" in html
    assert 'value="from-typeahead"' in html
    assert f'<option value="{sentiment.model_id}" selected>' in html
    assert "Generate" in html


def test_generate_reveals_the_secret_once_and_never_caches_it(alice_client, alice, sentiment, acme):
    response = alice_client.post(
        f"{tab(sentiment)}new/", {"name": "gateway", "model": sentiment.model_id}, **HTMX
    )

    token = Token.objects.get(provider=acme, name="gateway")
    secret = response.context["secret"]
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response["HX-Trigger"]) == {"tokensChanged": {}}
    assert secret in html
    assert "The token is not stored in the system and cannot be retrieved later." in html
    assert all(label in html for label in ["Copy", "Done", "Delete"])
    assert token.model == sentiment
    assert services.authenticate(secret).token == token
    assert secret not in alice_client.get(tab(sentiment)).content.decode()
    assert secret not in alice_client.get(tab(sentiment), **HTMX).content.decode()


def test_clearing_the_model_creates_an_unassigned_token(alice_client, alice, sentiment, acme):
    response = alice_client.post(f"{tab(sentiment)}new/", {"name": "spare", "model": ""}, **HTMX)

    assert "Unassigned" in response.content.decode()
    assert Token.objects.get(provider=acme, name="spare").model is None


@pytest.mark.parametrize(
    ("name", "model", "message"),
    [
        ("", "own", "Enter a name for the token."),
        ("x" * 101, "own", "at most 100 characters"),
        ("Taken", "own", "already have a token named"),
        ("fine", "foreign", "Choose one of your models."),
        ("fine", "mdl_doesnotexist", "Choose one of your models."),
    ],
)
def test_create_errors_show_next_to_the_field_and_keep_the_input(
    alice_client, sentiment, charlies_model, make_token, name, model, message
):
    make_token("taken")
    model_id = {"own": sentiment.model_id, "foreign": charlies_model.model_id}.get(model, model)

    response = alice_client.post(f"{tab(sentiment)}new/", {"name": name, "model": model_id}, **HTMX)

    html = response.content.decode()
    assert response.status_code == (409 if name == "Taken" else 400)
    assert message in html
    assert 'class="field-error"' in html
    assert f'value="{name}"' in html or name == ""
    assert Token.objects.count() == 1


def test_reveal_delete_removes_the_token_just_made(alice_client, sentiment, make_token):
    token, _ = make_token("typo", model=sentiment)

    response = alice_client.post(
        f"/tokens/{token.token_id}/delete/", {"confirm_name": "typo"}, **HTMX
    )

    assert not Token.objects.filter(pk=token.pk).exists()
    assert set(json.loads(response["HX-Trigger"])) == {"tokensChanged", "closeModal"}
    assert "Token “typo” deleted." in response.content.decode()


def test_delete_without_the_exact_name_changes_nothing(alice_client, make_token):
    token, _ = make_token("keep-me")

    response = alice_client.post(
        f"/tokens/{token.token_id}/delete/", {"confirm_name": "keep"}, **HTMX
    )

    assert response.status_code == 400
    assert "Type the token" in response.content.decode()
    assert Token.objects.filter(pk=token.pk).exists()


def search(client, model, q):
    response = client.get(f"{tab(model)}unassigned/", {"q": q}, **HTMX)
    assert response.status_code == 200
    return response


def test_typeahead_lists_unassigned_tokens_prefix_matches_first(
    alice_client, sentiment, make_token
):
    for name in ["beta-alpha", "alpha-two", "Alpha-one", "gamma"]:
        make_token(name)

    response = search(alice_client, sentiment, "alpha")

    names = [match.token.name for match in response.context["matches"]]
    assert names == ["Alpha-one", "alpha-two", "beta-alpha"]
    html = response.content.decode()
    assert "<mark>Alpha</mark>-one" in html
    assert "beta-<mark>alpha</mark>" in html
    assert "Add Token “alpha”" in html
    assert html.index("beta-") < html.index("Add Token")
    assert 'role="listbox"' in html
    assert 'data-summary="3 unassigned tokens match “alpha”.' in html


def test_typeahead_never_lists_assigned_cancelled_or_foreign_tokens(
    alice_client, charlie, sentiment, vision, make_token, globex
):
    make_token("match-free")
    make_token("match-assigned", model=vision)
    cancelled, _ = make_token("match-cancelled")
    services.cancel_token(actor=TEST_ACTOR, token=cancelled)
    make_token("match-charlie", provider=globex)

    names = [m.token.name for m in search(alice_client, sentiment, "MATCH").context["matches"]]

    assert names == ["match-free"]


def test_typeahead_shows_at_most_ten(alice_client, sentiment, make_token):
    for i in range(15):
        make_token(f"bulk-{i:02}")

    assert len(search(alice_client, sentiment, "bulk").context["matches"]) == 10


def test_typeahead_escapes_names(alice_client, sentiment, make_token):
    make_token("<script>x</script>")

    html = search(alice_client, sentiment, "script").content.decode()

    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html


def test_save_assigns_the_chosen_token_and_refreshes_the_list(alice_client, sentiment, make_token):
    token, _ = make_token("spare")

    response = alice_client.post(
        f"{tab(sentiment)}assign/", {"q": "spare", "token_id": token.token_id}, **HTMX
    )

    assert response.status_code == 200
    assert Token.objects.get(pk=token.pk).model == sentiment
    assert json.loads(response["HX-Trigger"]) == {"tokensChanged": {}}
    assert "Token “spare” assigned to “Sentiment Analysis”." in response.content.decode()
    assert "Evaluation Key" not in response.content.decode()


def test_reassigning_to_a_new_model_warns_that_a_new_evk_is_needed(
    alice_client, sentiment, vision, make_token
):
    token, _ = make_token("mover", model=vision)
    services.unassign_token(actor=TEST_ACTOR, token=token)

    response = alice_client.post(
        f"{tab(sentiment)}assign/", {"q": "mover", "token_id": token.token_id}, **HTMX
    )

    html = response.content.decode()
    assert "a new Evaluation Key (EVK) must be generated for Sentiment Analysis" in html
    assert "New EVK needed" in alice_client.get(tab(sentiment)).content.decode()


def test_save_when_assigned_meanwhile_says_so_and_changes_nothing(
    alice_client, sentiment, vision, make_token
):
    token, _ = make_token("contested")
    services.assign_token(actor=TEST_ACTOR, token=token, model=vision)

    response = alice_client.post(
        f"{tab(sentiment)}assign/", {"q": "contested", "token_id": token.token_id}, **HTMX
    )

    assert response.status_code == 409
    assert "already assigned to “Image Sharpening”" in response.content.decode()
    assert 'value="contested"' in response.content.decode()
    assert Token.objects.get(pk=token.pk).model == vision


@pytest.mark.parametrize("token_id", ["", "tok_unknown", "charlies"])
def test_save_without_a_valid_choice_asks_for_one(
    alice_client, charlie, sentiment, make_token, token_id, globex
):
    theirs, _ = make_token("theirs", provider=globex)
    token_id = theirs.token_id if token_id == "charlies" else token_id

    response = alice_client.post(
        f"{tab(sentiment)}assign/", {"q": "x", "token_id": token_id}, **HTMX
    )

    assert response.status_code == 400
    assert "Choose an unassigned token from the list." in response.content.decode()
    assert Token.objects.get(pk=theirs.pk).model is None


def test_remove_assignment_asks_first_then_removes(alice_client, sentiment, make_token):
    token, _ = make_token("leaving", model=sentiment)
    url = f"/tokens/{token.token_id}/unassign/"

    confirm = alice_client.get(url, **HTMX).content.decode()
    assert Token.objects.get(pk=token.pk).model == sentiment
    response = alice_client.post(url, **HTMX)

    assert "Remove assignment?" in confirm
    assert Token.objects.get(pk=token.pk).model is None
    assert "Assignment of “leaving” to “Sentiment Analysis” removed." in response.content.decode()


def test_without_javascript_actions_redirect_back(alice_client, sentiment, make_token):
    token, _ = make_token("leaving", model=sentiment)

    response = alice_client.post(f"/tokens/{token.token_id}/unassign/", {"next": tab(sentiment)})
    external = alice_client.post(
        f"/tokens/{token.token_id}/delete/",
        {"confirm_name": "leaving", "next": "https://evil.example/"},
    )

    assert response["Location"] == tab(sentiment)
    assert external["Location"] == "/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "{tab}"),
        ("get", "{tab}new/"),
        ("post", "{tab}new/"),
        ("get", "{tab}unassigned/?q=a"),
        ("post", "{tab}assign/"),
        ("get", "/tokens/{token}/unassign/"),
        ("post", "/tokens/{token}/unassign/"),
        ("get", "/tokens/{token}/delete/"),
        ("post", "/tokens/{token}/delete/"),
    ],
)
def test_another_providers_model_or_token_is_not_found_everywhere(
    alice_client, charlie, charlies_model, make_token, method, path, globex
):
    theirs, _ = make_token("theirs", provider=globex, model=charlies_model)
    url = path.format(tab=tab(charlies_model), token=theirs.token_id)

    response = getattr(alice_client, method)(url, {"confirm_name": "theirs"}, **HTMX)

    assert response.status_code == 404
    stored = Token.objects.get(pk=theirs.pk)
    assert stored.model == charlies_model


@pytest.mark.parametrize("token_id", ["bad\x00id", "tok_unknown", ""])
def test_save_without_javascript_and_a_bad_choice_answers_400_with_the_message(
    alice_client, sentiment, make_token, token_id
):
    make_token("spare")

    response = alice_client.post(f"{tab(sentiment)}assign/", {"q": "x", "token_id": token_id})

    assert response.status_code == 400
    assert "Choose an unassigned token from the list." in response.content.decode()
    assert not Token.objects.filter(model=sentiment).exists()


def test_save_without_javascript_assigns_and_returns_to_the_tab(
    alice_client, sentiment, make_token
):
    token, _ = make_token("spare")

    response = alice_client.post(
        f"{tab(sentiment)}assign/", {"q": "spare", "token_id": token.token_id}, follow=True
    )

    assert response.redirect_chain[-1][0] == tab(sentiment)
    assert "Token “spare” assigned to “Sentiment Analysis”." in response.content.decode()
    assert Token.objects.get(pk=token.pk).model == sentiment


def test_tab_pages_say_more_than_the_cap_beyond_it(
    alice_client, sentiment, make_token, monkeypatch
):
    from console import pagination

    counted = pagination.capped_count
    monkeypatch.setattr(pagination, "capped_count", lambda queryset: counted(queryset, cap=2))
    for n in range(3):
        make_token(f"t{n}", model=sentiment)
    monkeypatch.setattr("tokens.views.TAB_PAGE_SIZE", 1)

    response = alice_client.get(tab(sentiment))

    assert response.context["page"].is_capped
    assert "1–1 of more than 2" in response.content.decode()


def test_pages_that_htmx_swaps_vary_on_the_htmx_header(alice_client, sentiment):
    for url in [tab(sentiment), "/tokens/", f"{tab(sentiment)}new/", "/account/license-keys/"]:
        full = alice_client.get(url)
        fragment = alice_client.get(url, **HTMX)

        assert "HX-Request" in full["Vary"], url
        assert full.content != fragment.content, url


def test_the_tab_finds_its_tokens_by_name_and_status(alice_client, sentiment, make_token):
    make_token("alpha-one", model=sentiment)
    suspended, _ = make_token("alpha-two", model=sentiment)
    make_token("beta", model=sentiment)
    make_token("alpha-elsewhere")  # unassigned: not this model's
    from tokens.models import Token

    Token.objects.filter(pk=suspended.pk).update(status="SUSPENDED")

    found = alice_client.get(tab(sentiment), {"name": "alpha", "status": "ACTIVE"})
    any_status = alice_client.get(tab(sentiment), {"name": "alpha", "status": "", "sort": "name"})

    assert [token.name for token in found.context["page"]] == ["alpha-one"]
    assert [token.name for token in any_status.context["page"]] == ["alpha-one", "alpha-two"]
    assert "Some filters were ignored" not in any_status.content.decode()


def test_the_tab_sorts_as_asked(alice_client, sentiment, make_token):
    for name in ("b", "c", "a"):
        make_token(name, model=sentiment)

    by_name = alice_client.get(tab(sentiment), {"sort": "name"})
    backwards = alice_client.get(tab(sentiment), {"sort": "-name"})

    assert [token.name for token in by_name.context["page"]] == ["a", "b", "c"]
    assert [token.name for token in backwards.context["page"]] == ["c", "b", "a"]


def test_the_tabs_next_goes_past_the_cap_keeping_filters(
    alice_client, sentiment, make_token, monkeypatch
):
    from console import pagination

    counted = pagination.capped_count
    monkeypatch.setattr(pagination, "capped_count", lambda queryset: counted(queryset, cap=2))
    monkeypatch.setattr("tokens.views.TAB_PAGE_SIZE", 1)
    for n in range(4):
        make_token(f"t{n}", model=sentiment)

    seen = []
    response = alice_client.get(tab(sentiment), {"sort": "name"})
    while True:
        seen += [token.name for token in response.context["page"]]
        next_cursor = response.context["page"].next_cursor
        if not next_cursor:
            break
        number = response.context["page"].next_number
        params = {"sort": "name", "cursor": next_cursor, "page": number}
        response = alice_client.get(tab(sentiment), params)

    assert seen == ["t0", "t1", "t2", "t3"]  # all four, though only 2 are counted


def test_the_tab_filtered_by_htmx_answers_the_table_alone(alice_client, sentiment, make_token):
    make_token("alpha", model=sentiment)

    response = alice_client.get(
        tab(sentiment), {"name": "zzz"}, headers={"HX-Request": "true", "HX-Target": "token-table"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="token-table"')
    assert "No token matches" in html


def test_another_providers_tab_is_404_whatever_the_filters(charlie_client, sentiment):
    assert charlie_client.get(tab(sentiment), {"name": "a", "sort": "name"}).status_code == 404
