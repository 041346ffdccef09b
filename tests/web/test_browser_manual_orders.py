"""A manual order created and edited in Chromium, from the orders page."""

import pytest
from playwright.sync_api import expect

from shipdesk.orders.models import Order

from .pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_a_shipper_creates_a_manual_order_and_edits_it(live_server, page, shipper, shoot):
    sign_in(page, live_server, "sam", "sam-password-1")
    page.get_by_test_id("new-manual-order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New manual order")
    for field, value in {
        "order_number": "W-9",
        "customer_email": "camille@example.com",
        "name": "Camille Martin",
        "street1": "12 rue de la Paix",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
        "items-0-sku": "CASE-1",
        "items-0-name": "Phone case",
        "items-0-quantity": "2",
        "items-0-unit_price": "9.50",
    }.items():
        page.locator(f"#id_{field}").fill(value)
    shoot(page, "manual-order-form")
    page.get_by_role("button", name="Create the order").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Order W-9")
    expect(page.locator(".message")).to_have_text("Manual order W-9 created.")
    expect(page.get_by_test_id("manual-order")).to_be_visible()
    page.get_by_role("link", name="Edit the order").click()
    page.locator("#id_city").fill("Villeurbanne")
    page.get_by_role("button", name="Save the order").click()

    expect(page.locator(".message")).to_have_text("Manual order W-9 saved.")
    order = Order.objects.get(order_number="W-9")
    assert (order.store.name, order.ship_to.city) == ("Manual orders", "Villeurbanne")
    assert [(i.sku, i.quantity) for i in order.items.all()] == [("CASE-1", 2)]
