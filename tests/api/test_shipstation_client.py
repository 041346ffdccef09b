"""The API driven by a third-party ShipStation client (shipstation-api-wrapper) over HTTP.

The library takes the base URL as an option; its `api_key` is the Basic credential already
encoded (base64 of `key:secret`). Calls it has no method for (markasshipped, restorefromhold,
removetag, shipments) go through its own request handler, `client.orders.request`.
"""

import base64
import copy
import math
from datetime import date

import pytest
from shipstation_api_wrapper.api import ShipStationClient
from shipstation_api_wrapper.filter import ShipStationOrderFilter

from shipdesk.orders.actions import add_tag, hold, set_notes
from shipdesk.orders.models import Order, Tag
from shipdesk.outbox import engine
from shipdesk.shipping.models import Shipment
from shipdesk.sync.importer import import_orders

from .helpers import (
    IMEI,
    OTHER_IMEI,
    imported_phone_order,
    imported_phone_orders,
    order_json,
    sandbox_ship_updates,
)


@pytest.fixture
def shipstation(live_server, credentials, no_rate_limit):
    key, secret = credentials
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return ShipStationClient(token, base_url=f"{live_server.url}/ssapi")


def test_list_answers_shipstations_envelope_sorted_by_order_date(store, shipstation):
    import_orders(store)
    expected = list(Order.objects.filter(deleted=False).order_by("order_date", "id"))

    response = shipstation.orders.list()

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (
        len(expected),
        1,
        math.ceil(len(expected) / 100),
    )
    assert [o["orderId"] for o in body["orders"]] == [o.pk for o in expected[:100]]
    assert body["orders"][0] == order_json(expected[0])
    assert response.headers["X-Rate-Limit-Limit"] == "100000"
    assert response.headers["X-Rate-Limit-Remaining"] == "99999"


def test_filter_by_status_and_order_date(store, shipstation):
    import_orders(store)
    middle = Order.objects.order_by("order_date")[20].order_date
    expected = Order.objects.filter(status="awaiting_shipment", order_date__gte=middle)
    order_filter = ShipStationOrderFilter()
    order_filter.add_order_status_filter("awaiting_shipment")
    order_filter.add_date_filter(start_date=middle.strftime("%Y-%m-%d %H:%M:%S"), date_type="order")

    body = shipstation.orders.list_with_filter(order_filter).json()

    assert body["total"] == expected.count()
    assert sorted(o["orderId"] for o in body["orders"]) == sorted(o.pk for o in expected)
    assert {o["orderStatus"] for o in body["orders"]} == {"awaiting_shipment"}


def test_get_by_number_is_a_prefix_search(store, shipstation):
    import_orders(store)
    prefix = Order.objects.order_by("id").first().order_number[:5]
    expected = Order.objects.filter(order_number__startswith=prefix).order_by("order_date", "id")

    body = shipstation.orders.get_by_number(prefix).json()

    assert [o["orderNumber"] for o in body["orders"]] == [o.order_number for o in expected]


def test_get_by_id_answers_the_order_in_shipstations_shape(store, shipstation):
    order = imported_phone_order(store)

    response = shipstation.orders.get_by_id(order.pk)

    assert response.status_code == 200
    assert response.json() == order_json(order)


def test_posting_back_a_fetched_order_changes_nothing(store, shipstation):
    order = imported_phone_order(store)
    item = order.items.get()
    item.weight_grams, item.warehouse_location = 180, "A-01-3"
    item.save()
    set_notes(order, internal="Check the battery.")
    add_tag(order, Tag.objects.create(name="Fragile"))
    hold(order, until=date(2030, 1, 15))
    fetched = shipstation.orders.get_by_id(order.pk).json()
    before = copy.deepcopy(fetched)
    events = order.events.count()

    response = shipstation.orders.activate_saturday_delivery(fetched, False)

    assert response.status_code == 200
    assert response.json() == before
    assert shipstation.orders.get_by_id(order.pk).json() == before
    assert order.events.count() == events
    assert Order.objects.count() == Order.objects.filter(store=store).count()


