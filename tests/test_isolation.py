"""A provider sees and changes only its own models and tokens."""

from console.dashboard.selectors import account_summary
from models_registry.selectors import models_for
from tokens.selectors import tokens_for


def test_selectors_return_only_the_providers_own_objects(
    alice, charlie, sentiment, charlies_model, make_token, globex, acme
):
    mine, _ = make_token("mine", model=sentiment)
    theirs, _ = make_token("theirs", provider=globex, model=charlies_model)

    assert list(tokens_for(acme)) == [mine]
    assert list(tokens_for(globex)) == [theirs]
    assert list(models_for(acme)) == [sentiment]


def test_dashboard_counts_only_the_providers_own_tokens(
    alice_client, charlie, charlies_model, make_token, sentiment, globex
):
    make_token("mine", model=sentiment)
    for i in range(3):
        make_token(f"theirs-{i}", provider=globex, model=charlies_model)

    response = alice_client.get("/")

    assert response.context["summary"]["tokens"].count == 1
    assert response.context["summary"]["models"].count == 1
    assert b"Charlie&#x27;s Model" not in response.content
    assert account_summary(globex)["tokens"].count == 3


def test_providers_cannot_use_django_admin(alice_client, make_token):
    token, _ = make_token()

    for url in ["/admin/", f"/admin/tokens/token/{token.pk}/change/"]:
        response = alice_client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
