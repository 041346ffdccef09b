"""Manual orders from the web UI: the form creates one in the "Manual orders" store, edits it
until it ships, and re-renders with the errors (nothing saved) when something is wrong."""

from decimal import Decimal

import pytest

from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from tests.factories import IMEI

ADDRESS = {
    "order_number": "W-7",
    "customer_email": "camille@example.com",
    "name": "Camille Martin",
    "company": "",
    "street1": "12 rue de la Paix",
    "street2": "",
    "city": "Lyon",
    "state": "",
    "postal_code": "69002",
    "country": "fr",
    "phone": "0601020304",
    "weight_grams": "450",
    "internal_notes": "replacement for order 1234",
}


def items(*rows, initial: int = 0) -> dict:
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "100",
    }
    for n, row in enumerate(rows):
        data.update({f"items-{n}-{key}": value for key, value in row.items()})
    return data


PHONE = {"sku": "IPH13-128", "name": "iPhone 13 128 GB", "quantity": "1", "unit_price": "0"}
CASE = {"sku": "CASE-1", "name": "Phone case", "quantity": "2", "unit_price": "9.50"}
EMPTY = {"sku": "", "name": "", "quantity": "", "unit_price": ""}


@pytest.fixture
def created(shipper_client):
    response = shipper_client.post("/orders/manual/new/", {**ADDRESS, **items(PHONE, CASE, EMPTY)})
    return response, Order.objects.get(order_number="W-7")


def test_the_form_creates_a_manual_order(created):
    response, order = created

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert (order.store.name, order.store.is_backmarket, order.status) == (
        "Manual orders",
        False,
        "awaiting_shipment",
    )
    assert (order.ship_to.name, order.ship_to.city, order.ship_to.country) == (
        "Camille Martin",
        "Lyon",
        "FR",
    )
    assert (order.customer_email, order.weight_grams, order.internal_notes) == (
        "camille@example.com",
        450,
        "replacement for order 1234",
    )
    assert [(i.sku, i.quantity, i.unit_price, i.units.count()) for i in order.items.all()] == [
        ("IPH13-128", 1, Decimal("0.00"), 1),
        ("CASE-1", 2, Decimal("9.50"), 2),
    ]
    assert order.order_total == Decimal("19.00")


def test_the_order_page_offers_to_edit_it_and_the_form_shows_it(shipper_client, created):
    _response, order = created

    page = shipper_client.get(f"/orders/{order.pk}/").content.decode()
    form = shipper_client.get(f"/orders/{order.pk}/edit/").content.decode()

    assert f'href="/orders/{order.pk}/edit/"' in page
    assert 'data-testid="manual-order"' in page
    assert 'value="12 rue de la Paix"' in form
    assert 'value="IPH13-128"' in form


def test_editing_replaces_the_items_and_address(shipper_client, created):
    _response, order = created

    response = shipper_client.post(
        f"/orders/{order.pk}/edit/",
        {
            **ADDRESS,
            "city": "Villeurbanne",
            **items(PHONE, {**CASE, "DELETE": "on"}, initial=2),
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.ship_to.city == "Villeurbanne"
    assert [(i.sku, i.quantity) for i in order.items.all()] == [("IPH13-128", 1)]
    assert order.events.filter(kind="manual_edited").count() == 1


def test_a_shipped_manual_order_is_not_edited(shipper_client, created):
    _response, order = created
    order.items.get(sku="IPH13-128").units.update(imei=IMEI)
    ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")

    page = shipper_client.get(f"/orders/{order.pk}/edit/")
    posted = shipper_client.post(f"/orders/{order.pk}/edit/", {**ADDRESS, **items(PHONE)})

    assert page.status_code == 302
    assert posted.status_code == 400
    assert "W-7 is shipped: it can no longer be edited" in posted.content.decode()
    assert order.items.count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({**ADDRESS, "country": "France", **items(PHONE)}, "Give the country&#x27;s two letters"),
        ({**ADDRESS, "street1": "", **items(PHONE)}, "This field is required."),
        ({**ADDRESS, **items(EMPTY)}, "Please submit at least 1 form."),
        ({**ADDRESS, **items({**PHONE, "quantity": "0"})}, "greater than or equal to 1"),
    ],
)
def test_a_wrong_form_is_shown_again_with_its_error_and_nothing_is_saved(
    shipper_client, data, error
):
    response = shipper_client.post("/orders/manual/new/", data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Order.objects.count() == 0


def test_a_back_market_order_has_no_manual_edit_form(shipper_client, imported):
    order = Order.objects.filter(store=imported).first()

    assert shipper_client.get(f"/orders/{order.pk}/edit/").status_code == 404


def test_the_form_is_french_for_a_french_user(shipper_client):
    response = shipper_client.get("/orders/manual/new/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Nouvelle commande manuelle" in response.content.decode()
