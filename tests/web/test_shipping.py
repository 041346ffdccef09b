"""Shipping several orders at once: a batch of selected orders, or a CSV of tracking numbers."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shipdesk.orders.models import ItemUnit, Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(db):
    store = make_store()
    accessory = dict(sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")
    return [
        make_order(store, 1001, **accessory),
        make_order(store, 1002, **accessory),
        make_order(store, 1003),  # a phone without its IMEI
        make_order(store, 1004, status="shipped", **accessory),
    ]


def test_the_batch_page_lists_the_orders_awaiting_shipment(shipper_client, orders):
    ids = "&".join(f"ids={o.pk}" for o in orders)

    html = shipper_client.get(f"/ship/batch/?{ids}").content.decode()

    assert all(f'name="tracking_{o.pk}"' in html for o in orders[:3])
    assert f'name="tracking_{orders[3].pk}"' not in html
    assert "Not awaiting shipment, left out:" in html
    assert "Ship 3 orders" in html


def test_batch_shipping_ships_each_order_with_its_tracking_number(shipper_client, orders):
    first, second, phone, _shipped = orders

    response = shipper_client.post(
        "/ship/batch/",
        {
            "ids": [first.pk, second.pk, phone.pk],
            "carrier_code": "chronopost",
            "service_code": "chrono_13",
            "package_code": "package",
            "shipment_cost": "9.50",
            "notify_backmarket": "on",
            f"tracking_{first.pk}": "XY111111111FR",
            f"weight_{first.pk}": "180",
            f"tracking_{second.pk}": "",
            f"tracking_{phone.pk}": "XY333333333FR",
        },
    )

    html = response.content.decode()
    assert "1 of 3 order(s) shipped." in html
    assert "Shipped with XY111111111FR." in html
    assert "No tracking number: not shipped." in html
    assert "cannot ship order 1003: missing IMEI / serial number" in html
    shipment = Shipment.objects.get()
    assert (
        shipment.order_id,
        shipment.carrier_code,
        shipment.service_code,
        str(shipment.shipment_cost),
        shipment.weight_grams,
    ) == (first.pk, "chronopost", "chrono_13", "9.50", 180)
    assert Message.objects.get(kind="backmarket").order_id == first.pk
    assert list(Order.objects.order_by("pk").values_list("status", flat=True)) == [
        "shipped",
        "awaiting_shipment",
        "awaiting_shipment",
        "shipped",
    ]


def test_batch_shipping_refuses_a_phone_without_imei_in_the_packers_language(
    shipper_client, orders
):
    phone = orders[2]

    response = shipper_client.post(
        "/ship/batch/",
        {
            "ids": [phone.pk],
            "carrier_code": "colissimo",
            "service_code": "",
            "package_code": "package",
            f"tracking_{phone.pk}": "6A333333333",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    html = response.content.decode()
    assert "impossible d’expédier la commande 1003 : IMEI / numéro de série manquant pour" in html
    assert not Shipment.objects.exists()


def test_a_csv_of_tracking_numbers_ships_the_orders_it_names(shipper_client, orders):
    ItemUnit.objects.filter(item__order=orders[2]).update(imei="356938035643809")
    csv = (
        "order_number,carrier,tracking_number,service,cost\n"
        "1001,Colissimo,6A111,colissimo_home,7.90\n"
        "1002,Pigeon,6A222,,\n"
        "1003,DHL Express,JD333,,12\n"
        "9999,colissimo,6A999,,\n"
        "1004,colissimo,6A444,,\n"
        "1002,colissimo,6A555,,abc\n"
    )

    response = shipper_client.post(
        "/ship/import/",
        {
            "file": SimpleUploadedFile("tracking.csv", csv.encode()),
            "notify_backmarket": "on",
        },
    )

    html = response.content.decode()
    assert "2 order(s) shipped, 4 refused." in html
    rows = [
        (
            s.order.order_number,
            s.carrier_code,
            s.tracking_number,
            s.service_code,
            str(s.shipment_cost),
        )
        for s in Shipment.objects.filter(tracking_number__in=["6A111", "JD333"]).order_by("pk")
    ]
    assert rows == [
        ("1001", "colissimo", "6A111", "colissimo_home", "7.90"),
        ("1003", "dhl_express", "JD333", "", "12.00"),
    ]
    assert "Unknown carrier Pigeon." in html
    assert "No order 9999." in html
    assert "order 1004 is already shipped" in html
    assert "cost: abc is not a number" in html


def test_a_csv_names_the_store_of_an_order_number_two_stores_have(shipper_client, orders):
    lyon = make_store("Refurb Lyon")
    make_order(lyon, 1001, sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")
    make_order(lyon, 1002, sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")
    csv = (
        "order_number,carrier,tracking_number,store\n"
        "1001,colissimo,6A111,Refurb Lyon\n"
        f"1002,colissimo,6A222,{lyon.pk}\n"
        "1001,colissimo,6A333,\n"
        "1002,colissimo,6A444,Refurb Nice\n"
    )

    response = shipper_client.post(
        "/ship/import/", {"file": SimpleUploadedFile("tracking.csv", csv.encode())}
    )

    html = response.content.decode()
    assert "2 order(s) shipped, 2 refused." in html
    shipped = Shipment.objects.order_by("pk").values_list(
        "order__store__name", "order__order_number", "tracking_number"
    )
    assert list(shipped) == [("Refurb Lyon", "1001", "6A111"), ("Refurb Lyon", "1002", "6A222")]
    assert "Order number 1001 is in several stores: give its store in a store column." in html
    assert "No order 1002 in store Refurb Nice." in html


def test_a_csv_without_the_needed_columns_is_refused(shipper_client, orders):
    response = shipper_client.post(
        "/ship/import/",
        {"file": SimpleUploadedFile("tracking.csv", b"order,tracking\n1001,6A1\n")},
    )

    assert "The file has no order_number, carrier, tracking_number column." in (
        response.content.decode()
    )
    assert not Shipment.objects.exists()


def test_the_service_list_follows_the_carrier(shipper_client):
    html = shipper_client.get("/ship/services/?carrier_code=dpd").content.decode()

    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html) == [
        ("", "— none —"),
        ("dpd_classic", "DPD Classic"),
        ("dpd_predict", "DPD Predict"),
    ]
