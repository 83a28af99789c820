"""A name longer than 100 characters is refused, never cut, wherever it is typed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tokens.models import Token

HTMX = {"HTTP_HX_REQUEST": "true"}
TOO_LONG = "n" * 500
MESSAGE = "Names can be at most 100 characters (this one has 500)."


def test_add_token_refuses_an_over_long_name_next_to_the_field(alice_client):
    default = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    response = alice_client.post("/tokens/new/", {"name": TOO_LONG, "expires_at": default}, **HTMX)

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [MESSAGE]
    assert 'maxlength="100"' in response.content.decode()
    assert not Token.objects.exists()


def test_create_token_on_a_model_refuses_an_over_long_name(alice_client, sentiment):
    response = alice_client.post(
        f"/models/{sentiment.model_id}/tokens/new/",
        {"name": TOO_LONG, "model": sentiment.model_id},
        **HTMX,
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [MESSAGE]
    assert not Token.objects.exists()


def test_edit_refuses_an_over_long_name_and_keeps_the_old_one(alice_client, make_token):
    token, _ = make_token("short")
    data = {
        "name": TOO_LONG,
        "expires_at": timezone.localtime(token.expires_at).strftime("%Y-%m-%dT%H:%M"),
        "status": token.status,
    }

    response = alice_client.post(f"/tokens/{token.token_id}/edit/", data, **HTMX)

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [MESSAGE]
    assert Token.objects.get(pk=token.pk).name == "short"


@pytest.mark.parametrize("method", ["post", "patch"])
def test_the_api_refuses_an_over_long_name_with_400_naming_it(api, make_token, method):
    token, _ = make_token("short")
    path = "/api/v1/tokens" if method == "post" else f"/api/v1/tokens/{token.token_id}"

    response = getattr(api, method)(path, {"name": TOO_LONG})

    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert list(Token.objects.values_list("name", flat=True)) == ["short"]
