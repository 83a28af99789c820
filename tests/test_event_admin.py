"""Staff read events in Django admin, filtered; nobody adds, changes or deletes one there."""

import pytest

from console.audit.models import Event
from tests.conftest import TEST_ACTOR
from tokens import services


@pytest.fixture
def events(make_token, charlie, globex):
    token, _ = make_token("gateway")
    services.suspend_token(actor=TEST_ACTOR, token=token)
    services.create_token(actor=TEST_ACTOR, provider=globex, name="globex-token")
    return token


def test_staff_list_every_providers_events(staff_client, events):
    response = staff_client.get("/admin/audit/event/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "gateway" in html and "globex-token" in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("action__exact=token.suspended", "gateway", "globex-token"),
        ("actor_kind=system&q=globex", "globex-token", ">gateway<"),
        ("source__exact=api", None, "gateway"),
    ],
)
def test_staff_filter_events(staff_client, events, query, present, absent):
    html = staff_client.get(f"/admin/audit/event/?{query}").content.decode()

    if present:
        assert present in html
    assert absent not in html


def test_staff_filter_events_by_provider(staff_client, events, acme):
    html = staff_client.get(f"/admin/audit/event/?provider__id__exact={acme.pk}").content.decode()

    assert "gateway" in html
    assert "globex-token" not in html


def test_staff_open_an_event_read_only(staff_client, events):
    event = Event.objects.filter(action="token.suspended").get()

    response = staff_client.get(f"/admin/audit/event/{event.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html
    assert "Delete" not in html.split('id="content-main"', 1)[1]


def test_the_admin_can_neither_add_change_nor_delete_an_event(staff_client, events):
    event = Event.objects.first()
    before = Event.objects.count()

    assert staff_client.get("/admin/audit/event/add/").status_code == 403
    staff_client.post(f"/admin/audit/event/{event.pk}/change/", {"action": "token.deleted"})
    assert (
        staff_client.post(f"/admin/audit/event/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    staff_client.post(
        "/admin/audit/event/", {"action": "delete_selected", "_selected_action": [event.pk]}
    )

    assert Event.objects.count() == before
    event.refresh_from_db()
    assert event.action != "token.deleted"


def test_providers_cannot_read_events_in_the_admin(charlie_client, events):
    response = charlie_client.get("/admin/audit/event/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
