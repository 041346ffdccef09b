"""Manual orders through the API: `POST /orders/createorder` with an orderKey shipdesk does
not know creates the order in the "Manual orders" store; it is listed, labelled and shipped
like any other, and Back Market is never told of it.

The order is created with a second third-party ShipStation client, `shipstation` 0.1.3
(natecox/pyshipstation: ShipStationOrder, add_order, submit_orders); it is then listed,
labelled and shipped with shipstation-api-wrapper's request handler (the `shipstation`
fixture), against the sandbox carrier the Back Market sandbox also serves.
"""

import json
from datetime import datetime
from decimal import Decimal
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from shipstation.api import (
    ShipStation,
    ShipStationAddress,
    ShipStationItem,
    ShipStationOrder,
    ShipStationWeight,
)

from shipdesk.orders import manual
from shipdesk.orders.actions import OrderActionError, accept_order, refund_line
from shipdesk.orders.backmarket_updates import queue_update
from shipdesk.orders.models import Order, Product
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.shipping import packing
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store
from shipdesk.sync.importer import NothingToImport, import_orders

from .helpers import IMEI
from .test_labels import LABEL

SKU = "IPH13-128-BLK"


def pyshipstation(live_server, credentials) -> ShipStation:
    client = ShipStation(*credentials)
    client.url = f"{live_server.url}/ssapi"
    return client


def replacement_order(order_key: str = "warranty-0042") -> ShipStationOrder:
    order = ShipStationOrder(order_key=order_key, order_number="W-0042")
    order.set_order_date("2026-05-02T09:30:00")
    order.set_status("awaiting_shipment")
    order.set_customer_details(username="Camille Martin", email="camille@example.com")
    ship_to = ShipStationAddress(
        name="Camille Martin",
        street1="12 rue de la Paix",
        city="Lyon",
        postal_code="69002",
        phone="0601020304",
    )
    ship_to.country = "FR"  # the library's address forgets its country argument
    order.set_shipping_address(ship_to)
    order.set_billing_address(ShipStationAddress(name="Camille Martin"))
    item = ShipStationItem(
        sku=SKU, name="iPhone 13 128 GB black (replacement)", quantity=1, unit_price=Decimal("0")
    )
    item.set_weight(ShipStationWeight(units="ounces", value=16))
    order.add_item(item)
    order.internal_notes = IMEI  # the replacement phone's IMEI, as a ShipStation user types it
    return order


def sandbox_updates(sandbox) -> list[dict]:
    return httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]


def test_a_manual_order_is_created_listed_labelled_and_shipped_and_back_market_is_never_told(
    sandbox, account, live_server, credentials, shipstation
):
    Product.objects.create(sku=SKU, name="iPhone 13", needs_imei=True)
    client = pyshipstation(live_server, credentials)
    client.add_order(replacement_order())
    client.submit_orders()

    order = Order.objects.get(order_key="warranty-0042")
    store = order.store
    assert (store.name, store.channel, store.is_backmarket, store.auto_import) == (
        "Manual orders",
        "manual",
        False,
        False,
    )
    assert (order.order_number, order.status, order.customer_email, order.internal_notes) == (
        "W-0042",
        "awaiting_shipment",
        "camille@example.com",
        IMEI,
    )
    assert (order.ship_to.name, order.ship_to.city, order.ship_to.country) == (
        "Camille Martin",
        "Lyon",
        "FR",
    )
    [item] = order.items.all()
    assert (item.sku, item.quantity, item.weight_grams, item.channel_line_id) == (
        SKU,
        1,
        454,
        None,
    )
    assert item.units.count() == 1
    assert [e.kind for e in order.events.all()] == ["manual_created", "notes"]

    listed = shipstation.get("/orders", params={"storeId": store.pk}).json()
    assert [(o["orderId"], o["orderNumber"], o["orderStatus"]) for o in listed["orders"]] == [
        (order.pk, "W-0042", "awaiting_shipment")
    ]
    assert listed["orders"][0]["advancedOptions"]["storeId"] == store.pk

    response = shipstation.post("/orders/createlabelfororder", {"orderId": order.pk, **LABEL})
    assert response.status_code == 200, response.text
    counts = engine.deliver_due()

    order.refresh_from_db()
    shipment = Shipment.objects.get(order=order)
    assert order.status == "shipped"
    assert response.json()["trackingNumber"] == shipment.tracking_number
    assert bytes(shipment.label_pdf).startswith(b"%PDF")
    assert shipment.notify_channel is False
    assert order.items.get().units.get().imei == IMEI  # read from the notes, checked, kept
    assert Message.objects.filter(kind=Message.Kind.BACKMARKET).count() == 0
    assert counts["backmarket"] == {"sent": 0, "failed": 0, "pending": 0, "dead": 0}
    assert sandbox_updates(sandbox) == []
    shipped = order.events.get(kind="shipped")
    assert shipped.data["notify_backmarket"] is False


