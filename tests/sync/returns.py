"""An order shipped through shipdesk, which Back Market (the sandbox, over HTTP) then refunds
after shipping: a return."""

from datetime import datetime

import httpx

from shipdesk.orders.models import ItemUnit, Order
from shipdesk.outbox import engine
from shipdesk.shipping.actions import ship_order
from shipdesk.sync.importer import import_orders
from tests.factories import IMEI, OTHER_IMEI, PHONE, sandbox_order

from .oracle import HEADERS, admin


def shipped_order(store, lines=(PHONE,)) -> Order:
    """A sandbox order shipped in shipdesk, Back Market told, then imported again."""
    order = sandbox_order(store, lines=lines)
    units = ItemUnit.objects.filter(item__order=order).order_by("item_id", "index")
    for unit, imei in zip(units, (IMEI, OTHER_IMEI), strict=False):
        unit.imei = imei
        unit.save()
    ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")
    assert engine.deliver_due()["backmarket"]["failed"] == 0
    import_orders(store)
    order.refresh_from_db()
    assert (order.status, order.channel_state) == ("shipped", 9)
    return order


def refund_after_shipping(sandbox, order: Order, **body) -> dict:
    """Back Market refunds `order`'s shipped lines (or `sku`'s) after a return."""
    return admin(sandbox.url, f"orders/{order.channel_order_id}/return", body)


def refunds_sent(sandbox, order: Order) -> list[tuple[dict, int]]:
    """The refunds (new_state 5 or 6) of `order` the sandbox received: (body, status)."""
    log = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    return [
        (u["body"], u["status"])
        for u in log
        if u["path"] == f"/ws/orders/{order.channel_order_id}"
        and u["body"].get("new_state") in (5, 6)
    ]


def modified_at(sandbox, order: Order) -> datetime:
    """The order's `date_modification` on Back Market."""
    raw = httpx.get(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}", headers=HEADERS, timeout=10
    ).json()
    return datetime.fromisoformat(raw["date_modification"])
