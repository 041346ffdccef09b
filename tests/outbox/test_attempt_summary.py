"""The outbox's attempt log keeps exactly what was sent to Back Market: the ship update's
date_shipping as the date-time the request carried, not the shipment's day."""

from datetime import date

import httpx
import pytest

from shipdesk.orders.actions import set_identifier
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from tests.factories import IMEI, sandbox_order

pytestmark = pytest.mark.django_db


def sent_to(sandbox) -> list[dict]:
    """Every update the sandbox received, as it received it."""
    return httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]


def test_the_attempt_records_the_date_time_the_ship_update_carried(store, sandbox, settings):
    settings.TIME_ZONE = "Europe/Paris"
    order = sandbox_order(store)
    set_identifier(order, sku=order.items.get().sku, imei=IMEI)
    ship_order(
        order,
        carrier_code="colissimo",
        tracking_number="6A12345678901",
        ship_date=date(2026, 3, 14),
    )

    engine.deliver_due("backmarket")

    [received] = sent_to(sandbox)
    attempt = Message.objects.get(kind="backmarket").attempt_log.get()
    # the day shipped, at noon in Paris (UTC+1 in March), as a date-time
    assert received["body"]["date_shipping"] == "2026-03-14T11:00:00Z"
    assert attempt.request == {
        "step": "ship",
        "method": "POST",
        "path": f"/ws/orders/{order.channel_order_id}",
        "body": received["body"],
    }
    assert attempt.request["body"] == {
        "order_id": order.channel_order_id,
        "new_state": 3,
        "tracking_number": "6A12345678901",
        "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        "shipper": "Colissimo",
        "date_shipping": "2026-03-14T11:00:00Z",
        "imei": IMEI,
    }