def test_posting_the_manual_order_again_replaces_it_until_it_ships(live_server, credentials, db):
    client = pyshipstation(live_server, credentials)
    first = replacement_order()
    client.add_order(first)
    client.submit_orders()
    order = Order.objects.get(order_key="warranty-0042")

    again = replacement_order()
    again.items[0].quantity = 2
    again.ship_to.city = "Villeurbanne"
    client.orders = [again]
    client.submit_orders()

    order.refresh_from_db()
    assert Order.objects.filter(order_key="warranty-0042").count() == 1
    assert order.ship_to.city == "Villeurbanne"
    assert [(i.sku, i.quantity, i.units.count()) for i in order.items.all()] == [(SKU, 2, 2)]
    assert order.events.filter(kind="manual_edited").count() == 1


def new_order_body(**fields) -> dict:
    return {
        "orderKey": "phone-order-7",
        "orderNumber": "PH-7",
        "orderDate": "2026-05-02T09:30:00",
        "orderStatus": "on_hold",
        "holdUntilDate": "2026-05-10",
        "billTo": {"name": "Jean Dupont"},
        "shipTo": {
            "name": "Jean Dupont",
            "street1": "3 place Bellecour",
            "city": "Lyon",
            "postalCode": "69002",
            "country": "fr",
        },
        "items": [
            {"sku": "CASE-1", "name": "Phone case", "quantity": 2, "unitPrice": 9.5},
        ],
        "shippingAmount": 4.9,
        "internalNotes": "sold at the shop",
        **fields,
    }


def test_createorder_creates_a_held_order_with_its_amounts(api):
    response = api.post("/orders/createorder", new_order_body())

    assert response.status_code == 200, response.content
    body = response.json()
    order = Order.objects.get(pk=body["orderId"])
    assert (body["orderKey"], body["orderNumber"], body["orderStatus"]) == (
        "phone-order-7",
        "PH-7",
        "on_hold",
    )
    assert (body["holdUntilDate"] is not None, body["internalNotes"]) == (True, "sold at the shop")
    assert (order.order_total, order.amount_paid, order.shipping_amount) == (
        Decimal("23.90"),
        Decimal("23.90"),
        Decimal("4.90"),
    )
    assert (order.ship_to.country, order.bill_to.name, order.bill_to.city) == (
        "FR",
        "Jean Dupont",
        "",
    )
    assert body["items"][0]["sku"] == "CASE-1"
    assert body["items"][0]["quantity"] == 2


def test_without_an_order_key_a_new_order_gets_one(api):
    body = new_order_body()
    del body["orderKey"]

    response = api.post("/orders/createorder", body)

    assert response.status_code == 200, response.content
    assert response.json()["orderKey"].startswith("manual-")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"shipTo": {"name": "Jean Dupont", "city": "Lyon", "country": "FR"}},
            "invalid request: shipTo.street1: required to create an order; "
            "shipTo.postalCode: required to create an order",
        ),
        ({"items": []}, "invalid request: items: required to create an order"),
        (
            {"items": [{"sku": "CASE-1", "quantity": 1}]},
            "invalid request: items.0.name: required to create an order",
        ),
        (
            {"orderStatus": "shipped"},
            "invalid request: orderStatus: a new order is awaiting_payment, awaiting_shipment, "
            "on_hold, not shipped (ship it afterwards with /orders/markasshipped or a label)",
        ),
        (
            {"orderNumber": None, "orderDate": None},
            "invalid request: orderNumber: required to create an order; "
            "orderDate: required to create an order",
        ),
        (
            {"shipTo": {**new_order_body()["shipTo"], "country": "F1"}},
            "the ship-to country is a 2-letter code (FR, DE), not 'F1'",
        ),
    ],
)
def test_an_incomplete_new_order_is_refused_naming_the_field_and_nothing_is_written(
    api, change, message
):
    response = api.post("/orders/createorder", new_order_body(**change))

    assert (response.status_code, response.json()) == (400, {"message": message})
    assert Order.objects.count() == 0


def test_an_order_id_shipdesk_does_not_have_is_404(api):
    response = api.post("/orders/createorder", {"orderId": 99999, "internalNotes": "x"})

    assert (response.status_code, response.json()) == (404, {"message": "order 99999 not found"})


def new_address() -> dict:
    return {
        "name": "Jean Dupont",
        "street1": "3 place Bellecour",
        "city": "Lyon",
        "postal_code": "69002",
        "country": "FR",
    }


