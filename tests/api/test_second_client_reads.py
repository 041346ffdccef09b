"""Reads through the second third-party client, `shipstation` (natecox/pyshipstation): its
`get` sends the request and, with debug on, prints the answer, which is read back here from
the captured output (the package returns nothing). Products, customers and orders by tag,
listed and filtered as a script using that package would."""

import ast

import pytest
from shipstation.api import ShipStation

from shipdesk.customers.refresh import refresh_customers
from shipdesk.orders.models import Product, Tag
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def client2(live_server, credentials, no_rate_limit) -> ShipStation:
    client = ShipStation(*credentials, debug=True)
    client.url = f"{live_server.url}/ssapi"
    return client


def read(client2: ShipStation, capsys, path: str, params: dict) -> dict:
    client2.get(path, params)
    return ast.literal_eval(capsys.readouterr().out)


def test_products_listed_and_filtered(client2, capsys):
    for sku, name in (("IPH13-128", "iPhone 13"), ("IPH12-64", "iPhone 12"), ("CASE-1", "Case")):
        Product.objects.create(sku=sku, name=name, weight_grams=200)

    everything = read(client2, capsys, "/products", {})
    phones = read(client2, capsys, "/products", {"sku": "IPH", "sortBy": "SKU", "sortDir": "DESC"})
    named = read(client2, capsys, "/products", {"name": "case"})

    assert [p["sku"] for p in everything["products"]] == ["CASE-1", "IPH12-64", "IPH13-128"]
    assert [p["sku"] for p in phones["products"]] == ["IPH13-128", "IPH12-64"]
    assert [p["sku"] for p in named["products"]] == ["CASE-1"]
    assert (phones["total"], phones["page"], phones["pages"]) == (2, 1, 1)


def test_customers_listed_and_filtered(client2, capsys):
    paris = make_store()
    make_order(paris, 7001, customer="Léa Martin", email="lea@example.com", country="FR")
    make_order(paris, 7002, customer="Léa Martin", email="LEA@example.com", country="FR")
    make_order(paris, 7003, customer="Jürgen Becker", email="jurgen@example.de", country="DE")
    refresh_customers()  # as the worker does every minute

    everyone = read(client2, capsys, "/customers", {"sortBy": "Name"})
    germans = read(client2, capsys, "/customers", {"countryCode": "DE"})

    assert [(c["name"], c["email"]) for c in everyone["customers"]] == [
        ("Jürgen Becker", "jurgen@example.de"),
        ("Léa Martin", "lea@example.com"),
    ]
    assert [c["email"] for c in germans["customers"]] == ["jurgen@example.de"]
    lea = everyone["customers"][1]
    assert read(client2, capsys, f"/customers/{lea['customerId']}", {})["email"] == (
        "lea@example.com"
    )


def test_orders_listed_by_tag(client2, capsys):
    store = make_store()
    tagged, _untagged = make_order(store, 8001), make_order(store, 8002)
    fragile = Tag.objects.create(name="Fragile")
    tagged.tags.add(fragile)

    listed = read(
        client2,
        capsys,
        "/orders/listbytag",
        {"orderStatus": "awaiting_shipment", "tagId": fragile.pk},
    )

    assert [o["orderId"] for o in listed["orders"]] == [tagged.pk]
