"""Of two concurrent assignments of one token exactly one succeeds (on a real server database)."""

import threading

import pytest
from django.db import connection

from console.errors import DomainError
from tests.conftest import TEST_ACTOR
from tokens import services
from tokens.models import Token

ROUNDS = 10


@pytest.fixture
def server_database(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs concurrent connections: runs on PostgreSQL (set DATABASE_URL).")


def race(token_pk, models):
    """Each thread loads the token (seeing it unassigned), waits for the others, then assigns."""
    barrier = threading.Barrier(len(models))
    outcomes = []

    def attempt(model):
        try:
            copy = Token.objects.get(pk=token_pk)
            assert copy.model_id is None
            barrier.wait(timeout=10)
            services.assign_token(actor=TEST_ACTOR, token=copy, model=model)
            outcomes.append(("assigned", model.pk))
        except DomainError as error:
            outcomes.append((error.code, model.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(model,)) for model in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_assignments_of_one_token_exactly_one_succeeds(
    server_database, alice, sentiment, vision, make_token
):
    for round_number in range(ROUNDS):
        token, _ = make_token(f"contended-{round_number}")

        outcomes = race(token.pk, [sentiment, vision])

        assert sorted(code for code, _ in outcomes) == ["already_assigned", "assigned"]
        winner = next(model_pk for code, model_pk in outcomes if code == "assigned")
        assert Token.objects.get(pk=token.pk).model_id == winner
