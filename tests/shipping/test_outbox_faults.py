"""The outbox under injected faults: every shipment reaches Back Market exactly once."""

import io
import json
from collections import Counter

import httpx
import pytest
from django.core.management import call_command

from shipdesk.orders.actions import items_needing_identifiers, set_identifier
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from shipdesk.stores.connection import connect_store
from shipdesk.sync.importer import import_orders

pytestmark = pytest.mark.django_db


def valid_imei(n: int) -> str:
    from shipdesk.orders.imei import luhn_ok

    base = f"35{n:012d}"
    return next(base + str(d) for d in range(10) if luhn_ok(base + str(d)))


def fill_imeis(order: Order, start: int) -> int:
    for item, units in items_needing_identifiers(order):
        for _ in units:
            set_identifier(order, sku=item.sku, imei=valid_imei(start))
            start += 1
    return start


def test_100_shipments_with_10_percent_faults_each_reach_back_market_once(sandbox_factory, report):
    sandbox = sandbox_factory(orders=400, seed=5, token="sandbox-token", slow_seconds=(0.05, 0.1))
    store = connect_store(
        name="Faulty",
        region="eu",
        token="sandbox-token",
        base_url=sandbox.url,
        first_import_days=90,
    )
    import_orders(store)
    orders = list(Order.objects.filter(status="awaiting_shipment", is_backship=False)[:100])
    assert len(orders) == 100
    serial = 1
    for order in orders:
        serial = fill_imeis(order, serial)
        ship_order(order, carrier_code="colissimo", tracking_number=f"6A{order.channel_order_id}")
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fault_rate": 0.1})

    printed = []
    for _ in range(20):  # each pass is one worker round; retries are made due at once
        out = io.StringIO()
        call_command("notify", "--json", stdout=out)
        printed.append(json.loads(out.getvalue())["backmarket"])
        if printed[-1]["pending"] == 0:
            break
        Message.objects.filter(status="pending").update(next_attempt_at=orders[0].order_date)

    log = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    applied = Counter(
        u["path"] for u in log if u["body"].get("new_state") == 3 and u["status"] == 200
    )
    report(
        f"notify --json after each pass: {printed}\n"
        f"ship updates applied per order: {Counter(applied.values())}; "
        f"ship requests received: {sum(1 for u in log if u['body'].get('new_state') == 3)}"
    )
    assert printed[-1] == {"pending": 0, "sent": 100, "failed": 0, "dead": 0}
    assert sorted(applied) == sorted(f"/ws/orders/{o.channel_order_id}" for o in orders)
    assert set(applied.values()) == {1}
