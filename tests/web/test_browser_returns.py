"""Returns in Chromium against a live server and the Back Market sandbox: the Returns tab and
the refund of a shipped line from its order page (screenshots 23-returns and 24-refund)."""

import pytest
from playwright.sync_api import expect

from shipdesk.outbox import engine
from shipdesk.sync.importer import import_orders
from tests.sync.returns import refund_after_shipping, refunds_sent, shipped_order

from .pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def sandbox(sandbox_factory):
    """A Back Market account with only the orders a test gives it: the Returns tab shows one."""
    return sandbox_factory(orders=0, token="sandbox-token")


def test_the_returns_tab_shows_the_order_back_market_refunded_after_shipping(
    live_server, page, shipper, store, sandbox, shoot
):
    returned, kept = shipped_order(store), shipped_order(store)
    refund_after_shipping(sandbox, returned, return_reason=21)
    import_orders(store)

    sign_in(page, live_server, "sam", "sam-password-1")
    page.goto(f"{live_server.url}/orders/?tab=returns")

    rows = page.locator("tr[data-order]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order", returned.order_number)
    expect(rows.first.get_by_test_id("returned")).to_have_text("returned: faulty on opening")
    assert kept.order_number not in page.content()
    shoot(page, "23-returns")


def test_a_shipped_line_is_refunded_after_its_return_from_the_order_page(
    live_server, page, shipper, store, sandbox, shoot
):
    order = shipped_order(store)
    sku = order.items.get().sku

    sign_in(page, live_server, "sam", "sam-password-1")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    refund = page.get_by_test_id(f"refund-{sku}")
    refund.get_by_text("Refund…").click()
    refund.get_by_label("Return reason").select_option(label="faulty on opening")
    refund.get_by_label("Return message").fill("Écran noir à l'ouverture")
    shoot(page, "24-refund")
    page.once("dialog", lambda dialog: dialog.accept())
    refund.get_by_role("button", name="Refund after the return").click()

    expect(page.locator(".message")).to_have_text(f"Line {sku} refunded on Back Market.")
    assert engine.deliver_due()["backmarket"]["failed"] == 0
    [(body, status)] = refunds_sent(sandbox, order)
    assert (body["new_state"], body["return_reason"], body["return_message"], status) == (
        6,
        21,
        "Écran noir à l'ouverture",
        200,
    )
