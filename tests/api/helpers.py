"""Finding sandbox orders for API tests, and the JSON the API must answer for them."""

import httpx

from shipdesk.orders import shipstation
from shipdesk.orders.imei import is_phone
from shipdesk.orders.models import Order
from shipdesk.sync.importer import import_orders

IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"


def order_json(order: Order) -> dict:
    return shipstation.order(shipstation.with_related(Order.objects.filter(pk=order.pk)).get())


def imported_phone_orders(store) -> list[Order]:
    """Accepted single-line, single-unit phone orders awaiting shipment (not BackShip)."""
    import_orders(store)
    found = []
    for order in Order.objects.filter(
        status="awaiting_shipment", awaiting_acceptance=False, is_backship=False
    ).order_by("id"):
        items = list(order.items.all())
        if (
            len(items) == 1
            and items[0].quantity == 1
            and is_phone(title=items[0].name, brand=items[0].brand)
        ):
            found.append(order)
    assert len(found) >= 2, "the sandbox data has too few such orders; change the seed"
    return found


def imported_phone_order(store) -> Order:
    return imported_phone_orders(store)[0]


def sandbox_ship_updates(sandbox, order: Order) -> list[dict]:
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    return [
        u
        for u in updates
        if u["path"] == f"/ws/orders/{order.channel_order_id}" and u["body"].get("new_state") == 3
    ]
