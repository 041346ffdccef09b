"""GET /fulfillments: orders marked shipped without a label bought in shipdesk (a typed
tracking number, or shipped outside shipdesk as Back Market says), in ShipStation's shape."""

from datetime import UTC, datetime

import pytest

from shipdesk.api.shipstation import ss_datetime
from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment
from tests.factories import IMEI, make_order, make_store

from .test_labels import label_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    """Five orders: 4001 to ship by hand, 4002 to label, 4003 shipped outside shipdesk,
    4004 to ship by hand later, 4005 waiting."""
    store = make_store()
    orders = {
        n: make_order(store, n, customer=name, ordered=datetime(2026, 3, 1, tzinfo=UTC))
        for n, name in (
            (4001, "Léa Martin"),
            (4002, "Jürgen Becker"),
            (4003, "Lucía García"),
            (4004, "Léa Moreau"),
            (4005, "Tom Smith"),
        )
    }
    for order in orders.values():
        order.items.get().units.update(imei=IMEI)
    Order.objects.filter(pk=orders[4003].pk).update(
        status="shipped",
        channel_payload={
            "tracking_number": "1Z999AA10123456784",
            "shipper": "UPS",
            "date_shipping": "2026-03-05T05:00:00+00:00",
        },
    )
    return orders


def mark_shipped(api, order, tracking: str, ship_date: str):
    response = api.post(
        "/orders/markasshipped",
        {
            "orderId": order.pk,
            "carrierCode": "colissimo",
            "trackingNumber": tracking,
            "shipDate": ship_date,
            "notifySalesChannel": False,
        },
    )
    assert response.status_code == 200, response.json()
    return Shipment.objects.get(order=order, voided=False)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [f["fulfillmentId"] for f in response.json()["fulfillments"]]


def test_fulfillments_are_the_orders_shipped_without_a_label_bought_here(
    api, shop, account, no_rate_limit
):
    by_hand = mark_shipped(api, shop[4001], "6A00000000001", "2026-03-04")
    labelled = api.post("/orders/createlabelfororder", label_request(shop[4002]))
    later = mark_shipped(api, shop[4004], "6A00000000004", "2026-03-06")

    response = api.get("/fulfillments")

    assert labelled.status_code == 200, labelled.json()
    assert ids(response) == [-shop[4003].pk, by_hand.pk, later.pk]
    assert (response.json()["total"], response.json()["pages"]) == (3, 1)
    external, typed = response.json()["fulfillments"][:2]
    assert external == {
        "fulfillmentId": -shop[4003].pk,
        "orderId": shop[4003].pk,
        "orderNumber": "4003",
        "userId": None,
        "customerEmail": "lea@example.com",
        "trackingNumber": "1Z999AA10123456784",
        "createDate": external["createDate"],
        # 05:00 UTC on March 5 is 21:00 on March 4 in Pacific time.
        "shipDate": "2026-03-04T21:00:00.0000000",
        "voidDate": None,
        "deliveryDate": None,
        "carrierCode": "UPS",
        "fulfillmentProviderCode": None,
        "fulfillmentServiceCode": None,
        "fulfillmentFee": 0.0,
        "voidRequested": False,
        "voided": False,
        "marketplaceNotified": True,
        "notifyErrorMessage": None,
        "shipTo": external["shipTo"],
    }
    assert external["shipTo"]["name"] == "Lucía García"
    assert (typed["orderId"], typed["trackingNumber"], typed["carrierCode"]) == (
        shop[4001].pk,
        "6A00000000001",
        "colissimo",
    )
    assert (typed["shipDate"], typed["voided"], typed["marketplaceNotified"]) == (
        "2026-03-04T00:00:00.0000000",
        False,
        False,
    )


def test_fulfillment_filters_sorting_and_paging(api, shop):
    by_hand = mark_shipped(api, shop[4001], "6A00000000001", "2026-03-04")
    later = mark_shipped(api, shop[4004], "6A00000000004", "2026-03-06")
    external = -shop[4003].pk

    def get(**params):
        return ids(api.get("/fulfillments", params))

    assert get(trackingNumber="1Z999AA10123456784") == [external]
    assert get(trackingNumber="6A00000000004") == [later.pk]
    assert get(orderNumber="4001") == [by_hand.pk]
    assert get(orderId=shop[4003].pk) == [external]
    assert get(fulfillmentId=external) == [external]
    assert get(fulfillmentId=by_hand.pk) == [by_hand.pk]
    assert get(recipientName="léa") == [by_hand.pk, later.pk]
    # Pacific days: the external one shipped on March 4 there.
    assert get(shipDateStart="2026-03-05") == [later.pk]
    assert get(shipDateEnd="2026-03-04", sortBy="ShipDate") == [by_hand.pk, external]
    assert get(sortBy="ShipDate", sortDir="DESC") == [later.pk, external, by_hand.pk]
    assert get(sortBy="CreateDate", sortDir="DESC") == [later.pk, by_hand.pk, external]
    assert get(pageSize=2, page=2) == [later.pk]
    assert get(createDateStart="2000-01-01", createDateEnd="2001-01-01") == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"sortBy": "OrderDate"},
            "invalid request: sortBy: Input should be 'ShipDate' or 'CreateDate'",
        ),
        ({"sortDir": "UP"}, "invalid request: sortDir: Input should be 'ASC' or 'DESC'"),
        ({"page": 0}, "invalid request: page: Input should be greater than or equal to 1"),
        (
            {"pageSize": 501},
            "invalid request: pageSize: Input should be less than or equal to 500",
        ),
        (
            {"shipDateStart": "2026-02-30"},
            "'2026-02-30' is not a date (expected e.g. 2024-05-01 13:45:00)",
        ),
    ],
)
def test_bad_fulfillment_filters_are_400(api, params, message):
    response = api.get("/fulfillments", params)

    assert (response.status_code, response.json()) == (400, {"message": message})


def test_a_voided_fulfillment_stays_listed_flagged_voided(api, shop):
    shipment = mark_shipped(api, shop[4001], "6A00000000001", "2026-03-04")

    voided = api.post("/shipments/voidlabel", {"shipmentId": shipment.pk})
    [listed] = api.get("/fulfillments", {"orderId": shop[4001].pk}).json()["fulfillments"]

    shipment.refresh_from_db()
    assert voided.json()["approved"] is True
    assert (listed["fulfillmentId"], listed["voided"], listed["voidRequested"]) == (
        shipment.pk,
        True,
        True,
    )
    assert listed["voidDate"] == ss_datetime(shipment.void_date) is not None
    assert api.get(f"/orders/{shop[4001].pk}").json()["orderStatus"] == "awaiting_shipment"
