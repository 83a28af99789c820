"""Warnings that stay (the EVK one, errors) can be closed, with or without JavaScript."""

import re

from tests.conftest import TEST_ACTOR
from tokens import services

HTMX = {"HTTP_HX_REQUEST": "true"}


def reassigned(make_token, vision):
    token, _ = make_token("mover", model=vision)
    services.unassign_token(actor=TEST_ACTOR, token=token)
    return token


def test_the_evk_warning_beside_the_form_has_a_close_button(
    alice_client, make_token, sentiment, vision
):
    token = reassigned(make_token, vision)

    html = alice_client.post(
        f"/models/{sentiment.model_id}/tokens/assign/",
        {"q": "mover", "token_id": token.token_id},
        **HTMX,
    ).content.decode()

    alert = re.search(r'<div class="alert alert-warning".*?</div>\s*</div>', html, re.S)
    assert alert and "A new Evaluation Key (EVK) is needed." in alert.group()
    tab = f"/models/{sentiment.model_id}/tokens/"
    assert f'href="{tab}" data-dismiss aria-label="Close the EVK warning"' in alert.group()


def test_the_evk_message_without_javascript_has_a_close_link_back_to_the_page(
    alice_client, make_token, sentiment, vision
):
    token = reassigned(make_token, vision)

    response = alice_client.post(
        f"/models/{sentiment.model_id}/tokens/assign/",
        {"q": "mover", "token_id": token.token_id},
        follow=True,
    )

    html = response.content.decode()
    tab = f"/models/{sentiment.model_id}/tokens/"
    assert "a new Evaluation Key (EVK) must be generated" in html
    assert f'href="{tab}" data-dismiss aria-label="Close message"' in html
    # Following Close shows the page again, without the message.
    assert "must be generated for Sentiment Analysis" not in alice_client.get(tab).content.decode()
