"""License keys: the JSON API's credentials, created once, stored as digests, revocable."""

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.api import services
from console.api.models import LicenseKey
from console.errors import DomainError
from console.keys import digest
from tests.conftest import TEST_ACTOR
from tests.test_secret_never_stored import every_stored_value

LICENSE_KEY_SHAPE = re.compile(r"lic_[0-9A-Za-z]{49}")


# --- Rules ------------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_only_its_digest_is_stored(alice, acme):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )

    assert LICENSE_KEY_SHAPE.fullmatch(secret)
    assert key.digest == digest(secret)
    assert key.hint == f"lic_…{secret[-4:]}"
    assert secret not in every_stored_value()


def test_key_names_are_required_and_unique_per_provider_ignoring_case(alice, charlie, acme, globex):
    services.create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="Gateway")

    with pytest.raises(DomainError) as blank:
        services.create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="   ")
    with pytest.raises(DomainError) as duplicate:
        services.create_license_key(
            actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
        )
    services.create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="gateway"
    )

    assert blank.value.code == "required"
    assert duplicate.value.code == "duplicate"
    assert LicenseKey.objects.filter(provider=acme).count() == 1


def test_a_key_authenticates_as_its_creator_until_revoked(alice, acme):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )

    assert services.authenticate_license_key(secret).created_by == alice
    services.revoke_license_key(actor=TEST_ACTOR, key=key)
    assert services.authenticate_license_key(secret) is None


@pytest.mark.parametrize("presented", ["", "lic_short", "uat_" + "a" * 49, "Bearer x"])
def test_malformed_keys_are_refused_without_a_query(alice, presented):
    with CaptureQueriesContext(connection) as queries:
        assert services.authenticate_license_key(presented) is None
    assert len(queries) == 0


def test_a_mistyped_key_is_refused(alice, acme):
    _, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )
    mistyped = secret[:10] + ("A" if secret[10] != "A" else "B") + secret[11:]

    assert services.authenticate_license_key(mistyped) is None


def test_a_deactivated_providers_keys_stop_working(alice, acme):
    _, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )
    alice.is_active = False
    alice.save()

    assert services.authenticate_license_key(secret) is None


def test_last_used_is_written_at_most_once_a_minute(alice, acme):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )

    with CaptureQueriesContext(connection) as first:
        services.authenticate_license_key(secret)
    with CaptureQueriesContext(connection) as again:
        services.authenticate_license_key(secret)
    LicenseKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as later:
        services.authenticate_license_key(secret)

    key.refresh_from_db()
    assert len(first) == 2  # the lookup, and the first "last used"
    assert len(again) == 1  # the lookup only: no write per request
    assert len(later) == 2
    assert timezone.now() - key.last_used_at < timedelta(seconds=5)


# --- manage.py createlicense ------------------------------------------------------------------


def test_createlicense_prints_a_working_key_as_its_last_line(alice, capsys):
    call_command("createlicense", "alice", "--name", "ci")

    out = capsys.readouterr().out.strip().splitlines()
    assert LICENSE_KEY_SHAPE.fullmatch(out[-1])
    assert services.authenticate_license_key(out[-1]).name == "ci"


def test_createlicense_names_the_key_when_no_name_is_given(alice, capsys):
    call_command("createlicense", "alice")

    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert services.authenticate_license_key(secret).name.startswith("Created by manage.py")


def test_createlicense_refuses_an_unknown_provider(db):
    with pytest.raises(CommandError, match="no user named “nobody”"):
        call_command("createlicense", "nobody")


def test_createlicense_refuses_a_duplicate_name(alice, acme):
    services.create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="ci")

    with pytest.raises(CommandError, match="already have a license key"):
        call_command("createlicense", "alice", "--name", "CI")


# --- The License keys page --------------------------------------------------------------------


def test_license_keys_page_lists_name_hint_created_and_last_used(
    alice_client, alice, charlie, acme, globex
):
    used, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="Query gateway"
    )
    services.authenticate_license_key(secret)
    services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="Nightly script"
    )
    services.create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="Charlie's key"
    )

    html = alice_client.get("/account/license-keys/").content.decode()

    assert "Query gateway" in html and "Nightly script" in html
    assert used.hint in html
    assert "Never" in html
    assert "just now" in html
    assert "Charlie" not in html
    assert secret not in html


def test_license_keys_page_has_an_empty_state(alice_client):
    html = alice_client.get("/account/license-keys/").content.decode()

    assert "Create your first license key" in html


def test_creating_a_key_reveals_it_once_and_never_caches_it(alice_client, alice):
    response = alice_client.post(
        "/account/license-keys/new/", {"name": "gateway", "scope": "management"}
    )

    html = response.content.decode()
    secret = LICENSE_KEY_SHAPE.search(html).group(0)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "cannot be retrieved later" in html
    assert services.authenticate_license_key(secret).created_by == alice
    assert secret not in alice_client.get("/account/license-keys/").content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name for the license key."), ("GATEWAY", "already have a license key named")],
)
def test_create_key_rejects_bad_names_next_to_the_field(alice_client, alice, name, message, acme):
    services.create_license_key(actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway")

    response = alice_client.post(
        "/account/license-keys/new/",
        {"name": name, "scope": "gateway"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == (409 if name == "GATEWAY" else 400)
    assert 'class="field-error"' in response.content.decode()
    assert message in response.content.decode()
    assert LicenseKey.objects.filter(provider=acme).count() == 1


def test_revoking_asks_first_then_revokes(alice_client, alice, acme):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )

    confirm = alice_client.get(f"/account/license-keys/{key.key_id}/revoke/")
    assert "Revoke license key?" in confirm.content.decode()
    assert LicenseKey.objects.filter(pk=key.pk).exists()

    response = alice_client.post(
        f"/account/license-keys/{key.key_id}/revoke/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "licenseKeysChanged" in response["HX-Trigger"]
    assert services.authenticate_license_key(secret) is None


def test_another_providers_key_cannot_be_seen_or_revoked(alice_client, charlie, globex):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="charlie"
    )

    assert alice_client.get(f"/account/license-keys/{key.key_id}/revoke/").status_code == 404
    assert alice_client.post(f"/account/license-keys/{key.key_id}/revoke/").status_code == 404
    assert services.authenticate_license_key(secret) is not None


def test_license_keys_page_needs_a_login(client, db):
    response = client.get("/account/license-keys/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_account_menu_links_to_license_keys_and_api_docs(alice_client):
    html = alice_client.get("/").content.decode()

    assert 'href="/account/license-keys/"' in html
    assert 'href="/docs/api/"' in html


def test_staff_see_keys_in_admin_without_the_digest_and_can_revoke(staff_client, alice, acme):
    key, secret = services.create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway"
    )

    listing = staff_client.get("/admin/api/licensekey/").content.decode()
    detail = staff_client.get(f"/admin/api/licensekey/{key.pk}/change/").content.decode()
    staff_client.post(f"/admin/api/licensekey/{key.pk}/delete/", {"post": "yes"})

    assert "gateway" in listing and key.hint in listing
    assert key.digest not in detail and secret not in detail
    assert services.authenticate_license_key(secret) is None
