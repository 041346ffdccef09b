"""The shipment plan over the sandbox: a cancelled line is dropped before deciding where the
IMEI goes, so the one live phone's IMEI rides on the ship update and no line is patched."""

from dataclasses import replace

import httpx
import pytest

from shipdesk.backmarket import LineState
from shipdesk.orders.actions import set_identifier
from shipdesk.outbox import engine
from shipdesk.shipping.actions import ship_order
from tests.factories import IMEI, OTHER_PHONE, PHONE, sandbox_order

pytestmark = pytest.mark.django_db

SANDBOX_UA = "BM-tests-shipdesk;t@example.com"


@pytest.mark.parametrize(
    "gone", [LineState.CANCELLED, LineState.REFUNDED_BEFORE_SHIPPING], ids=["cancelled", "refunded"]
)
def test_a_cancelled_line_leaves_the_imei_on_the_ship_update(store, sandbox, gone):
    order = sandbox_order(store, lines=(PHONE, replace(OTHER_PHONE, state=gone)))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)
    ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")

    counts = engine.deliver_due("backmarket")["backmarket"]

    assert counts == {"sent": 1, "failed": 0, "pending": 0, "dead": 0}
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    assert [(u["method"], u["path"], u["status"]) for u in updates] == [
        ("POST", f"/ws/orders/{order.channel_order_id}", 200)
    ]
    assert updates[0]["body"]["imei"] == IMEI
    remote = httpx.get(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}",
        headers={"Authorization": "Basic sandbox-token", "User-Agent": SANDBOX_UA},
        timeout=5,
    ).json()
    assert [(line["listing"], line["state"], line["imei"]) for line in remote["orderlines"]] == [
        (PHONE.sku, 3, IMEI),
        (OTHER_PHONE.sku, int(gone), ""),
    ]
