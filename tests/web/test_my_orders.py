"""The orders page's "My orders": the orders assigned to the signed-in user (the API's
assignuser), in every tab, and batched as shown."""

import re

import pytest
from django.utils import translation

from shipdesk.orders.assignment import assign
from shipdesk.orders.models import Order
from tests.factories import make_order, make_store
from tests.web.orders_list import numbers, tab_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(shipper, django_user_model):
    """2001 and 2003 are the shipper's, 2002 someone else's, 2004 nobody's."""
    store = make_store()
    orders = [make_order(store, n) for n in (2001, 2002, 2003, 2004)]
    Order.objects.filter(pk=orders[2].pk).update(status="on_hold")
    other = django_user_model.objects.create_user("nina", password="nina-password-1")
    assign(Order.objects.filter(pk__in=[orders[0].pk, orders[2].pk]), shipper)
    assign(Order.objects.filter(pk=orders[1].pk), other)
    return orders


def test_my_orders_lists_the_orders_assigned_to_me(shipper_client, assigned):
    everyone = shipper_client.get("/orders/", {"tab": "all"})
    mine = shipper_client.get("/orders/", {"tab": "all", "mine": "1"})
    held = shipper_client.get("/orders/", {"tab": "on_hold", "mine": "1"})

    assert sorted(numbers(everyone)) == ["2001", "2002", "2003", "2004"]
    assert sorted(numbers(mine)) == ["2001", "2003"]
    assert [tab_count(mine, t) for t in ("awaiting_shipment", "on_hold", "all")] == [1, 1, 2]
    assert numbers(held) == ["2003"]
    html = mine.content.decode()
    assert re.search(r'<input type="checkbox" id="f-mine" name="mine" value="1"\s+checked>', html)


def test_my_orders_is_said_in_french(shipper_client, assigned):
    with translation.override("fr"):
        html = shipper_client.get(
            "/orders/", {"mine": "1"}, HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()

    assert '<label for="f-mine">Mes commandes</label>' in html


def test_a_batch_of_the_view_keeps_to_my_orders(shipper_client, assigned):
    page = shipper_client.get(
        "/batches/new/", {"scope": "view", "tab": "awaiting_shipment", "mine": "1"}
    )

    html = page.content.decode()
    assert "1 order in this batch." in html
    assert re.findall(r'<input type="hidden" name="ids" value="(\d+)"', html) == [
        str(assigned[0].pk)
    ]
