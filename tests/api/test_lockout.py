"""The sign-in lockout on the ShipStation API: wrong secrets count per key and address."""

import pytest

from shipdesk.web.models import LoginAttempt

from .conftest import basic

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {
    "message": "unauthorized: give an API key and its secret with HTTP Basic authentication"
}
LOCKED = {
    "message": "too many failed sign-ins with this API key from your address; "
    "try again in 15 minutes"
}


def get_orders(client, key, secret, ip="10.0.0.1"):
    return client.get("/ssapi/orders", HTTP_AUTHORIZATION=basic(key, secret), REMOTE_ADDR=ip)


def test_five_wrong_secrets_lock_the_key_from_that_address(client, credentials):
    key, secret = credentials

    wrong = [get_orders(client, key, "guessed-secret") for _ in range(5)]
    locked = get_orders(client, key, secret)
    elsewhere = get_orders(client, key, secret, ip="10.0.0.2")

    assert [(r.status_code, r.json()) for r in wrong] == [(401, UNAUTHORIZED)] * 5
    assert (locked.status_code, locked.json()) == (429, LOCKED)
    assert elsewhere.status_code == 200
    assert LoginAttempt.objects.get(ip="10.0.0.1").username == f"api key {key}"


def test_the_right_secret_clears_the_count(client, credentials):
    key, secret = credentials
    for _ in range(4):
        get_orders(client, key, "guessed-secret")

    answers = [get_orders(client, key, secret), get_orders(client, key, "guessed-secret")]

    assert [r.status_code for r in answers] == [200, 401]
    assert LoginAttempt.objects.get().failures == 1


def test_unknown_keys_are_counted_too_and_never_answer_500(client):
    long_key = "k" * 5000

    answers = [get_orders(client, long_key, "s") for _ in range(6)]

    assert [r.status_code for r in answers] == [401] * 5 + [429]
    assert LoginAttempt.objects.get().username == f"api key {long_key}"[:150]
