"""A refund after shipping (Back Market line state 6) is a return: the order stays shipped.
A refund before shipping (state 5) stays a cancellation. Against the sandbox over HTTP."""

import pytest
from django.utils import translation

from shipdesk.orders.models import Order
from shipdesk.sync.importer import import_orders
from tests.factories import OTHER_PHONE, PHONE, sandbox_order

from .oracle import admin, all_orders, has_address
from .returns import modified_at, refund_after_shipping, shipped_order

pytestmark = pytest.mark.django_db


def test_a_refund_after_shipping_keeps_the_order_shipped_and_marks_it_returned(store, sandbox):
    # Given an order shipped from shipdesk, which Back Market then refunds after a return
    order = shipped_order(store)
    refund_after_shipping(sandbox, order, return_reason=21, return_message="Écran noir")

    # When the store imports
    run = import_orders(store)

    # Then the order is still shipped, without a warning, and marked returned with the reason
    order.refresh_from_db()
    assert run.updated == 1
    assert (order.status, order.warning) == ("shipped", "")
    assert (order.returned_at, order.return_reason) == (modified_at(sandbox, order), 21)
    assert order.return_reason_name == "faulty on opening"
    with translation.override("fr"):
        assert order.return_reason_name == "panne à l’ouverture"
    assert list(order.items.values_list("channel_state", flat=True)) == [6]
    # and its history says so once
    assert list(order.events.filter(kind="returned").values_list("message", flat=True)) == [
        "Line IP13-128-BLK-GOOD refunded after shipping on Back Market: a return "
        "(faulty on opening: “Écran noir”)."
    ]
    assert not order.events.filter(kind="warning").exists()
    update = order.events.filter(kind="updated").latest("at")
    assert update.message == (
        "Updated from Back Market: line IP13-128-BLK-GOOD: shipped → refunded after shipping."
    )
    # and importing again changes nothing more
    assert import_orders(store).updated == 0
    assert order.events.filter(kind="returned").count() == 1


def test_one_line_of_two_refunded_after_shipping(store, sandbox):
    # Given an order of two phones shipped, then one of them refunded after a return
    order = shipped_order(store, lines=(PHONE, OTHER_PHONE))
    refund_after_shipping(sandbox, order, sku=OTHER_PHONE.sku, return_reason=1)
    import_orders(store)
    order.refresh_from_db()
    returned_at = modified_at(sandbox, order)
    assert (order.status, order.returned_at, order.return_reason) == ("shipped", returned_at, 1)
    assert list(order.events.filter(kind="returned").values_list("message", flat=True)) == [
        "Line GS21-128-GRY-EXC refunded after shipping on Back Market: a return "
        "(withdrawal within 14 days)."
    ]

    # When the other line comes back later, for another reason
    refund_after_shipping(sandbox, order, sku=PHONE.sku, return_reason=12)
    import_orders(store)

    # Then it has its own history entry; the order keeps its first return's time and reason
    order.refresh_from_db()
    assert (order.status, order.returned_at, order.return_reason) == ("shipped", returned_at, 1)
    assert list(
        order.events.filter(kind="returned").order_by("id").values_list("message", flat=True)
    ) == [
        "Line GS21-128-GRY-EXC refunded after shipping on Back Market: a return "
        "(withdrawal within 14 days).",
        "Line IP13-128-BLK-GOOD refunded after shipping on Back Market: a return "
        "(parcel did not arrive).",
    ]


def test_a_refund_before_shipping_stays_a_cancellation_with_the_warning(store, sandbox):
    # Given an accepted order being prepared, which the buyer cancels: Back Market refunds
    # its accepted line before shipping (state 5)
    order = sandbox_order(store)
    order.internal_notes = "on the packing bench"
    order.save()
    admin(sandbox.url, f"orders/{order.channel_order_id}/customer-cancel")

    import_orders(store)

    order.refresh_from_db()
    assert list(order.items.values_list("channel_state", flat=True)) == [5]
    assert order.status == "cancelled"
    assert order.warning.startswith("Cancelled on Back Market while being prepared")
    assert (order.returned_at, order.return_reason) == (None, None)
    assert order.events.filter(kind="warning").count() == 1
    assert not order.events.filter(kind="returned").exists()


def test_orders_refunded_after_shipping_are_imported_shipped_and_returned(store, sandbox):
    # Given Back Market's orders, some of them refunded after delivery
    raw = [o for o in all_orders(sandbox.url) if o["state"] == 9 and has_address(o)]
    returned = {
        o["order_id"]: next(line["return_reason"] for line in o["orderlines"] if line["state"] == 6)
        for o in raw
        if any(line["state"] == 6 for line in o["orderlines"])
    }
    cancelled = {
        o["order_id"] for o in raw if all(line["state"] in (4, 5, 7) for line in o["orderlines"])
    }
    assert returned and cancelled  # the sandbox's orders have both

    # When they are first imported
    import_orders(store)

    # Then the orders refunded after shipping are shipped and returned with their reason
    orders = Order.objects.filter(channel_order_id__in=[o["order_id"] for o in raw])
    assert {
        o.channel_order_id: o.return_reason for o in orders if o.returned_at is not None
    } == returned
    assert {o.channel_order_id for o in orders if o.status == "cancelled"} == cancelled
    assert {o.status for o in orders if o.channel_order_id in returned} == {"shipped"}
    for order in orders.filter(channel_order_id__in=returned):
        assert order.events.filter(kind="returned").count() == sum(
            1 for i in order.items.all() if i.channel_state == 6
        )
