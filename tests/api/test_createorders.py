"""POST /orders/createorders: up to 100 orders in one call, each created (or updated) on its
own, one result each in ShipStation's shape; one bad order does not stop the others."""

import json

from shipstation.api import (
    ShipStation,
    ShipStationAddress,
    ShipStationItem,
    ShipStationOrder,
    ShipStationWeight,
)

from shipdesk.orders.models import Order

from .test_manual_orders import new_order_body


def order(number: str, **fields) -> dict:
    return new_order_body(orderKey=f"shop-{number}", orderNumber=number, **fields)


def test_one_bad_order_among_three_is_refused_and_the_two_others_are_created(api):
    bad = order("B-2", shipTo={"name": "Nobody"})

    response = api.post("/orders/createorders", [order("B-1"), bad, order("B-3")])

    assert response.status_code == 200, response.content
    created = {o.order_number: o for o in Order.objects.all()}
    assert sorted(created) == ["B-1", "B-3"]
    assert response.json() == {
        "hasErrors": True,
        "results": [
            {
                "orderId": created["B-1"].pk,
                "orderNumber": "B-1",
                "orderKey": "shop-B-1",
                "success": True,
                "errorMessage": None,
            },
            {
                "orderId": None,
                "orderNumber": "B-2",
                "orderKey": "shop-B-2",
                "success": False,
                "errorMessage": "invalid request: shipTo.street1: required to create an order; "
                "shipTo.city: required to create an order; "
                "shipTo.postalCode: required to create an order; "
                "shipTo.country: required to create an order",
            },
            {
                "orderId": created["B-3"].pk,
                "orderNumber": "B-3",
                "orderKey": "shop-B-3",
                "success": True,
                "errorMessage": None,
            },
        ],
    }


def test_a_field_of_the_wrong_type_fails_its_order_only(api):
    response = api.post("/orders/createorders", [order("T-1", orderStatus="lost"), order("T-2")])

    body = response.json()
    assert [(r["orderNumber"], r["success"]) for r in body["results"]] == [
        ("T-1", False),
        ("T-2", True),
    ]
    assert body["results"][0]["errorMessage"].startswith("invalid request: orderStatus: ")
    assert list(Order.objects.values_list("order_number", flat=True)) == ["T-2"]


def test_an_existing_order_is_updated_and_all_succeed(api):
    first = api.post("/orders/createorder", order("U-1")).json()

    response = api.post(
        "/orders/createorders",
        [{"orderKey": "shop-U-1", "internalNotes": "second thoughts"}, order("U-2")],
    )

    assert response.json()["hasErrors"] is False
    assert [r["orderId"] for r in response.json()["results"]][0] == first["orderId"]
    assert Order.objects.get(pk=first["orderId"]).internal_notes == "second thoughts"
    assert Order.objects.count() == 2


def test_more_than_100_orders_or_none_are_refused(api):
    too_many = api.post("/orders/createorders", [order(f"N-{n}") for n in range(101)])
    empty = api.post("/orders/createorders", [])

    assert too_many.status_code == 400
    assert too_many.json()["message"].startswith(
        "invalid request: orders: List should have at most 100"
    )
    assert empty.status_code == 400
    assert Order.objects.count() == 0


def test_orders_posted_with_pyshipstation(live_server, credentials, db):
    """pyshipstation (`shipstation` 0.1.3) has no createorders call: its generic `post`
    sends the array of its orders' dicts (it answers nothing: the database says)."""
    client = ShipStation(*credentials)
    client.url = f"{live_server.url}/ssapi"
    orders = []
    for number, city in (("P-1", "Lyon"), ("P-2", ""), ("P-3", "Paris")):
        placed = ShipStationOrder(order_key=f"pyss-{number}", order_number=number)
        placed.set_status("awaiting_payment")
        ship_to = ShipStationAddress(
            name="Camille Martin", street1="1 rue Neuve", city=city, postal_code="69001"
        )
        ship_to.country = "FR"  # the library's address forgets its country argument
        placed.set_shipping_address(ship_to)
        placed.set_billing_address(ShipStationAddress(name="Camille Martin"))
        item = ShipStationItem(sku="CASE-1", name="Phone case", quantity=1)
        item.set_weight(ShipStationWeight(units="ounces", value=3))  # its order weight needs it
        placed.add_item(item)
        orders.append(placed.as_dict())

    client.post(endpoint="/orders/createorders", data=json.dumps(orders))

    assert sorted(Order.objects.values_list("order_number", "status")) == [
        ("P-1", "awaiting_payment"),
        ("P-3", "awaiting_payment"),
    ]
