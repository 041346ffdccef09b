"""`shipdesk orders refund`: a line refunded on Back Market through the outbox, once —
before shipping (new_state 5) or after a return (6, with the return reason). Against the
sandbox over HTTP."""

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shipdesk.backmarket import LineState
from shipdesk.orders.models import OrderItem
from shipdesk.outbox.models import Message
from shipdesk.sync.importer import import_orders
from shipdesk.web.labels import message_summary
from tests.factories import PHONE, sandbox_order
from tests.sync.returns import refunds_sent, shipped_order

pytestmark = pytest.mark.django_db


def refund(order, *args) -> str:
    out = StringIO()
    call_command("orders", "refund", order.order_number, "--sku", PHONE.sku, *args, stdout=out)
    return out.getvalue()


def line_state(order) -> int:
    return OrderItem.objects.get(order=order, sku=PHONE.sku).channel_state


def test_an_accepted_line_is_refunded_before_shipping(store, sandbox):
    # Given an accepted order that cannot be shipped
    order = sandbox_order(store)

    # When the seller refunds its line
    said = refund(order)

    # Then Back Market is asked once, the order is cancelled without the import's warning
    assert said == "Line IP13-128-BLK-GOOD refunded on Back Market before shipping.\n"
    assert refunds_sent(sandbox, order) == [
        ({"order_id": order.channel_order_id, "new_state": 5, "sku": PHONE.sku}, 200)
    ]
    order.refresh_from_db()
    assert (order.status, order.warning, order.returned_at, line_state(order)) == (
        "cancelled",
        "",
        None,
        5,
    )
    # (the outbox page names it)
    assert message_summary(Message.objects.get(payload__action="refund")) == (
        "Refund of IP13-128-BLK-GOOD"
    )
    # and the next import agrees, adding nothing
    import_orders(store)
    order.refresh_from_db()
    assert (order.status, order.warning) == ("cancelled", "")
    assert not order.events.filter(kind__in=("warning", "returned")).exists()
    assert len(refunds_sent(sandbox, order)) == 1


def test_a_shipped_line_is_refunded_after_its_return_with_the_reason(store, sandbox):
    # Given a shipped order that came back
    order = shipped_order(store)

    # When the seller refunds it with Back Market's return reason
    said = refund(order, "--reason", "21", "--message", "Écran noir")

    # Then Back Market is asked once with the reason; the order stays shipped, returned
    assert said == (
        "Line IP13-128-BLK-GOOD refunded on Back Market after shipping (faulty on opening).\n"
    )
    body = {
        "order_id": order.channel_order_id,
        "new_state": 6,
        "return_reason": 21,
        "return_message": "Écran noir",
        "sku": PHONE.sku,
    }
    assert refunds_sent(sandbox, order) == [(body, 200)]
    order.refresh_from_db()
    assert (order.status, order.warning, order.return_reason, line_state(order)) == (
        "shipped",
        "",
        21,
        6,
    )
    assert order.returned_at is not None
    # and the next import keeps it so, with one history entry for the refund
    import_orders(store)
    order.refresh_from_db()
    assert (order.status, order.return_reason) == ("shipped", 21)
    assert [e.kind for e in order.events.filter(kind__in=("line_refunded", "returned"))] == [
        "line_refunded"
    ]
    assert len(refunds_sent(sandbox, order)) == 1


def test_refusals_say_what_to_type_and_send_nothing(store, sandbox):
    shipped = shipped_order(store)
    awaiting = sandbox_order(store, lines=(replace(PHONE, state=LineState.AWAITING_ACCEPTANCE),))
    reasons = (
        "0 stock mistake, 1 withdrawal within 14 days, 11 does not live at the address, "
        "12 parcel did not arrive, 13 lost, 21 faulty on opening, 22 failure at first use, "
        "23 failure under warranty, 24 non-compliant, 25 other reason"
    )

    def refused(order, *args) -> str:
        with pytest.raises(CommandError) as error:
            refund(order, *args)
        return str(error.value)

    assert refused(shipped) == (
        f"IP13-128-BLK-GOOD was shipped: give Back Market's return reason ({reasons})"
    )
    assert refused(shipped, "--reason", "abc") == (
        f"unknown return reason abc; use one of: {reasons}"
    )
    assert refused(shipped, "--reason", "2") == f"unknown return reason 2; use one of: {reasons}"
    assert refused(shipped, "--reason", "21", "--message", "x" * 501) == (
        "the return message is too long (at most 500 characters)"
    )
    assert refused(awaiting) == "IP13-128-BLK-GOOD is not accepted yet: cancel it instead"
    with pytest.raises(CommandError) as unknown:
        call_command("orders", "refund", shipped.order_number, "--sku", "NOPE", stdout=StringIO())
    assert str(unknown.value) == f"order {shipped.order_number} has no item with SKU 'NOPE'"
    assert refunds_sent(sandbox, shipped) == refunds_sent(sandbox, awaiting) == []
    assert (line_state(shipped), line_state(awaiting)) == (3, 1)

    refund(shipped, "--reason", "1")
    assert refused(shipped, "--reason", "1") == "IP13-128-BLK-GOOD is already cancelled or refunded"
    assert len(refunds_sent(sandbox, shipped)) == 1


def test_a_refund_back_market_refuses_leaves_the_line_as_it_was(store, sandbox):
    # Given a line shipped in shipdesk's eyes that Back Market still holds as accepted
    order = sandbox_order(store)
    OrderItem.objects.filter(order=order).update(channel_state=3)

    # When the seller refunds it after shipping
    with pytest.raises(CommandError) as refused:
        refund(order, "--reason", "21")

    # Then Back Market's refusal is said, once, and the line is shipped again here
    assert str(refused.value).startswith("Back Market refused to refund IP13-128-BLK-GOOD: ")
    assert [status for _, status in refunds_sent(sandbox, order)] == [400]
    order.refresh_from_db()
    assert (line_state(order), order.returned_at) == (3, None)
    assert order.events.filter(kind="refund_failed").count() == 1
    assert not order.events.filter(kind="line_refunded").exists()
