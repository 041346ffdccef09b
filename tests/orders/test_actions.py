"""Order actions against the sandbox: each recorded in the history with who did it."""

import httpx
import pytest
from django.contrib.auth import get_user_model

from shipdesk.orders import actions
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order, Tag
from shipdesk.outbox import engine
from shipdesk.shipping.actions import ship_order, void_shipment
from shipdesk.sync.importer import import_orders

pytestmark = pytest.mark.django_db
IMEI = "356938035643809"


@pytest.fixture
def packer():
    return get_user_model().objects.create_user("lea", password="pw-12345678")


def sandbox_updates(sandbox):
    return httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]


def single_phone(awaiting_acceptance=False, backship=False):
    for order in Order.objects.filter(
        status="awaiting_shipment", awaiting_acceptance=awaiting_acceptance, is_backship=backship
    ):
        items = list(order.items.all())
        if (
            len(items) == 1
            and items[0].quantity == 1
            and items[0].brand in ("Apple", "Samsung", "Google")
        ):
            return order
    raise AssertionError("no such order in the sandbox data")


def test_cancel_a_line_out_of_stock_before_acceptance(store, sandbox, packer):
    import_orders(store)
    order = single_phone(awaiting_acceptance=True)
    sku = order.items.get().sku

    actions.cancel_line(order, sku=sku, reason="out of stock", user=packer)

    order.refresh_from_db()
    assert order.status == "cancelled" and order.awaiting_acceptance is False
    [update] = sandbox_updates(sandbox)
    assert update["body"] == {"order_id": order.channel_order_id, "new_state": 4, "sku": sku}
    event = order.events.get(kind="line_cancelled")
    assert (event.user, event.message) == (
        packer,
        f"Line {sku} cancelled on Back Market (out of stock).",
    )


def test_hold_release_and_tags_are_recorded_with_the_user(store, packer):
    import_orders(store)
    order = single_phone()
    tag = Tag.objects.create(name="Fragile")

    actions.hold(order, user=packer)
    with pytest.raises(OrderActionError, match="on hold: release it first"):
        ship_order(order, carrier_code="colissimo", tracking_number="X")
    actions.release(order, user=packer)
    actions.add_tag(order, tag, user=packer)
    actions.remove_tag(order, tag, user=packer)

    order.refresh_from_db()
    assert order.status == "awaiting_shipment" and order.on_hold is False
    assert list(order.events.filter(user=packer).values_list("kind", flat=True)) == [
        "hold",
        "release",
        "tag_added",
        "tag_removed",
    ]


def test_void_then_reship_tells_back_market_the_new_tracking_number(store, sandbox, packer):
    import_orders(store)
    order = single_phone()
    actions.set_identifier(order, sku=order.items.get().sku, imei=IMEI)
    first = ship_order(order, carrier_code="colissimo", tracking_number="6A111", user=packer)
    engine.deliver_due()

    void_shipment(first, user=packer)
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"
    ship_order(order, carrier_code="colissimo", tracking_number="6A222", user=packer)
    counts = engine.deliver_due()["backmarket"]

    assert counts == {"sent": 2, "failed": 0, "pending": 0, "dead": 0}
    remote = httpx.get(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}",
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    ).json()
    assert remote["tracking_number"] == "6A222"
    assert [e.kind for e in order.events.filter(user=packer)] == ["shipped", "voided", "shipped"]


def test_backship_order_takes_tracking_and_label_from_back_market(store, sandbox):
    import_orders(store)
    order = next(
        o
        for o in Order.objects.filter(is_backship=True, status="awaiting_shipment")
        if all(i.quantity == 1 for i in o.items.all())
    )
    for item in order.items.all():
        actions.set_identifier(order, sku=item.sku, imei=IMEI, allow_duplicate=True)

    shipment = ship_order(order, carrier_code="colissimo")

    order.refresh_from_db()
    assert order.awaiting_acceptance is False
    assert shipment.tracking_number and shipment.label_url.startswith("http")
    remote_delivery = httpx.get(
        f"{sandbox.url}/ws/shipping/v1/deliveries?order_id={order.channel_order_id}",
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    ).json()["results"][0]
    assert shipment.tracking_number == remote_delivery["trackingNumber"]
