"""`check_shippable` before anything leaves, and BackShip's acceptance and label fetched
before the shipment's transaction, never inside it."""

import dataclasses

import httpx
import pytest

from shipdesk.backmarket import LineState
from shipdesk.orders.actions import OrderActionError, set_identifier
from shipdesk.orders.models import ItemUnit
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import check_shippable, ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.stores.connection import client_for
from tests.factories import make_order, make_store

from ..factories import IMEI, PHONE, sandbox_order

pytestmark = pytest.mark.django_db

TO_ACCEPT = dataclasses.replace(PHONE, state=LineState.AWAITING_ACCEPTANCE)


def updates(sandbox) -> list[tuple[str, int, int]]:
    log = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    return [(u["method"], u["body"].get("new_state"), u["status"]) for u in log]


def test_an_order_awaiting_payment_is_not_shipped():
    order = make_order(make_store(), 1001, status="awaiting_payment")
    ItemUnit.objects.filter(item__order=order).update(imei=IMEI)

    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo", tracking_number="6A1")

    assert str(refused.value) == "order 1001 is not paid yet: do not ship it"
    assert not Shipment.objects.exists() and not Message.objects.exists()


def test_check_shippable_takes_imeis_from_the_notes_then_says_what_is_missing():
    order = make_order(make_store(), 1001, quantity=2)
    order.internal_notes = "IP13-128-BLK: 356938035643809"
    order.save()

    with pytest.raises(OrderActionError) as refused:
        check_shippable(order)

    assert str(refused.value) == (
        "cannot ship order 1001: missing IMEI / serial number for "
        "IP13-128-BLK (iPhone 13 128 GB - Black - Unlocked) unit 2"
    )
    units = ItemUnit.objects.filter(item__order=order).order_by("index")
    assert list(units.values_list("imei", flat=True)) == ["356938035643809", ""]


def test_a_backship_order_is_accepted_before_its_shipment_which_carries_back_markets_label(
    store, sandbox
):
    order = sandbox_order(store, is_backship=True, lines=(TO_ACCEPT,))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)

    shipment = ship_order(order, carrier_code="colissimo")

    with client_for(store) as client:
        [label] = client.list_deliveries(order.channel_order_id)
    assert (shipment.tracking_number, shipment.label_url) == (label.trackingNumber, label.labelUrl)
    # Accepted and answered before the shipment was written; the ship update waits its turn.
    assert updates(sandbox) == [("POST", 2, 200)]
    accept, ship = Message.objects.filter(order=order).order_by("pk")
    assert (accept.payload["action"], accept.status) == ("accept", "sent")
    assert (ship.payload["action"], ship.status) == ("ship", "pending")

    assert engine.deliver_due()["backmarket"] == {"pending": 0, "sent": 2, "failed": 0, "dead": 0}
    assert updates(sandbox) == [("POST", 2, 200), ("POST", 3, 200)]


def test_a_backship_order_back_market_refuses_to_accept_is_not_shipped(store, sandbox):
    order = sandbox_order(store, is_backship=True, lines=(TO_ACCEPT,))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)
    with client_for(store) as client:  # the customer cancelled it meanwhile
        client.cancel_line(order.channel_order_id, PHONE.sku)

    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo")

    assert str(refused.value).startswith(f"Back Market refused to accept {PHONE.sku}: ")
    assert not Shipment.objects.exists()
    [accept] = Message.objects.filter(order=order)
    assert (accept.payload["action"], accept.status) == ("accept", "failed")
    order.refresh_from_db()
    assert (order.status, order.awaiting_acceptance) == ("awaiting_shipment", True)
