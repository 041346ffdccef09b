"""The API's request size limit: 413 with JSON, never a 500; the limits' settings are checked."""

import json
import os
import subprocess
import sys

import httpx
import pytest

from shipdesk.notifications.models import WebhookSubscription

from .conftest import basic

pytestmark = pytest.mark.django_db

TOO_LARGE = {"message": "the request body is over the limit of 1048576 bytes"}


def padded(size: int) -> str:
    """A valid subscribe body of exactly `size` bytes (unknown fields are ignored)."""
    body = {"target_url": "https://erp.example.com/h", "event": "SHIP_NOTIFY", "padding": ""}
    body["padding"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body)


@pytest.mark.parametrize(
    "size",
    [
        20 * 1024 * 1024,  # over Django's own limit too: refused before it is read
        1024 * 1024 + 1,  # over the API's limit only
    ],
)
def test_a_body_over_the_limit_is_refused_with_413(api, size):
    response = api.post("/webhooks/subscribe", raw=padded(size))

    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert WebhookSubscription.objects.count() == 0


def test_a_body_at_the_limit_is_read(api):
    response = api.post("/webhooks/subscribe", raw=padded(1024 * 1024))

    assert response.status_code == 201
    assert WebhookSubscription.objects.count() == 1


def test_the_limit_is_a_setting(api, settings):
    settings.SHIPDESK_API_MAX_BODY_BYTES = 2048

    over = api.post("/webhooks/subscribe", raw=padded(2049))
    at = api.post("/webhooks/subscribe", raw=padded(2048))

    assert (over.status_code, over.json()) == (
        413,
        {"message": "the request body is over the limit of 2048 bytes"},
    )
    assert at.status_code == 201


def test_a_live_server_answers_a_20_mb_body_with_413(live_server, credentials):
    response = httpx.post(
        f"{live_server.url}/ssapi/orders/createorder",
        content=padded(20 * 1024 * 1024),
        headers={"Authorization": basic(*credentials), "Content-Type": "application/json"},
        timeout=60,
    )

    assert (response.status_code, response.json()) == (413, TOO_LARGE)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "SHIPDESK_API_MAX_BODY_BYTES",
            "20000000",
            "SHIPDESK_API_MAX_BODY_BYTES must be a number from 1024 to 2621440",
        ),
        (
            "SHIPDESK_WEBHOOKS_DEADLINE_S",
            "nan",
            "SHIPDESK_WEBHOOKS_DEADLINE_S must be a number from 1 to 60",
        ),
        (
            "SHIPDESK_WEBHOOKS_DEADLINE_S",
            "soon",
            "SHIPDESK_WEBHOOKS_DEADLINE_S must be a number from 1 to 60",
        ),
    ],
)
def test_limits_out_of_range_stop_the_start_with_their_name(tmp_path, variable, value, message):
    env = {**os.environ, "SHIPDESK_HOME": str(tmp_path), variable: value}
    run = subprocess.run(
        [sys.executable, "-m", "shipdesk.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode != 0
    assert message in run.stderr
