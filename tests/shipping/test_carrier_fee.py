"""ship_order refuses a carrier fee that is not a sane amount, whoever passes it (the forms
and the CSV check first; the command line and scripts rely on this)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(db):
    return make_order(make_store(), 1001, sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        ("1e400", "carrier fee: 1e400 is more than 1000000"),
        (Decimal("1E+15"), "carrier fee: 1E+15 is more than 1000000"),
        (float("inf"), "carrier fee: inf is not a finite number"),
        (Decimal("sNaN"), "carrier fee: sNaN is not a finite number"),
        ("-5", "carrier fee: -5 is negative"),
        ("12.345", "carrier fee: 12.345 has more than 2 decimals"),
        ("douze", "carrier fee: douze is not a number"),
    ],
)
def test_ship_order_refuses_a_carrier_fee_that_is_not_an_amount(order, fee, message):
    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo", tracking_number="6A1", shipment_cost=fee)

    assert str(refused.value) == message
    assert not Shipment.objects.exists()
    assert not Message.objects.exists()
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"


def test_ship_order_keeps_a_fee_to_the_cent(order):
    shipment = ship_order(
        order, carrier_code="colissimo", tracking_number="6A1", shipment_cost="1000000.00"
    )

    shipment.refresh_from_db()
    assert shipment.shipment_cost == Decimal("1000000.00")


def test_orders_ship_on_the_command_line_refuses_a_fee_of_1e400_in_one_line(order):
    with pytest.raises(CommandError) as refused:
        call_command(
            "orders",
            "ship",
            "1001",
            "--carrier",
            "colissimo",
            "--tracking",
            "6A1",
            "--cost",
            "1e400",
            stdout=StringIO(),
            stderr=StringIO(),
        )

    assert str(refused.value) == "carrier fee: 1e400 is more than 1000000"
    assert not Shipment.objects.exists()
