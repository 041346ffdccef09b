"""Numbers and ids the API is sent: finite, bounded, 2 decimals for money — 400 JSON naming
the field, nothing saved; odd ids 400 or 404 JSON, never 500."""

from decimal import Decimal

import pytest
from django.db import connection

from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(db):
    return make_order(make_store(), 1001, sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")


def update(api, order, raw: str):
    return api.post("/orders/createorder", raw=f'{{"orderKey": "{order.order_key}", {raw}}}')


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            '"weight": {"value": Infinity, "units": "grams"}',
            "weight.value: Input should be a finite number",
        ),
        (
            '"weight": {"value": 1e400, "units": "grams"}',
            "weight.value: Input should be a finite number",
        ),
        (
            '"weight": {"value": NaN, "units": "ounces"}',
            "weight.value: Input should be a finite number",
        ),
        (
            '"weight": {"value": -5, "units": "grams"}',
            "weight.value: Input should be greater than or equal to 0",
        ),
        (
            '"weight": {"value": 900000, "units": "pounds"}',
            "weight: 900000.0 pounds is more than 1000000 g",
        ),
        (
            '"weight": {"value": 1e50, "units": "grams"}',
            "weight: 1e+50 grams is more than 1000000 g",
        ),
        (
            '"items": [{"sku": "CHG-USBC-20W", "weight": {"value": 40000000, "units": "ounces"}}]',
            "items.0.weight: 40000000.0 ounces is more than 1000000 g",
        ),
        (
            '"dimensions": {"length": 394, "width": 1, "height": 1, "units": "inches"}',
            "dimensions: length: 394.0 inches is more than 1000 cm",
        ),
        (
            '"dimensions": {"length": 1, "width": 1e50, "height": 1, "units": "centimeters"}',
            "dimensions: width: 1e+50 centimeters is more than 1000 cm",
        ),
        ('"amountPaid": "NaN"', "amountPaid: Input should be a finite number"),
        ('"taxAmount": 1e400', "taxAmount: Input should be a finite number"),
        ('"shippingAmount": -5', "shippingAmount: Input should be greater than or equal to 0"),
        ('"orderTotal": 1000000.01', "orderTotal: Input should be less than or equal to 1000000"),
        (
            '"amountPaid": 12.345',
            "amountPaid: Decimal input should have no more than 2 decimal places",
        ),
        (
            '"items": [{"sku": "CHG-USBC-20W", "unitPrice": 1e300}]',
            "items.0.unitPrice: Input should be less than or equal to 1000000",
        ),
        (
            '"items": [{"sku": "CHG-USBC-20W", "quantity": 99999999999999999999}]',
            "items.0.quantity: Input should be less than or equal to 10000",
        ),
    ],
)
def test_createorder_refuses_numbers_out_of_bounds_and_saves_nothing(api, order, raw, message):
    response = update(api, order, f'"internalNotes": "changed", {raw}')

    assert response.status_code == 400
    assert response.json() == {"message": f"invalid request: {message}"}
    order.refresh_from_db()
    assert (order.internal_notes, order.weight_grams, order.length_cm) == ("", None, None)


def test_createorder_takes_a_weight_just_under_a_tonne_and_amounts_posted_back(api, order):
    response = update(
        api,
        order,
        '"weight": {"value": 2204, "units": "pounds"}, "amountPaid": 369.0, '
        '"dimensions": {"length": 1000, "width": 0.5, "height": 393.7, "units": "centimeters"}',
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.weight_grams, order.length_cm, order.height_cm) == (
        999_718,
        Decimal("1000.00"),
        Decimal("393.70"),
    )
    assert order.amount_paid == Decimal("369.00")


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (
            "/orders/99999999999999999999",
            400,
            "invalid request: orderId: Input should be less than or equal to 9223372036854775807",
        ),
        ("/orders/-1", 404, "no API endpoint at /ssapi/orders/-1"),
        ("/orders/1e3", 404, "no API endpoint at /ssapi/orders/1e3"),
        ("/orders/%C2%B9", 404, "no API endpoint at /ssapi/orders/¹"),
        (
            "/shipments?orderId=99999999999999999999",
            400,
            "invalid request: orderId: Input should be less than or equal to 9223372036854775807",
        ),
        (
            "/orders?storeId=%C2%B9",
            400,
            "invalid request: storeId: Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
        (
            "/stores/getrefreshstatus?storeId=-1",
            400,
            "invalid request: storeId: Input should be greater than or equal to 1",
        ),
        (
            "/warehouses/99999999999999999999",
            400,
            "invalid request: warehouseId: Input should be less than or equal to "
            "9223372036854775807",
        ),
        ("/orders/9223372036854775807", 404, "order 9223372036854775807 not found"),
    ],
)
def test_odd_ids_answer_400_or_404_json(api, order, path, status, message):
    response = api.client.get(f"/ssapi{path}", HTTP_AUTHORIZATION=api.auth)

    assert (response.status_code, response.json()) == (status, {"message": message})


def test_odd_ids_in_a_body_answer_400_json(api, order):
    response = api.post("/orders/holduntil", {"orderId": 99999999999999999999})
    tags = api.post("/orders/addtag", {"orderId": order.pk, "tagId": "¹"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "invalid request: orderId: Input should be less than or equal to "
        "9223372036854775807"
    }
    assert tags.status_code == 400
    assert tags.json() == {
        "message": "invalid request: tagId: Input should be a valid integer, "
        "unable to parse string as an integer"
    }
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"


def test_shipments_list_with_a_fee_older_versions_stored_as_infinity(api, order):
    shipment = Shipment.objects.create(
        order=order, carrier_code="colissimo", tracking_number="6A1", ship_date="2026-03-15"
    )
    bad = "9e999" if connection.vendor == "sqlite" else "'NaN'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE shipping_shipment SET shipment_cost = {bad} WHERE id = %s", [shipment.pk]
        )

    response = api.get("/shipments")
    one = api.get(f"/orders/{order.pk}")

    assert response.status_code == 200
    assert [(s["shipmentId"], s["shipmentCost"]) for s in response.json()["shipments"]] == [
        (shipment.pk, None)
    ]
    assert one.status_code == 200
