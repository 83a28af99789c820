"""axe-core finds nothing serious on a model's pages, License keys and the API docs."""

import pytest

from tests.conftest import accessibility_violations, wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    ["/models/{model}/", "/models/{model}/tokens/", "/account/license-keys/", "/docs/api/"],
)
def test_no_serious_accessibility_violations(page, log_in, alice, sentiment, make_token, path):
    make_token("alpha-gateway", model=sentiment)
    log_in(alice)

    page.goto(path.format(model=sentiment.model_id))
    wait_for_htmx(page)

    assert accessibility_violations(page) == []
