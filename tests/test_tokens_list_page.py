"""The Tokens List: filters, sorting and paging in the query string, and the rows' actions."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token, TokenStatus

HTMX = {"HTTP_HX_REQUEST": "true"}
A, B, G, D, E = "alpha-gateway", "beta-paused", "gamma-spare", "delta-cancelled", "epsilon-old"


def listed(client, query=""):
    response = client.get(f"/tokens/?{query}")
    assert response.status_code == 200
    return [token.name for token in response.context["page"]], response


@pytest.fixture
def catalogue(alice, make_token, sentiment, vision):
    """Tokens in every state, created in this order."""
    make_token("alpha-gateway", model=sentiment, days=40)
    paused, _ = make_token("beta-paused", model=vision, days=10)
    services.suspend_token(actor=TEST_ACTOR, token=paused)
    make_token("gamma-spare", days=20)
    gone, _ = make_token("delta-cancelled", model=sentiment, days=5)
    services.cancel_token(actor=TEST_ACTOR, token=gone)
    old, _ = make_token("epsilon-old", model=vision)
    Token.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=3))


def test_list_shows_every_own_token_newest_first(
    alice_client, catalogue, charlie, make_token, globex
):
    make_token("charlies", provider=globex)

    names, response = listed(alice_client)

    assert names == [
        "epsilon-old",
        "delta-cancelled",
        "gamma-spare",
        "beta-paused",
        "alpha-gateway",
    ]
    html = response.content.decode()
    assert "Unassigned" in html
    assert "badge-expired" in html
    assert "1–5 of 5 tokens" in html
    assert 'aria-label="Actions for alpha-gateway"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=GATEWAY", ["alpha-gateway"]),
        ("name=ta", ["delta-cancelled", "beta-paused"]),
        ("status=SUSPENDED&status=CANCELED", ["delta-cancelled", "beta-paused"]),
        ("assigned=no", ["gamma-spare"]),
        ("assigned=yes&expired=no", ["delta-cancelled", "beta-paused", "alpha-gateway"]),
        ("expired=yes", ["epsilon-old"]),
    ],
)
def test_filters_narrow_the_list(alice_client, catalogue, query, expected):
    assert listed(alice_client, query)[0] == expected


def test_model_and_expiry_date_filters(alice_client, catalogue, sentiment):
    in_15_days = (timezone.localdate() + timedelta(days=15)).isoformat()

    by_model = listed(alice_client, f"model={sentiment.model_id}")[0]
    before = listed(alice_client, f"expires_before={in_15_days}&expired=no")[0]
    after = listed(alice_client, f"expires_after={in_15_days}")[0]

    assert by_model == ["delta-cancelled", "alpha-gateway"]
    assert before == ["delta-cancelled", "beta-paused"]
    assert after == ["gamma-spare", "alpha-gateway"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("expires_before=not-a-date", "Enter a valid date."),
        ("status=DELETED", "Select a valid choice."),
        ("model=mdl_not_mine", "Select a valid choice."),
    ],
)
def test_invalid_filters_say_so_and_are_ignored(alice_client, catalogue, query, message):
    names, response = listed(alice_client, query)

    assert len(names) == 5
    assert "Some filters were ignored" in response.content.decode()
    assert message in response.content.decode()


def test_another_providers_model_is_not_a_filter_choice(alice_client, catalogue, charlies_model):
    names, response = listed(alice_client, f"model={charlies_model.model_id}")

    assert "Charlie" not in response.content.decode()
    assert len(names) == 5


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha-gateway", "beta-paused", "delta-cancelled", "epsilon-old", "gamma-spare"]),
        (
            "-name",
            ["gamma-spare", "epsilon-old", "delta-cancelled", "beta-paused", "alpha-gateway"],
        ),
        (
            "expires",
            ["epsilon-old", "delta-cancelled", "beta-paused", "gamma-spare", "alpha-gateway"],
        ),
        (
            "created",
            ["alpha-gateway", "beta-paused", "gamma-spare", "delta-cancelled", "epsilon-old"],
        ),
        (
            "status",
            ["epsilon-old", "gamma-spare", "alpha-gateway", "delta-cancelled", "beta-paused"],
        ),
    ],
)
def test_sorting_by_column_and_reversed(alice_client, catalogue, sort, expected):
    names, response = listed(alice_client, f"sort={sort}")

    assert names == expected
    key = sort.lstrip("-")
    order = "descending" if sort.startswith("-") else "ascending"
    assert f'aria-sort="{order}"' in response.content.decode()
    assert f"sort=-{key}" in response.content.decode() or f"sort={key}" in response.content.decode()


def test_model_sort_follows_renames_and_deletions(alice_client, catalogue, sentiment, vision):
    from models_registry.services import delete_model, update_model

    update_model(actor=TEST_ACTOR, model=vision, name="Zebra Vision")
    delete_model(actor=TEST_ACTOR, model=sentiment)

    assert listed(alice_client, "sort=model")[0] == [D, G, A, E, B]
    assert set(Token.objects.filter(model__isnull=True).values_list("model_name", flat=True)) == {
        ""
    }


def test_pages_of_25_50_or_100(alice_client, make_token):
    for i in range(60):
        make_token(f"bulk-{i:02}")

    first, response = listed(alice_client)
    second = listed(alice_client, "page=3")[0]
    fifty = listed(alice_client, "per_page=50")[0]
    odd = listed(alice_client, "per_page=7")[0]
    past_the_end = listed(alice_client, "page=99")[0]

    assert len(first) == 25
    assert "1–25 of 60 tokens" in response.content.decode()
    assert len(second) == 10
    assert len(fifty) == 50
    assert len(odd) == 25
    assert past_the_end == second


def test_the_page_costs_the_same_queries_whatever_its_size(
    alice_client, make_token, sentiment, django_assert_num_queries
):
    for i in range(30):
        make_token(f"t-{i:02}", model=sentiment if i % 2 else None)

    # Session, user, membership with its provider, count, page.
    with django_assert_num_queries(6) as small:
        alice_client.get("/tokens/?per_page=25")
    with django_assert_num_queries(6):
        alice_client.get("/tokens/?per_page=100")

    assert len(small.captured_queries) == 6


def test_htmx_gets_just_the_results_and_the_sort_state(alice_client, catalogue):
    response = alice_client.get("/tokens/?sort=name", HTTP_HX_TARGET="token-results", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="token-results"')
    assert 'hx-swap-oob="true"' in html
    assert 'name="sort" value="name"' in html


def test_empty_states(alice_client, make_token):
    nothing = listed(alice_client)[1].content.decode()
    make_token("only-one")
    no_match = listed(alice_client, "name=zzz")[1].content.decode()

    assert "No tokens yet" in nothing
    assert "Add Token" in nothing
    assert "No token matches these filters" in no_match
    assert "Clear filters" in no_match


# --- Add Token -----------------------------------------------------------------------------


def test_add_token_with_note_and_expiration_reveals_it(alice_client, alice, acme):
    expires = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")

    response = alice_client.post(
        "/tokens/new/",
        {"name": "central", "model": "", "note": "for ops", "expires_at": expires},
        **HTMX,
    )

    token = Token.objects.get(provider=acme, name="central")
    assert response["Cache-Control"] == "no-store"
    assert response.context["secret"] in response.content.decode()
    assert token.note == "for ops"
    assert token.model is None
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M") == expires


def test_add_token_dialog_defaults_to_thirty_days_and_explains_unassigned(alice_client):
    html = alice_client.get("/tokens/new/", **HTMX).content.decode()
    default = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%d")

    assert "Generate Token" in html
    assert "cannot use an unassigned token until it is linked to a model" in html
    assert f'value="{default}T' in html


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("2020-01-01T00:00", "Choose an expiration in the future."),
        ("soon", "Enter a date and time"),
        ("", "Choose an expiration date."),
    ],
)
def test_add_token_refuses_bad_expirations_next_to_the_field(alice_client, expires, message):
    response = alice_client.post("/tokens/new/", {"name": "x", "expires_at": expires}, **HTMX)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="x"' in response.content.decode()
    assert not Token.objects.exists()


# --- Edit and the row menu -----------------------------------------------------------------


def edit(client, token, **changes):
    data = {
        "name": token.name,
        "note": token.note,
        "expires_at": timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M"),
        "status": token.status,
        "model": token.model.model_id if token.model else "",
        **changes,
    }
    return client.post(f"/tokens/{token.token_id}/edit/", data, **HTMX)


def test_edit_updates_name_note_expiration_and_status(alice_client, make_token):
    token, _ = make_token("before", days=5)
    later = (timezone.localtime() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")

    response = edit(
        alice_client, token, name="after", note="moved", expires_at=later, status="SUSPENDED"
    )

    token.refresh_from_db()
    assert set(json.loads(response["HX-Trigger"])) == {"tokensChanged", "closeModal"}
    assert (token.name, token.note, token.status) == ("after", "moved", TokenStatus.SUSPENDED)
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M") == later
    assert "Token “after” updated." in response.content.decode()


def test_edit_of_an_expired_token_can_rename_without_touching_expiration(alice_client, make_token):
    token, _ = make_token("stale")
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    token.refresh_from_db()

    response = edit(alice_client, token, name="stale-renamed")

    assert response.status_code == 200
    assert Token.objects.get(pk=token.pk).name == "stale-renamed"


def test_edit_assigns_an_unassigned_token_and_warns_about_the_evk(
    alice_client, make_token, sentiment, vision
):
    token, _ = make_token("mover", model=vision)
    services.unassign_token(actor=TEST_ACTOR, token=token)

    response = edit(alice_client, token, model=sentiment.model_id)

    assert Token.objects.get(pk=token.pk).model == sentiment
    assert "new Evaluation Key (EVK) must be generated" in response.content.decode()


def test_edit_of_an_assigned_token_offers_remove_assignment_not_a_model_choice(
    alice_client, make_token, sentiment
):
    token, _ = make_token("fixed", model=sentiment)

    html = alice_client.get(f"/tokens/{token.token_id}/edit/", **HTMX).content.decode()

    assert 'name="model"' not in html
    assert "Remove assignment" in html
    assert "Update Token" in html


def test_edit_explains_that_cancelling_is_final_and_locks_a_cancelled_token(
    alice_client, make_token
):
    token, _ = make_token("final")
    before = alice_client.get(f"/tokens/{token.token_id}/edit/", **HTMX).content.decode()
    services.cancel_token(actor=TEST_ACTOR, token=token)

    edit(alice_client, token, status="ACTIVE", name="final-renamed")

    token.refresh_from_db()
    assert "is final" in before
    assert token.status == TokenStatus.CANCELED
    assert token.name == "final-renamed"


def test_edit_shows_errors_next_to_fields_and_changes_nothing(alice_client, make_token):
    token, _ = make_token("keep", days=5)
    make_token("taken")

    response = edit(alice_client, token, name="TAKEN", note="lost")

    assert response.status_code == 409
    assert "already have a token named" in response.content.decode()
    assert Token.objects.get(pk=token.pk).note == ""


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("suspend", TokenStatus.SUSPENDED, "suspended"),
        ("cancel", TokenStatus.CANCELED, "cancelled"),
    ],
)
def test_row_actions_change_status_and_say_so(alice_client, make_token, action, status, message):
    token, _ = make_token("row")

    response = alice_client.post(f"/tokens/{token.token_id}/{action}/", **HTMX)

    assert Token.objects.get(pk=token.pk).status == status
    assert f"Token “row” {message}." in response.content.decode()


def test_activate_and_renew_from_the_menu(alice_client, make_token):
    token, _ = make_token("row", days=2)
    services.suspend_token(actor=TEST_ACTOR, token=token)

    alice_client.post(f"/tokens/{token.token_id}/activate/", **HTMX)
    response = alice_client.post(f"/tokens/{token.token_id}/renew/", **HTMX)

    token.refresh_from_db()
    assert token.status == TokenStatus.ACTIVE
    assert token.expires_at > timezone.now() + timedelta(days=29)
    assert "renewed until" in response.content.decode()


def test_renewing_a_cancelled_token_says_why_not(alice_client, make_token):
    token, _ = make_token("row", days=2)
    services.cancel_token(actor=TEST_ACTOR, token=token)

    response = alice_client.post(f"/tokens/{token.token_id}/renew/", **HTMX)

    assert "cannot be renewed" in response.content.decode()
    assert Token.objects.get(pk=token.pk).expires_at == token.expires_at


def test_menu_offers_only_what_applies(alice_client, make_token, sentiment):
    active, _ = make_token("active-one", model=sentiment)
    cancelled, _ = make_token("cancelled-one")
    services.cancel_token(actor=TEST_ACTOR, token=cancelled)

    html = alice_client.get("/tokens/").content.decode()
    active_menu = html.split(f'id="menu-{active.token_id}"')[1].split("</ul>")[0]
    cancelled_menu = html.split(f'id="menu-{cancelled.token_id}"')[1].split("</ul>")[0]

    for label in ["Edit", "Renew", "Suspend", "Remove assignment", "Cancel token", "Delete"]:
        assert f">{label}<" in active_menu
    assert ">Renew<" not in cancelled_menu
    assert ">Cancel token<" not in cancelled_menu
    assert ">Remove assignment<" not in cancelled_menu
    assert ">Delete<" in cancelled_menu


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", "edit"),
        ("post", "edit"),
        ("post", "renew"),
        ("post", "suspend"),
        ("post", "activate"),
        ("get", "cancel"),
        ("post", "cancel"),
    ],
)
def test_another_providers_token_is_not_found_for_any_action(
    alice_client, charlie, make_token, method, action, globex
):
    theirs, _ = make_token("theirs", provider=globex)

    response = getattr(alice_client, method)(f"/tokens/{theirs.token_id}/{action}/", **HTMX)

    assert response.status_code == 404
    assert Token.objects.get(pk=theirs.pk).status == TokenStatus.ACTIVE


def test_edit_racing_a_delete_answers_404_saying_the_token_is_gone(
    alice_client, make_token, request
):
    token, _ = make_token("doomed")
    request.getfixturevalue("deleted_meanwhile")

    response = edit(alice_client, token, name="renamed")

    assert response.status_code == 404
    assert "This token no longer exists." in response.content.decode()


def test_a_row_action_on_a_token_deleted_meanwhile_answers_404(
    alice_client, make_token, monkeypatch
):
    token, _ = make_token("doomed")
    monkeypatch.setattr(
        "tokens.views.get_own_token", lambda request, token_id, **kwargs: token
    )  # the page still shows it
    Token.objects.filter(pk=token.pk).delete()

    response = alice_client.post(f"/tokens/{token.token_id}/renew/", **HTMX)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "n" * 2001, "Notes can be at most 2,000 characters"),
        ("name", "admin\u202etxt", "Names cannot contain control characters"),
    ],
)
def test_add_and_edit_refuse_long_notes_and_unprintable_names(
    alice_client, make_token, field, value, message
):
    token, _ = make_token("kept")
    default = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    added = alice_client.post(
        "/tokens/new/", {"name": "new", "expires_at": default, field: value}, **HTMX
    )
    edited = edit(alice_client, token, **{field: value})

    assert added.status_code == edited.status_code == 400
    assert message in added.content.decode() and message in edited.content.decode()
    assert list(Token.objects.values_list("name", flat=True)) == ["kept"]
