"""/orders: filters, sorting, paging, createorder updates, soft delete and error answers."""

import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shipdesk.api.shipstation import ss_datetime
from shipdesk.orders.models import Order, OrderEvent, Tag
from shipdesk.shipping.actions import ship_order
from shipdesk.stores.models import Warehouse
from shipdesk.sync.importer import import_orders

from .helpers import IMEI, imported_phone_order

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def imported(store, no_rate_limit):
    import_orders(store)
    return store


def ids(response) -> list[int]:
    return [o["orderId"] for o in response.json()["orders"]]


def test_paging_and_sorting(imported, api):
    expected = list(Order.objects.order_by("-order_date", "-id").values_list("pk", flat=True))

    response = api.get(
        "/orders", {"sortBy": "OrderDate", "sortDir": "DESC", "page": 2, "pageSize": 10}
    )

    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (
        len(expected),
        2,
        math.ceil(len(expected) / 10),
    )
    assert ids(response) == expected[10:20]


def test_sort_by_modify_date_ascending(imported, api):
    Order.objects.filter(pk=Order.objects.order_by("id").first().pk).update(order_number="X")
    expected = list(Order.objects.order_by("modified_at", "id").values_list("pk", flat=True))

    response = api.get("/orders", {"sortBy": "ModifyDate", "pageSize": 500})

    assert ids(response) == expected


def test_customer_name_and_item_keyword_filters(imported, api):
    order = Order.objects.order_by("id").first()
    name = order.ship_to.name.split()[-1].lower()
    sku = order.items.first().sku
    by_name = Order.objects.filter(ship_to__name__icontains=name) | Order.objects.filter(
        bill_to__name__icontains=name
    )
    by_item = Order.objects.filter(items__sku__icontains=sku).distinct()

    named = api.get("/orders", {"customerName": name, "pageSize": 500})
    itemed = api.get("/orders", {"itemKeyword": sku, "pageSize": 500})

    assert sorted(ids(named)) == sorted(set(by_name.values_list("pk", flat=True)))
    assert sorted(ids(itemed)) == sorted(by_item.values_list("pk", flat=True))
    assert order.pk in ids(named) and order.pk in ids(itemed)


def test_date_filters_take_shipstations_formats_in_pacific_time(imported, api):
    dates = list(Order.objects.order_by("order_date").values_list("order_date", flat=True))
    start, end = dates[10], dates[30]
    expected = Order.objects.filter(order_date__gte=start, order_date__lte=end)

    response = api.get(
        "/orders",
        {
            "orderDateStart": ss_datetime(start),
            "orderDateEnd": end.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "pageSize": 500,
        },
    )

    assert response.json()["total"] == expected.count() == 21
    assert sorted(ids(response)) == sorted(expected.values_list("pk", flat=True))


def test_store_and_status_filters(imported, api, store):
    expected = Order.objects.filter(store=store, status="shipped").order_by("order_date", "id")

    response = api.get("/orders", {"storeId": store.pk, "orderStatus": "shipped", "pageSize": 500})

    assert ids(response) == list(expected.values_list("pk", flat=True))
    assert api.get("/orders", {"storeId": store.pk + 1}).json()["total"] == 0


