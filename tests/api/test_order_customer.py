"""Orders' customerId: the customer GET /customers lists for the buyer's email in the order's
store (one per email, however it is typed), as the worker last refreshed the customers; null
without an email."""

import pytest

from shipdesk.customers.models import Customer
from shipdesk.customers.refresh import refresh_customers
from shipdesk.orders.models import Order
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


def test_an_orders_customer_id_is_its_buyers_customer_in_its_store(api):
    paris, lyon = make_store(), make_store("Refurb Lyon")
    first = make_order(paris, 6001, email="Lea@Example.com")
    again = make_order(paris, 6002, email="lea@example.com")
    elsewhere = make_order(lyon, 6003, email="lea@example.com")
    other = make_order(paris, 6004, email="tom@example.com")
    anonymous = make_order(paris, 6005, email="")
    refresh_customers()  # as the worker does every minute

    listed = {
        o["orderId"]: o["customerId"]
        for o in api.get("/orders", {"pageSize": 500}).json()["orders"]
    }
    customers = [c["customerId"] for c in api.get("/customers").json()["customers"]]

    lea = Customer.objects.get(store=paris, email="lea@example.com")
    assert listed == {
        first.pk: lea.pk,
        again.pk: lea.pk,
        elsewhere.pk: Customer.objects.get(store=lyon, email="lea@example.com").pk,
        other.pk: Customer.objects.get(store=paris, email="tom@example.com").pk,
        anonymous.pk: None,
    }
    assert api.get(f"/orders/{again.pk}").json()["customerId"] == lea.pk
    assert sorted(customers) == sorted({c for c in listed.values() if c is not None})
    assert Order.objects.count() == 5


def test_reading_orders_does_not_refresh_the_customers(api):
    paris = make_store()
    make_order(paris, 6001, email="lea@example.com")
    refresh_customers()
    newer = make_order(paris, 6002, email="tom@example.com")

    before = api.get(f"/orders/{newer.pk}").json()["customerId"]
    refresh_customers()
    after = api.get(f"/orders/{newer.pk}").json()["customerId"]

    assert before is None
    assert after == Customer.objects.get(store=paris, email="tom@example.com").pk
    assert Customer.objects.count() == 2