def test_add_note_round_trip_writes_the_imei_that_markasshipped_sends(store, sandbox, shipstation):
    order = imported_phone_order(store)
    fetched = shipstation.orders.get_by_id(order.pk).json()

    noted = shipstation.orders.add_note(f"IMEI: {IMEI}", fetched)
    shipped = shipstation.orders.request.post(
        "/orders/markasshipped",
        {
            "orderId": order.pk,
            "carrierCode": "colissimo",
            "shipDate": "2026-05-04",
            "trackingNumber": "6A 1234 5678 901",
            "notifyCustomer": False,
            "notifySalesChannel": True,
        },
    )
    counts = engine.deliver_due()["backmarket"]

    assert noted.status_code == 200
    assert noted.json()["internalNotes"] == f" IMEI: {IMEI} None"
    assert shipped.status_code == 200
    assert shipped.json() == {"orderId": order.pk, "orderNumber": order.order_number}
    assert order.items.get().units.get().imei == IMEI
    assert counts == {"sent": 1, "failed": 0, "pending": 0, "dead": 0}
    [update] = sandbox_ship_updates(sandbox, order)
    assert (update["body"]["imei"], update["body"]["tracking_number"]) == (IMEI, "6A12345678901")
    shipment = Shipment.objects.get(order=order)
    assert (shipment.ship_date, shipment.carrier_code) == (date(2026, 5, 4), "colissimo")


def test_markasshipped_without_imei_is_a_400_naming_the_phone(store, shipstation):
    order = imported_phone_order(store)
    item = order.items.get()

    response = shipstation.orders.request.post(
        "/orders/markshipped",
        {"orderId": order.pk, "carrierCode": "ups", "trackingNumber": "1Z999AA10123456784"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "message": f"cannot ship order {order.order_number}: missing IMEI / serial number "
        f"for {item.sku} ({item.name})"
    }
    assert Shipment.objects.count() == 0


def test_hold_until_then_restore_from_hold(store, shipstation):
    order = imported_phone_order(store)

    held = shipstation.orders.hold(order.pk, "2030-01-15")
    on_hold = shipstation.orders.get_by_id(order.pk).json()
    restored = shipstation.orders.request.post("/orders/restorefromhold", {"orderId": order.pk})
    after = shipstation.orders.get_by_id(order.pk).json()

    assert held.json() == {"success": True, "message": "Order held successfully."}
    assert (on_hold["orderStatus"], on_hold["holdUntilDate"]) == (
        "on_hold",
        "2030-01-15T00:00:00.0000000",
    )
    assert restored.json() == {"success": True, "message": "Order restored successfully."}
    assert (after["orderStatus"], after["holdUntilDate"]) == ("awaiting_shipment", None)
    assert [e.source for e in order.events.filter(kind__in=["hold", "release"])] == ["api", "api"]


def test_list_tags_add_tag_and_remove_tag(store, shipstation):
    order = imported_phone_order(store)
    tag = Tag.objects.create(name="Gift wrap", color="#ff0000")

    tags = shipstation.tags.list().json()
    added = shipstation.orders.tag(order.pk, tag.pk)
    tagged = shipstation.orders.get_by_id(order.pk).json()["tagIds"]
    removed = shipstation.orders.request.post(
        "/orders/removetag", {"orderId": order.pk, "tagId": tag.pk}
    )
    untagged = shipstation.orders.get_by_id(order.pk).json()["tagIds"]

    assert tags == [{"tagId": tag.pk, "name": "Gift wrap", "color": "#ff0000"}]
    assert added.json() == {"success": True, "message": "Tag added successfully."}
    assert tagged == [tag.pk]
    assert removed.json() == {"success": True, "message": "Tag removed successfully."}
    assert untagged is None


def test_shipments_list_filters_by_carrier_and_includes_items(store, shipstation):
    first, second = imported_phone_orders(store)[:2]
    for order, carrier, tracking, imei in (
        (first, "dpd", "0944544028", IMEI),
        (second, "gls", "GLS123", OTHER_IMEI),
    ):
        set_notes(order, internal=f"IMEI: {imei}")
        shipped = shipstation.orders.request.post(
            "/orders/markasshipped",
            {"orderId": order.pk, "carrierCode": carrier, "trackingNumber": tracking},
        )
        assert shipped.status_code == 200, shipped.json()

    response = shipstation.orders.request.get(
        "/shipments", params={"carrierCode": "dpd", "includeShipmentItems": "true"}
    )

    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    [shipment] = body["shipments"]
    assert shipment["orderId"] == first.pk
    assert (shipment["carrierCode"], shipment["trackingNumber"]) == ("dpd", "0944544028")
    assert shipment["trackingUrl"] == "https://tracking.dpd.de/status/en_US/parcel/0944544028"
    assert [i["sku"] for i in shipment["shipmentItems"]] == [first.items.get().sku]
    assert (shipment["voided"], shipment["marketplaceNotified"]) == (False, False)
