"""The Returns tab: shipped orders Back Market refunded after shipping, with their reason;
they stay under Shipped, and shipped for the ShipStation API."""

import base64
import re

import pytest

from shipdesk.api.keys import create_key
from shipdesk.orders.models import Order
from shipdesk.sync.importer import import_orders
from tests.sync.returns import refund_after_shipping, refunds_sent, shipped_order
from tests.web.orders_list import numbers, tab_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(store, sandbox):
    """An order shipped, refunded after shipping ("faulty on opening"), imported again."""
    order = shipped_order(store)
    refund_after_shipping(sandbox, order, return_reason=21)
    import_orders(store)
    order.refresh_from_db()
    return order


def test_the_returns_tab_lists_returned_orders_with_their_reason(shipper_client, returned):
    # When opening the Returns tab of the orders page
    response = shipper_client.get("/orders/", {"tab": "returns", "per_page": 100})

    # Then it lists the returned orders (the sandbox's own and this one), each with its reason
    page = response.content.decode()
    everyone = Order.objects.filter(returned_at__isnull=False)
    assert sorted(numbers(response)) == sorted(everyone.values_list("order_number", flat=True))
    assert tab_count(response, "returns") == everyone.count()
    row = re.search(rf'<tr data-order="{returned.order_number}">.*?</tr>', page, re.S).group(0)
    assert '<span class="badge badge-shipped">Shipped</span>' in row
    assert (
        '<span class="badge badge-returned" data-testid="returned">returned: faulty on opening'
        "</span>" in row
    )
    # and the order is still under Shipped, not under Cancelled
    shipped = shipper_client.get("/orders/", {"tab": "shipped", "q": returned.order_number})
    cancelled = shipper_client.get("/orders/", {"tab": "cancelled", "q": returned.order_number})
    assert (numbers(shipped), numbers(cancelled)) == ([returned.order_number], [])


def test_returns_in_french_and_on_the_order_page(shipper_client, returned):
    french = shipper_client.get(
        "/orders/", {"tab": "returns", "q": returned.order_number}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    detail = shipper_client.get(f"/orders/{returned.pk}/").content.decode()

    assert re.search(r'data-tab="returns">Retours <span class="count">1</span>', french)
    assert "retournée : panne à l’ouverture</span>" in french
    assert (
        '<p class="banner banner-warning" data-testid="returned">Returned: refunded after '
        "shipping on Back Market (faulty on opening).</p>" in detail
    )
    assert "Cancelled on Back Market" not in detail


def test_the_api_keeps_a_returned_order_shipped(client, django_user_model, returned):
    key, secret = create_key(django_user_model.objects.create_user("erp"), name="ERP")
    auth = "Basic " + base64.b64encode(f"{key.key}:{secret}".encode()).decode()

    response = client.get(
        "/ssapi/orders",
        {"orderStatus": "shipped", "orderNumber": returned.order_number},
        HTTP_AUTHORIZATION=auth,
    )

    orders = response.json()["orders"]
    assert [(o["orderNumber"], o["orderStatus"]) for o in orders] == [
        (returned.order_number, "shipped")
    ]


def test_a_shipped_line_is_refunded_from_the_order_page(shipper_client, store, sandbox):
    # Given a shipped order, its page offers to refund the line with Back Market's reason
    order = shipped_order(store)
    page = shipper_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="refund-IP13-128-BLK-GOOD"' in page
    assert '<option value="21">faulty on opening</option>' in page
    url = f"/orders/{order.pk}/refund-line/"

    # When refunding it without a reason, then with one
    without = shipper_client.post(url, {"sku": "IP13-128-BLK-GOOD"}, follow=True)
    assert refunds_sent(sandbox, order) == []
    done = shipper_client.post(
        url, {"sku": "IP13-128-BLK-GOOD", "reason": "21", "message": " Écran noir "}, follow=True
    )

    # Then the first is refused, saying what to give; the second reaches Back Market once
    assert (
        "IP13-128-BLK-GOOD was shipped: give Back Market&#x27;s return reason (0 stock mistake"
        in (without.content.decode())
    )
    assert "Line IP13-128-BLK-GOOD refunded on Back Market." in done.content.decode()
    [(body, status)] = refunds_sent(sandbox, order)
    assert (status, body["new_state"], body["return_reason"], body["return_message"]) == (
        200,
        6,
        21,
        "Écran noir",
    )
    order.refresh_from_db()
    assert (order.status, order.return_reason) == ("shipped", 21)
    assert 'data-testid="refund-IP13-128-BLK-GOOD"' not in done.content.decode()