def test_createorder_sets_seller_fields_and_ignores_back_markets(imported, api):
    order = imported_phone_order(imported)
    item = order.items.get()
    tag = Tag.objects.create(name="VIP")
    warehouse = Warehouse.objects.create(name="Lyon")
    ship_to_name = order.ship_to.name

    response = api.post(
        "/orders/createorder",
        {
            "orderKey": order.order_key,
            "orderNumber": "changed-by-client",
            "orderTotal": 1.0,
            "shipTo": {"name": "Someone Else", "country": "US"},
            "internalNotes": f"IMEI: {IMEI}",
            "gift": True,
            "giftMessage": "Happy birthday",
            "weight": {"value": 16, "units": "ounces"},
            "dimensions": {"length": 10, "width": 5, "height": 2, "units": "inches"},
            "confirmation": "signature",
            "advancedOptions": {"warehouseId": warehouse.pk, "customField1": "PO-1234"},
            "tagIds": [tag.pk],
            "items": [
                {
                    "orderItemId": item.pk,
                    "sku": "ignored",
                    "warehouseLocation": "B-02",
                    "weight": {"value": 1, "units": "pounds"},
                }
            ],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["orderNumber"], body["orderTotal"]) == (
        order.order_number,
        float(order.order_total),
    )
    assert body["shipTo"]["name"] == ship_to_name
    assert (body["internalNotes"], body["gift"], body["giftMessage"]) == (
        f"IMEI: {IMEI}",
        True,
        "Happy birthday",
    )
    assert body["weight"] == {"value": 454, "units": "grams", "WeightUnits": 2}
    assert body["dimensions"] == {
        "length": 25.4,
        "width": 12.7,
        "height": 5.08,
        "units": "centimeters",
    }
    assert body["confirmation"] == "signature"
    assert (body["advancedOptions"]["warehouseId"], body["advancedOptions"]["customField1"]) == (
        warehouse.pk,
        "PO-1234",
    )
    assert body["tagIds"] == [tag.pk]
    assert (body["items"][0]["warehouseLocation"], body["items"][0]["weight"]["value"]) == (
        "B-02",
        454,
    )
    order.refresh_from_db()
    assert (order.length_cm, order.weight_grams) == (Decimal("25.40"), 454)
    events = OrderEvent.objects.filter(order=order, source="api")
    assert [e.kind for e in events] == ["edited", "notes", "tag_added", "item_edited"]


def test_createorder_with_only_some_fields_keeps_the_others(imported, api):
    order = imported_phone_order(imported)
    api.post("/orders/createorder", {"orderKey": order.order_key, "internalNotes": "first"})

    response = api.post("/orders/createorder", {"orderKey": order.order_key, "gift": True})

    assert (response.json()["internalNotes"], response.json()["gift"]) == ("first", True)


def test_createorder_with_an_unknown_key_creates_an_order_only_when_complete(imported, api):
    """An unknown orderKey (or none) asks for a new, manual order (tests/api/
    test_manual_orders.py): an incomplete one is refused, naming what it lacks."""
    count = Order.objects.count()

    unknown = api.post("/orders/createorder", {"orderKey": "my-shop-42", "orderNumber": "42"})
    keyless = api.post("/orders/createorder", {"orderNumber": "42"})

    required = "; ".join(
        f"{field}: required to create an order"
        for field in ("orderDate", "orderStatus", "billTo", "shipTo", "items")
    )
    assert (unknown.status_code, unknown.json()) == (
        400,
        {"message": f"invalid request: {required}"},
    )
    assert (keyless.status_code, keyless.json()) == (
        400,
        {"message": f"invalid request: {required}"},
    )
    assert Order.objects.count() == count


def test_createorder_holds_and_releases_through_order_status(imported, api):
    order = imported_phone_order(imported)

    held = api.post(
        "/orders/createorder",
        {"orderKey": order.order_key, "orderStatus": "on_hold", "holdUntilDate": "2030-02-01"},
    ).json()
    released = api.post(
        "/orders/createorder", {"orderKey": order.order_key, "orderStatus": "awaiting_shipment"}
    ).json()
    cancelled = api.post(
        "/orders/createorder", {"orderKey": order.order_key, "orderStatus": "cancelled"}
    )

    assert (held["orderStatus"], held["holdUntilDate"]) == (
        "on_hold",
        "2030-02-01T00:00:00.0000000",
    )
    assert (released["orderStatus"], released["holdUntilDate"]) == ("awaiting_shipment", None)
    assert cancelled.status_code == 400
    assert cancelled.json() == {
        "message": "orderStatus cannot go from awaiting_shipment to cancelled through "
        "createorder: ship with /orders/markasshipped; cancellations come from Back Market"
    }


def test_createorder_on_a_shipped_order_is_refused_and_changes_nothing(imported, api):
    order = imported_phone_order(imported)
    order.items.get().units.update(imei=IMEI)
    ship_order(order, carrier_code="ups", tracking_number="1Z1", notify_backmarket=False)

    response = api.post("/orders/createorder", {"orderKey": order.order_key, "gift": True})

    assert response.status_code == 400
    assert response.json() == {
        "message": f"order {order.order_number} is shipped: only orders awaiting payment, "
        "awaiting shipment or on hold can be updated"
    }
    order.refresh_from_db()
    assert order.gift is False


def test_createorder_refuses_unknown_items_tags_and_carriers(imported, api):
    order = imported_phone_order(imported)
    key = order.order_key

    item = api.post("/orders/createorder", {"orderKey": key, "items": [{"sku": "NOPE"}]})
    tag = api.post("/orders/createorder", {"orderKey": key, "tagIds": [999999]})
    carrier = api.post("/orders/createorder", {"orderKey": key, "carrierCode": "pigeon"})

    assert item.json() == {
        "message": f"order {order.order_number} has no single item 'NOPE'; "
        "its items come from Back Market and cannot be added"
    }
    assert tag.json() == {"message": "no tag 999999; see GET /accounts/listtags"}
    assert carrier.json()["message"].startswith(
        "unknown carrier 'pigeon'; expected one of colissimo"
    )
    assert [item.status_code, tag.status_code, carrier.status_code] == [400, 400, 400]


def test_delete_hides_the_order(imported, api):
    order = Order.objects.order_by("id").first()
    total = api.get("/orders").json()["total"]

    deleted = api.delete(f"/orders/{order.pk}")
    fetched = api.get(f"/orders/{order.pk}")

    assert deleted.json() == {"success": True, "message": "The requested order has been deleted."}
    assert fetched.status_code == 404
    assert fetched.json() == {"message": f"order {order.pk} not found"}
    assert api.get("/orders").json()["total"] == total - 1
    assert Order.objects.get(pk=order.pk).deleted is True


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/orders", {"pageSize": 501}, "pageSize: Input should be less than or equal to 500"),
        ("/orders", {"page": 0}, "page: Input should be greater than or equal to 1"),
        (
            "/orders",
            {"orderStatus": "lost"},
            "orderStatus: Input should be 'awaiting_payment', "
            "'awaiting_shipment', 'pending_fulfillment', 'on_hold', 'shipped' or 'cancelled'",
        ),
        (
            "/orders",
            {"sortBy": "Price"},
            "sortBy: Input should be 'OrderDate', 'ModifyDate' or 'CreateDate'",
        ),
    ],
)
def test_bad_query_parameters_are_400_naming_the_field(api, path, params, message):
    response = api.get(path, params)

    assert response.status_code == 400
    assert response.json() == {"message": f"invalid request: {message}"}


