"""/healthz says the app server lives; /readyz that it can reach its database. Load balancers
ask both over plain HTTP, anonymously, with GET or HEAD."""

import pytest


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_checks_answer_get_and_head_anonymously_and_are_never_cached(client, db, url):
    get = client.get(url)
    head = client.head(url)

    assert (get.status_code, get.content) == (200, b"ok")
    assert head.status_code == 200
    assert "no-store" in get["Cache-Control"]
    assert "Set-Cookie" not in get.headers


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_checks_answer_over_plain_http_when_https_is_enforced(client, db, settings, url):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(url).status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_healthz_touches_neither_the_database_nor_the_session(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz", headers={"cookie": "sessionid=abc"})

    assert response.status_code == 200


def test_readyz_asks_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_readyz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]


def test_healthz_stays_200_when_the_database_is_down(client, database_down):
    assert client.get("/healthz").status_code == 200


def test_health_checks_refuse_post(client, db):
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405
