"""Two people acting on the same order at the same moment: one wins, the other is told why.

The threaded tests run two actions at once, each in its own thread with its own database
connection (closed at the end), released together by a `threading.Barrier`. To make the race
real and deterministic, the window between an action's check and its write is widened:
`widen` wraps a function the action calls there with one that waits, up to WINDOW_S seconds,
for the other thread to reach the same point. Without a lock both threads pass the check,
meet there, and both write. With the lock, the second thread waits for the lock instead, so
the first one's wait runs out; it writes and commits, and the second then finds the order as
the first left it.

The other tests hold an order read before someone else changed it (what a web page or a
script has in hand) and act on it: the action must decide on what the database says now.

These run on SQLite in `make test` and again on PostgreSQL in CI (.ci/run).
"""

import contextlib
import threading

import httpx
import pytest
from django.db import IntegrityError, connection, transaction

from shipdesk.orders import actions
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import ItemUnit, Order, OrderEvent
from shipdesk.outbox.models import Message
from shipdesk.shipping import actions as shipping_actions
from shipdesk.shipping.actions import ship_order, void_shipment
from shipdesk.shipping.models import Shipment
from shipdesk.stores.connection import client_for
from shipdesk.sync.importer import import_orders
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db(transaction=True)

IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"
WINDOW_S = 2.0