def test_an_impossible_date_is_400(api):
    response = api.get("/orders", {"orderDateStart": "2024-13-01"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "'2024-13-01' is not a date (expected e.g. 2024-05-01 13:45:00)"
    }


def test_malformed_json_and_wrong_types_are_400(imported, api):
    malformed = api.post("/orders/holduntil", raw='{"orderId": 1,')
    not_an_object = api.post("/orders/holduntil", raw="[1, 2]")
    wrong_type = api.post("/orders/holduntil", {"orderId": "one"})
    missing = api.post("/orders/markasshipped", {"orderId": 1})

    assert malformed.json() == {"message": "the request body is not valid JSON"}
    assert not_an_object.json() == {"message": "the request body must be a JSON object"}
    assert wrong_type.json() == {
        "message": "invalid request: orderId: Input should be a valid integer, "
        "unable to parse string as an integer"
    }
    assert missing.json() == {"message": "invalid request: carrierCode: Field required"}
    assert {r.status_code for r in (malformed, not_an_object, wrong_type, missing)} == {400}


def test_unknown_ids_are_404(imported, api):
    order = Order.objects.order_by("id").first()

    responses = {
        "get": api.get("/orders/999999"),
        "hold": api.post("/orders/holduntil", {"orderId": 999999}),
        "tag": api.post("/orders/addtag", {"orderId": order.pk, "tagId": 999999}),
        "ship": api.post("/orders/markasshipped", {"orderId": 999999, "carrierCode": "ups"}),
        "void": api.post("/shipments/voidlabel", {"shipmentId": 999999}),
        "path": api.get("/orders/notanumber"),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    assert responses["get"].json() == {"message": "order 999999 not found"}
    assert responses["tag"].json() == {
        "message": "tag 999999 not found; see GET /accounts/listtags"
    }
    assert responses["void"].json() == {"message": "shipment 999999 not found"}
    assert responses["path"].json() == {"message": "no API endpoint at /ssapi/orders/notanumber"}


def test_hold_refused_for_a_shipped_order_is_400(imported, api):
    order = Order.objects.filter(status="shipped").order_by("id").first()

    response = api.post("/orders/holduntil", {"orderId": order.pk, "holdUntilDate": "2030-01-01"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "only orders awaiting shipment can be put on hold (this one is shipped)"
    }


def test_the_api_answers_in_english_whatever_the_clients_language(imported, api):
    order = Order.objects.filter(status="shipped").order_by("id").first()

    response = api.client.post(
        "/ssapi/orders/holduntil",
        {"orderId": order.pk, "holdUntilDate": "2030-01-01"},
        content_type="application/json",
        HTTP_AUTHORIZATION=api.auth,
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("only orders awaiting shipment can be put on")


def test_voidlabel_voids_once_then_says_why_not(imported, api):
    order = imported_phone_order(imported)
    order.items.get().units.update(imei=IMEI)
    shipment = ship_order(
        order, carrier_code="dpd", tracking_number="09445", notify_backmarket=False
    )

    first = api.post("/shipments/voidlabel", {"shipmentId": shipment.pk})
    second = api.post("/shipments/voidlabel", {"shipmentId": shipment.pk})

    assert first.json() == {
        "approved": True,
        "message": "Label voided successfully: shipment voided (no carrier label to cancel).",
    }
    assert second.json() == {"approved": False, "message": "this shipment is already voided"}
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"