def manual_order(order_number: str = "M-1") -> Order:
    return manual.create_manual_order(
        manual.ManualOrder(
            order_number=order_number,
            ship_to=new_address(),
            items=[manual.ManualItem(sku="CASE-1", name="Phone case", weight_grams=80)],
        )
    )


def test_nothing_about_a_manual_order_is_queued_for_back_market(db):
    order = manual_order()

    shipment = ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")

    assert queue_update(order, "invoice", key=str(order.pk)) is None
    assert shipment.notify_channel is False
    assert Message.objects.filter(kind=Message.Kind.BACKMARKET).count() == 0
    for action in (
        lambda: accept_order(order),
        lambda: refund_line(order, sku="CASE-1", reason=1),
    ):
        with pytest.raises(OrderActionError) as refused:
            action()
        assert str(refused.value) == "order M-1 is a manual order: Back Market knows nothing of it"


def test_the_manual_orders_store_is_made_once_and_never_imported(db):
    first, second = manual_order(), manual_order(order_number="M-2")

    assert first.store == second.store
    assert (first.channel_order_id, second.channel_order_id) == (1, 2)
    assert Store.objects.filter(channel="manual").count() == 1
    assert first.store.is_import_due(datetime(2030, 1, 1).astimezone()) is False


def test_the_manual_orders_store_imports_nothing_and_sync_skips_it(store):
    """`shipdesk sync` imports every Back Market store; the manual orders store is left out,
    and an import asked of it by name is refused in one line."""
    manual_store = manual_order().store

    with pytest.raises(NothingToImport) as refused:
        import_orders(manual_store)
    out = StringIO()
    call_command("sync", "--json", stdout=out)
    with pytest.raises(CommandError) as named:
        call_command("sync", "--store", "Manual orders", stdout=StringIO())

    assert str(refused.value) == (
        "store 'Manual orders' keeps the orders entered by hand: nothing is imported for it"
    )
    assert str(named.value) == str(refused.value)
    assert [run["store"] for run in json.loads(out.getvalue())["stores"]] == [store.pk]
    assert manual_store.import_runs.count() == 0
    manual_store.refresh_from_db()
    assert (manual_store.health, manual_store.last_error) == ("ok", "")


def test_a_key_another_order_took_meanwhile_is_refused(db):
    """createorder looks the key up first; between that and the insert another request may
    have created it (no 500: the database's unique key says so)."""
    data = manual.ManualOrder(
        order_number="M-1",
        ship_to=new_address(),
        items=[manual.ManualItem(sku="CASE-1", name="Phone case")],
    )
    manual.create_manual_order(data, order_key="shop-1")

    with pytest.raises(OrderActionError) as refused:
        manual.create_manual_order(data, order_key="shop-1")

    assert str(refused.value) == "an order with the key shop-1 exists already"
    assert Order.objects.count() == 1


def test_an_order_of_more_than_1000_pieces_in_all_is_refused(api):
    items = [{"sku": f"CASE-{n}", "name": "Phone case", "quantity": 600} for n in (1, 2)]

    response = api.post("/orders/createorder", new_order_body(items=items))

    assert (response.status_code, response.json()) == (
        400,
        {"message": "an order has at most 1000 pieces in all"},
    )
    assert Order.objects.count() == 0


def test_a_date_out_of_range_is_a_400(api):
    response = api.post("/orders/createorder", new_order_body(orderDate="9999-12-31T23:59:59"))

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": "invalid request: orderDate: '9999-12-31T23:59:59' is not between the "
            "years 2000 and 2100"
        },
    )
    assert Order.objects.count() == 0


def test_a_manual_order_is_packed_at_the_station_and_back_market_is_not_told(account, db):
    """The pack station as for any order: the phone's IMEI scanned and saved, the case
    scanned, the label bought with the sandbox carrier; no Back Market message."""
    Product.objects.create(sku=SKU, name="iPhone 13", needs_imei=True)
    order = manual.create_manual_order(
        manual.ManualOrder(
            order_number="W-8",
            ship_to=new_address(),
            items=[
                manual.ManualItem(sku=SKU, name="iPhone 13", weight_grams=200),
                manual.ManualItem(sku="CASE-1", name="Phone case", weight_grams=50),
            ],
        )
    )
    Order.objects.filter(pk=order.pk).update(
        carrier_account=account, service_code="ups_standard_eu"
    )
    order.refresh_from_db()

    found = packing.find_order("W-8")
    packing.start(found)
    scans = [packing.scan(found, code).ok for code in (SKU, IMEI, "CASE-1")]
    shipment = packing.finish(packing.current(found))

    assert found == order
    assert scans == [True, True, True]
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.items.get(sku=SKU).units.get().imei == IMEI
    assert bytes(shipment.label_pdf).startswith(b"%PDF")
    assert Message.objects.filter(kind=Message.Kind.BACKMARKET).count() == 0
