from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token
from tokens.services import AuthFailure, authenticate


def test_active_assigned_unexpired_token_authenticates(make_token, sentiment):
    token, secret = make_token(model=sentiment)

    result = authenticate(secret)

    assert result.ok
    assert result.token == token
    assert result.token.model == sentiment


def test_authentication_is_one_indexed_query(make_token, sentiment, django_assert_num_queries):
    _, secret = make_token(model=sentiment)

    with django_assert_num_queries(1) as captured:
        result = authenticate(secret, provider=sentiment.provider)
        model = result.token.model
        assert (model.pk, model.model_id, model.name, model.provider_id) == (
            sentiment.pk,
            sentiment.model_id,
            "Sentiment Analysis",
            sentiment.provider_id,
        )
        assert (result.token.name, result.token.status) == ("gateway", "ACTIVE")

    sql = captured.captured_queries[0]["sql"]
    assert '"digest" =' in sql
    assert sql.startswith("SELECT")


def test_malformed_or_mistyped_secret_is_refused_without_the_database(
    make_token, sentiment, django_assert_num_queries
):
    _, secret = make_token(model=sentiment)
    mistyped = secret[:-7] + ("a" if secret[-7] != "a" else "b") + secret[-6:]

    with django_assert_num_queries(0):
        for presented in ["", "Bearer x", "uat_short", mistyped]:
            assert authenticate(presented).failure == AuthFailure.MALFORMED


def test_well_formed_unknown_secret_is_unknown(make_token, sentiment):
    from tokens.secrets import new_secret

    assert authenticate(new_secret().value).failure == AuthFailure.UNKNOWN


@pytest.mark.parametrize(
    ("prepare", "failure"),
    [
        (
            lambda token: services.suspend_token(actor=TEST_ACTOR, token=token),
            AuthFailure.SUSPENDED,
        ),
        (lambda token: services.cancel_token(actor=TEST_ACTOR, token=token), AuthFailure.CANCELED),
        (
            lambda token: services.unassign_token(actor=TEST_ACTOR, token=token),
            AuthFailure.UNASSIGNED,
        ),
        (
            lambda token: Token.objects.filter(pk=token.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            ),
            AuthFailure.EXPIRED,
        ),
        (lambda token: services.delete_token(actor=TEST_ACTOR, token=token), AuthFailure.UNKNOWN),
    ],
)
def test_unusable_tokens_never_authenticate(make_token, sentiment, prepare, failure):
    token, secret = make_token(model=sentiment)
    prepare(token)

    result = authenticate(secret)

    assert not result.ok
    assert result.token is None
    assert result.failure == failure


def test_reactivated_token_authenticates_again(make_token, sentiment):
    token, secret = make_token(model=sentiment)
    services.suspend_token(actor=TEST_ACTOR, token=token)
    services.activate_token(actor=TEST_ACTOR, token=token)

    assert authenticate(secret).ok


def test_token_of_another_provider_is_unknown_when_scoped(make_token, sentiment, charlie, globex):
    _, secret = make_token(model=sentiment)

    assert authenticate(secret, provider=globex).failure == AuthFailure.UNKNOWN
