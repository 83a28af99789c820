"""Date filters at the ends of the calendar: a day whose start cannot be held in UTC is a field
error on the Tokens List and in the API, never an OverflowError (a 500)."""

import pytest
from django.test import Client, override_settings


@pytest.fixture
def quiet_alice(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    ("field", "label"),
    [("expires_after", "Expiring on or after"), ("expires_before", "Expiring before")],
)
@override_settings(TIME_ZONE="Asia/Tokyo")
def test_the_first_day_east_of_utc_is_an_ignored_filter_on_the_page(
    quiet_alice, make_token, field, label
):
    make_token("gateway")

    response = quiet_alice.get("/tokens/", {field: "0001-01-01"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were ignored" in html
    assert f"{label}: Enter a date between 0001-01-02 and 9999-12-31." in html
    assert "gateway" in html  # the other filters, and the list, still work


@pytest.mark.parametrize("field", ["expires_after", "expires_before"])
@override_settings(TIME_ZONE="Asia/Tokyo")
def test_the_first_day_east_of_utc_is_a_400_naming_the_field_in_the_api(api, make_token, field):
    make_token("gateway")

    response = api.get("/api/v1/tokens", {field: "0001-01-01"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("field", ["expires_after", "expires_before"])
@override_settings(TIME_ZONE="America/New_York")
def test_the_last_day_west_of_utc_still_filters(quiet_alice, api, make_token, field):
    # Its start, 9999-12-31 05:00 UTC, fits: the filter applies rather than being refused.
    make_token("gateway")

    page = quiet_alice.get("/tokens/", {field: "9999-12-31"})
    # The API's moments are Unix seconds: its latest, 9999-12-31T23:59:59Z, filters too.
    listed = api.get("/api/v1/tokens", {field: 253_402_300_799})

    assert page.status_code == 200
    assert "Some filters were ignored" not in page.content.decode()
    assert listed.status_code == 200
    names = [token["name"] for token in listed.json()["results"]]
    assert names == ([] if field == "expires_after" else ["gateway"])
