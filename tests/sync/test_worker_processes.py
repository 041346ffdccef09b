"""Real worker processes: killed between attempts, a notification is still delivered once."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from shipdesk.orders.actions import set_identifier
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from shipdesk.sync.importer import import_orders

from ..scaleout.workers import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "SHIPDESK_HOME": str(settings.HOME),
        "DATABASE_URL": database_url(),  # SQLite file or PostgreSQL
        "SHIPDESK_BM_RATE_LIMIT": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "shipdesk.cli", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_worker_killed_between_attempts_delivers_exactly_once_after_restart(store, sandbox):
    import_orders(store)
    order = next(
        o
        for o in Order.objects.filter(
            status="awaiting_shipment", awaiting_acceptance=False, is_backship=False
        )
        if o.items.count() == 1 and o.items.get().quantity == 1
    )
    set_identifier(order, sku=order.items.get().sku, imei="356938035643809")
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fail_next": 1000})

    ship_order(order, carrier_code="colissimo", tracking_number="6A42")  # queued after commit
    worker = start_worker()
    try:
        wait_for(lambda: Message.objects.filter(kind="backmarket").get().attempts >= 1)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert Message.objects.filter(kind="backmarket").get().status == "pending"

    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fail_next": 0})
    Message.objects.filter(kind="backmarket").update(
        next_attempt_at=timezone.now()
    )  # the backoff has elapsed
    worker = start_worker()
    try:
        wait_for(lambda: Message.objects.filter(kind="backmarket").get().status == "sent")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)

    log = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    applied = [u for u in log if u["body"].get("new_state") == 3 and u["status"] == 200]
    assert len(applied) == 1
    assert Order.objects.get(pk=order.pk).events.filter(kind="notification_sent").count() == 1