def race(*calls):
    """Run the calls at once, one thread each; what each returned, or the exception it raised."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # the refusal is the result
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def waiting_for_the_other(function, parties=2):
    """`function`, made to wait at a barrier for the other thread (at most WINDOW_S)."""
    window = threading.Barrier(parties)

    def wrapper(*args, **kwargs):
        # Broken when the other thread is waiting for the lock instead: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            window.wait(timeout=WINDOW_S)
        return function(*args, **kwargs)

    return wrapper


def widen(monkeypatch, module, name):
    monkeypatch.setattr(module, name, waiting_for_the_other(getattr(module, name)))


def refusals(results) -> list[str]:
    return [str(r) for r in results if isinstance(r, Exception)]


@pytest.fixture
def phone_order():
    """An accepted one-phone order awaiting shipment, its IMEI already scanned."""
    order = make_order(make_store(), 1001)
    ItemUnit.objects.filter(item__order=order).update(imei=IMEI)
    return order


def test_two_people_shipping_one_order_at_once_make_one_shipment(phone_order, monkeypatch):
    """The window: `missing_identifiers`, called between the checks and the shipment."""
    widen(monkeypatch, shipping_actions, "missing_identifiers")
    first, second = Order.objects.get(pk=phone_order.pk), Order.objects.get(pk=phone_order.pk)

    results = race(
        lambda: ship_order(first, carrier_code="colissimo", tracking_number="6A111"),
        lambda: ship_order(second, carrier_code="colissimo", tracking_number="6A222"),
    )

    [shipment] = Shipment.objects.filter(order=phone_order)
    assert [r for r in results if isinstance(r, Shipment)] == [shipment]
    assert refusals(results) == ["order 1001 is already shipped"]
    assert Message.objects.filter(order=phone_order, kind="backmarket").count() == 1
    assert OrderEvent.objects.filter(order=phone_order, kind="shipped").count() == 1
    phone_order.refresh_from_db()
    assert phone_order.status == "shipped"


def test_the_database_refuses_a_second_live_shipment(phone_order):
    fields = {"carrier_code": "colissimo", "ship_date": "2026-03-14"}
    Shipment.objects.create(order=phone_order, tracking_number="6A1", voided=True, **fields)
    Shipment.objects.create(order=phone_order, tracking_number="6A2", **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.create(order=phone_order, tracking_number="6A3", **fields)

    assert list(
        Shipment.objects.filter(order=phone_order).values_list("tracking_number", "voided")
    ) == [("6A2", False), ("6A1", True)]


def one_line_to_accept(store) -> Order:
    import_orders(store)
    for order in Order.objects.filter(awaiting_acceptance=True, is_backship=False):
        if order.items.count() == 1:
            return order
    raise AssertionError("the sandbox's data has no one-line order to accept; change the seed")


def test_two_accepts_at_once_send_one_acceptance_to_back_market(store, sandbox, monkeypatch):
    """The window: `queue_update`, called after the lines are chosen and before their
    acceptance is written to the outbox."""
    order = one_line_to_accept(store)
    widen(monkeypatch, actions, "queue_update")
    first, second = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)

    results = race(lambda: actions.accept_order(first), lambda: actions.accept_order(second))

    sent = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    assert [(u["path"], u["body"]["new_state"], u["status"]) for u in sent] == [
        (f"/ws/orders/{order.channel_order_id}", 2, 200)
    ]
    assert refusals(results) == [f"order {order.order_number} has no line awaiting acceptance"]
    order.refresh_from_db()
    assert (order.awaiting_acceptance, order.items.get().channel_state) == (False, 2)
    assert order.events.filter(kind="accepted").count() == 1
    assert Message.objects.filter(order=order).values_list("status", flat=True).get() == "sent"


def test_two_cancels_of_one_line_at_once_send_one_cancellation(store, sandbox, monkeypatch):
    """The window: `queue_update`, as for accepts."""
    order = one_line_to_accept(store)
    sku = order.items.get().sku
    widen(monkeypatch, actions, "queue_update")
    first, second = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)

    results = race(
        lambda: actions.cancel_line(first, sku=sku), lambda: actions.cancel_line(second, sku=sku)
    )

    sent = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    assert [(u["body"]["new_state"], u["status"]) for u in sent] == [(4, 200)]
    assert refusals(results) == [f"{sku} is already cancelled"]
    order.refresh_from_db()
    assert (order.status, order.awaiting_acceptance) == ("cancelled", False)
    assert order.events.filter(kind="line_cancelled").count() == 1


def test_a_line_back_market_refuses_awaits_acceptance_again(store, sandbox):
    order = one_line_to_accept(store)
    with client_for(store) as client:  # cancelled behind shipdesk's back: accepting fails
        client.cancel_line(order.channel_order_id, order.items.get().sku)

    with pytest.raises(OrderActionError, match="Back Market refused to accept"):
        actions.accept_order(order)

    order.refresh_from_db()
    assert order.awaiting_acceptance is True
    assert {i.channel_state for i in order.items.all()} == {1}
    assert order.channel_hash == ""  # the next import re-reads the lines from Back Market
    assert order.events.filter(kind="accept_failed").count() == 1
    assert Message.objects.get(order=order).status == "failed"


def test_a_line_accepted_behind_shipdesks_back_counts_as_accepted(store, sandbox):
    order = one_line_to_accept(store)
    with client_for(store) as client:  # a second acceptance is refused: it was applied
        client.accept_line(order.channel_order_id, order.items.get().sku)

    actions.accept_order(order)

    order.refresh_from_db()
    assert (order.awaiting_acceptance, order.items.get().channel_state) == (False, 2)
    sent = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    assert [(u["body"]["new_state"], u["status"]) for u in sent] == [(2, 200), (2, 400)]
    assert Message.objects.get(order=order).status == "sent"


def test_hold_on_an_order_shipped_meanwhile_is_refused(phone_order):
    seen_before = Order.objects.get(pk=phone_order.pk)
    ship_order(phone_order, carrier_code="colissimo", tracking_number="6A1")

    with pytest.raises(OrderActionError) as refused:
        actions.hold(seen_before)

    assert str(refused.value) == (
        "only orders awaiting shipment can be put on hold (this one is shipped)"
    )
    phone_order.refresh_from_db()
    assert (phone_order.status, phone_order.on_hold) == ("shipped", False)


def test_release_of_an_order_released_meanwhile_is_refused(phone_order):
    actions.hold(phone_order)
    seen_before = Order.objects.get(pk=phone_order.pk)
    actions.release(phone_order)

    with pytest.raises(OrderActionError, match="^order 1001 is not on hold$"):
        actions.release(seen_before)

    assert phone_order.events.filter(kind="release").count() == 1


def test_ship_of_an_order_held_meanwhile_is_refused(phone_order):
    seen_before = Order.objects.get(pk=phone_order.pk)
    actions.hold(phone_order)

    with pytest.raises(OrderActionError, match="^order 1001 is on hold: release it first$"):
        ship_order(seen_before, carrier_code="colissimo", tracking_number="6A1")

    assert not Shipment.objects.exists()


def test_a_shipment_voided_meanwhile_is_not_voided_twice(phone_order):
    shipment = ship_order(phone_order, carrier_code="colissimo", tracking_number="6A1")
    seen_before = Shipment.objects.get(pk=shipment.pk)
    void_shipment(shipment)
    ship_order(phone_order, carrier_code="colissimo", tracking_number="6A2")

    with pytest.raises(OrderActionError, match="^this shipment is already voided$"):
        void_shipment(seen_before)

    phone_order.refresh_from_db()
    assert phone_order.status == "shipped"
    assert phone_order.events.filter(kind="voided").count() == 1


def test_an_imei_scanned_meanwhile_is_not_overwritten(db):
    """The order as a page loaded it (units prefetched), before a colleague scanned the unit."""
    order = make_order(make_store(), 1002)
    seen_before = Order.objects.prefetch_related("items__units").get(pk=order.pk)
    list(seen_before.items.all()[0].units.all())
    actions.set_identifier(order, sku="IP13-128-BLK", imei=IMEI)

    with pytest.raises(OrderActionError) as refused:
        actions.set_identifier(seen_before, sku="IP13-128-BLK", imei=OTHER_IMEI)

    assert str(refused.value) == "every unit of IP13-128-BLK already has an IMEI / serial number"
    assert ItemUnit.objects.get(item__order=order).imei == IMEI


def test_deleting_and_restoring_decide_on_the_current_state(phone_order):
    seen_before = Order.objects.get(pk=phone_order.pk)
    actions.delete_order(phone_order)

    with pytest.raises(OrderActionError, match="^order 1001 is already deleted$"):
        actions.delete_order(Order.objects.get(pk=phone_order.pk))
    actions.restore_order(seen_before)

    phone_order.refresh_from_db()
    assert phone_order.deleted is False
    assert list(phone_order.events.values_list("kind", "message")) == [
        ("deleted", "Deleted (hidden from order lists)."),
        ("restored", "Restored (back in the order lists)."),
    ]
    with pytest.raises(OrderActionError, match="^order 1001 is not deleted$"):
        actions.restore_order(phone_order)
