"""API keys (CLI, hashing, revocation), HTTP Basic authentication and the per-key rate limit."""

import hashlib
import json
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shipdesk.api import ratelimit
from shipdesk.api.models import ApiKey, RateLimitWindow

from .conftest import basic

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {
    "message": "unauthorized: give an API key and its secret with HTTP Basic authentication"
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def get_orders(client, authorization: str | None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return client.get("/ssapi/orders", **headers)


def test_apikey_create_prints_key_and_secret_and_stores_only_a_hash(api_user, client):
    created = json.loads(run("apikey", "create", "--user", "erp", "--json"))

    api_key = ApiKey.objects.get()
    assert set(created) == {"key", "secret"}
    assert (api_key.key, api_key.user) == (created["key"], api_user)
    assert api_key.secret_hash == hashlib.sha256(created["secret"].encode()).hexdigest()
    assert created["secret"] not in str(list(ApiKey.objects.values_list()))
    assert get_orders(client, basic(created["key"], created["secret"])).status_code == 200


def test_apikey_list_never_shows_secrets(api_user):
    created = json.loads(run("apikey", "create", "--user", "erp", "--name", "ERP", "--json"))

    listed = run("apikey", "list", "--json")

    [row] = json.loads(listed)["keys"]
    assert (row["key"], row["user"], row["name"], row["revoked_at"]) == (
        created["key"],
        "erp",
        "ERP",
        None,
    )
    assert created["secret"] not in listed


def test_apikey_create_for_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run("apikey", "create", "--user", "nobody")
    assert ApiKey.objects.count() == 0


def test_a_revoked_key_gets_401(api_user, client):
    created = json.loads(run("apikey", "create", "--user", "erp", "--json"))

    printed = run("apikey", "revoke", created["key"])
    response = get_orders(client, basic(created["key"], created["secret"]))

    assert printed == f"Revoked API key {created['key']}.\n"
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    with pytest.raises(CommandError, match="was already revoked"):
        run("apikey", "revoke", created["key"])


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer abc",
        "Basic not-base64!",
        "Basic " + "//79",  # not UTF-8 once decoded
        basic("unknown-key", "secret"),
    ],
)
def test_missing_or_malformed_credentials_get_401_with_a_basic_challenge(
    client, credentials, authorization
):
    response = get_orders(client, authorization)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Basic realm="shipdesk"'
    assert "X-Rate-Limit-Limit" not in response


def test_a_wrong_secret_gets_401(client, credentials):
    key, secret = credentials

    response = get_orders(client, basic(key, secret + "x"))

    assert response.status_code == 401


def test_a_deactivated_users_key_gets_401(client, credentials, api_user):
    api_user.is_active = False
    api_user.save()

    response = get_orders(client, basic(*credentials))

    assert response.status_code == 401


def test_every_response_carries_the_rate_limit_and_the_limit_is_enforced(
    client, credentials, settings
):
    settings.SHIPDESK_API_RATE_LIMIT = 3
    auth = basic(*credentials)

    responses = [get_orders(client, auth) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r["X-Rate-Limit-Limit"] for r in responses] == ["3"] * 4
    assert [r["X-Rate-Limit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(1 <= int(r["X-Rate-Limit-Reset"]) <= 60 for r in responses)
    assert responses[3].json() == {
        "message": "too many requests: 3 per minute per API key; "
        f"retry in {responses[3]['X-Rate-Limit-Reset']} seconds"
    }
    assert responses[3]["Retry-After"] == responses[3]["X-Rate-Limit-Reset"]


def test_the_count_lives_in_the_database_so_every_process_shares_it(client, credentials, settings):
    settings.SHIPDESK_API_RATE_LIMIT = 40
    settings.REDIS_URL = None  # the database counter, even where CI sets REDIS_URL
    api_key = ApiKey.objects.get(key=credentials[0])
    for _ in range(5):  # what other processes counted this minute
        ratelimit.hit(api_key.pk)

    response = get_orders(client, basic(*credentials))

    assert response["X-Rate-Limit-Remaining"] == "34"
    assert RateLimitWindow.objects.get(api_key=api_key).count == 6


def test_a_new_minute_starts_a_new_count_and_drops_the_old_row(credentials, settings):
    settings.REDIS_URL = None  # the database counter, even where CI sets REDIS_URL
    api_key = ApiKey.objects.get(key=credentials[0])
    minute = (int(time.time()) // 60) * 60

    first = [ratelimit.hit(api_key.pk, now=minute + 1) for _ in range(3)][-1]
    second = ratelimit.hit(api_key.pk, now=minute + 61)

    assert (first.count, first.reset) == (3, 59)
    assert (second.count, second.reset) == (1, 59)
    assert list(RateLimitWindow.objects.values_list("window", "count")) == [(minute + 60, 1)]


@pytest.fixture
def redis_url():
    """A throwaway redis-server on a free local port (skipped where Redis is not installed)."""
    import shutil
    import socket
    import subprocess

    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_with_redis_the_count_lives_in_redis(client, credentials, settings, redis_url):
    import redis

    settings.REDIS_URL = redis_url
    settings.SHIPDESK_API_RATE_LIMIT = 2
    api_key = ApiKey.objects.get(key=credentials[0])

    responses = [get_orders(client, basic(*credentials)) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert [r["X-Rate-Limit-Remaining"] for r in responses] == ["1", "0", "0"]
    [name] = redis.Redis.from_url(redis_url).keys(f"shipdesk:api-rate:{api_key.pk}:*")
    assert redis.Redis.from_url(redis_url).get(name) == b"3"
    assert 0 < redis.Redis.from_url(redis_url).ttl(name) <= 120
    assert RateLimitWindow.objects.count() == 0


def test_credentials_never_reach_the_logs(client, credentials, settings, caplog):
    settings.DEBUG = True
    key, secret = credentials
    caplog.set_level("DEBUG")

    get_orders(client, basic(key, secret))
    get_orders(client, basic(key, "wrong-" + secret))
    get_orders(client, "Basic not-base64!")

    assert caplog.records, "the requests were logged"
    assert secret not in caplog.text
    assert basic(key, secret).split()[1] not in caplog.text
