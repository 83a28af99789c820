"""License keys' scopes: a Gateway key introspects tokens and is refused everything else."""

import pytest

from console.api.models import KeyScope
from console.api.services import create_license_key
from tests.conftest import TEST_ACTOR
from tests.test_usage_metering import introspect


@pytest.fixture
def gateway_key(alice, acme):
    return create_license_key(
        actor=TEST_ACTOR, provider=acme, created_by=alice, name="gateway", scope=KeyScope.GATEWAY
    )[1]


def test_a_gateway_key_introspects(client, gateway_key, make_token, sentiment):
    _, secret = make_token(model=sentiment)

    assert introspect(client, gateway_key, secret).json()["active"] is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tokens"),
        ("get", "/api/v1/models"),
        ("get", "/api/v1/events"),
        ("post", "/api/v1/tokens"),
    ],
)
def test_a_gateway_key_is_refused_everything_else_with_403(client, gateway_key, method, path):
    response = getattr(client, method)(
        path, content_type="application/json", headers={"Authorization": f"Bearer {gateway_key}"}
    )

    assert response.status_code == 403
    assert response.json()["message"].startswith("This is a Gateway license key")


def test_a_management_key_does_everything_its_role_allows(client, alice_key, sentiment):
    response = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {alice_key}"})

    assert response.status_code == 200


def test_an_unknown_scope_is_refused(alice, acme):
    from console.errors import DomainError

    with pytest.raises(DomainError) as refused:
        create_license_key(
            actor=TEST_ACTOR, provider=acme, created_by=alice, name="x", scope="everything"
        )

    assert refused.value.field == "scope"


def test_another_providers_gateway_key_sees_none_of_our_tokens(
    client, charlie, globex, make_token, sentiment
):
    key = create_license_key(
        actor=TEST_ACTOR, provider=globex, created_by=charlie, name="gw", scope=KeyScope.GATEWAY
    )[1]
    _, secret = make_token(model=sentiment)

    assert introspect(client, key, secret).json() == {"active": False}
