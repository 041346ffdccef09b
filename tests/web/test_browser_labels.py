"""Labels, batches and the pack station in Chromium, against a live server, the Back Market
sandbox and its sandbox carrier: a label bought from the order page and printed; a batch of
20 with two failing orders; the pack station driven as a barcode scanner does (the code
typed, then Enter), a wrong item refused loudly, the label printed and the order shipped.

The screenshots of the README (docs/screenshots) come from here, with SHIPDESK_SCREENSHOTS
pointing there."""

import io

import httpx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from shipdesk.batches.actions import process_batch
from shipdesk.batches.models import Batch
from shipdesk.orders.imei import luhn_ok
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.shipping.models import Shipment
from tests.factories import CHARGER, IMEI, PHONE, sandbox_order

from .pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

# Tones the page plays, recorded: the Web Audio API's oscillators, as the page starts them.
RECORD_TONES = """
window.__tones = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones.push(this.frequency.value);
  return start.apply(this, args);
};
"""


def imei(serial: int) -> str:
    """A valid IMEI (its Luhn check digit computed) for each serial number."""
    body = f"35693803{serial:06d}"
    return next(body + digit for digit in "0123456789" if luhn_ok(body + digit))


def chosen_by_rules(orders, account, service="ups_standard_eu"):
    """What the shipping rules set on import: the carrier account and service."""
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        carrier_account=account, carrier_code="sandbox", service_code=service
    )


def ship_updates(sandbox, order) -> list[dict]:
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    return [
        u
        for u in updates
        if u["path"] == f"/ws/orders/{order.channel_order_id}" and u["body"].get("new_state") == 3
    ]


def test_a_label_bought_from_the_order_page_and_printed(
    live_server, page, shipper, store, account, sandbox, shoot, screenshots
):
    order = sandbox_order(store)
    order.items.get().units.update(imei=IMEI)
    order.items.update(weight_grams=450)
    chosen_by_rules([order], account, "ups_express_eu")
    sign_in(page, live_server, "sam", "sam-password-1")

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    rates = page.get_by_test_id("rates")
    expect(rates.get_by_test_id("chosen-rate")).to_have_count(1)
    chosen = rates.get_by_role("row", name="Sandbox Express")
    expect(chosen.get_by_role("radio")).to_be_checked()
    expect(chosen).to_contain_text("€24.08")
    shoot(page, "20-order-rates")
    rates.get_by_role("row", name="Sandbox Standard").get_by_role("radio").check()
    page.get_by_role("button", name="Buy the label and ship").click()

    shipment = Shipment.objects.get(order=order)
    expect(page.locator(".message-success")).to_have_text(
        f"Label bought from Sandbox Lyon: {shipment.tracking_number}. "
        f"Order {order.order_number} is shipped."
    )
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    print_link = page.get_by_test_id("print-new-label")
    expect(print_link).to_be_focused()
    with page.expect_popup() as opened:
        print_link.press("Enter")
    label_url = f"{live_server.url}/orders/{order.pk}/shipments/{shipment.pk}/label/"
    assert opened.value.url == label_url
    printed = page.request.get(label_url)
    assert printed.headers["content-type"] == "application/pdf"
    # docs/label.png is its page: pdftoppm -png -r 150 -singlefile 20-label.pdf docs/label
    (screenshots / "20-label.pdf").write_bytes(printed.body())
    assert shipment.tracking_number in PdfReader(io.BytesIO(printed.body())).pages[0].extract_text()
    assert (shipment.service_code, sandbox.carrier.parcel(shipment.tracking_number).voided) == (
        "ups_standard_eu",
        False,
    )
    assert engine.deliver_due()["backmarket"]["sent"] == 1
    [update] = ship_updates(sandbox, order)
    assert update["body"]["tracking_number"] == shipment.tracking_number


def test_a_batch_of_20_with_two_failing_orders(
    live_server, page, shipper, store, account, sandbox, shoot
):
    ready = [sandbox_order(store) for _ in range(18)]
    for serial, order in enumerate(ready, start=1):
        order.items.get().units.update(imei=imei(serial))
    without_imei = sandbox_order(store)
    refused = sandbox_order(store)
    refused.items.get().units.update(imei=imei(19))
    refused.ship_to.postal_code = "00000"  # the sandbox carrier refuses it
    refused.ship_to.save()
    orders = [*ready, without_imei, refused]
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(weight_grams=450)
    chosen_by_rules(orders, account)
    sign_in(page, live_server, "sam", "sam-password-1")

    page.get_by_label("Select every order on this page").check()
    expect(page.locator("[data-selected-count]")).to_have_text("20 selected")
    page.get_by_role("button", name="Batch", exact=True).click()
    expect(page.get_by_test_id("batch-count")).to_have_text("20 orders in this batch.")
    page.get_by_role("button", name="Process the batch").click()
    batch = Batch.objects.get()
    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_have_text("0 of 20 processed: 0 shipped, 0 not shipped")
    process_batch(batch.pk)  # what the worker does; the page follows it by itself
    expect(progress).to_have_text("20 of 20 processed: 18 shipped, 2 not shipped")

    expect(page.locator('tr[data-status="shipped"]')).to_have_count(18)
    failed = page.locator('tr[data-status="failed"]')
    expect(failed).to_have_count(2)
    expect(failed.filter(has_text=without_imei.order_number).locator(".reason")).to_contain_text(
        f"cannot ship order {without_imei.order_number}: missing IMEI / serial number"
    )
    expect(failed.filter(has_text=refused.order_number).locator(".reason")).to_contain_text(
        "The postal code 00000 is invalid"
    )
    shoot(page, "21-batch-result")
    pdf_link = page.get_by_test_id("batch-pdf")
    expect(pdf_link).to_have_text("Print the labels (18 pages)")
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    reader = PdfReader(io.BytesIO(pdf.body()))
    assert len(reader.pages) == 18
    assert Shipment.objects.filter(order__in=ready, voided=False).count() == 18
    assert not Shipment.objects.filter(order__in=[without_imei, refused]).exists()


def test_the_pack_station_refuses_a_wrong_item_then_ships_when_every_unit_is_scanned(
    live_server, page, shipper, store, account, sandbox, shoot
):
    order = sandbox_order(store, lines=(PHONE, CHARGER))
    order.items.update(weight_grams=300)
    chosen_by_rules([order], account)
    page.add_init_script(RECORD_TONES)
    sign_in(page, live_server, "sam", "sam-password-1")
    page.get_by_role("link", name="Pack station").click()
    station = page.get_by_test_id("station")

    def scan(code: str) -> None:
        """As a USB scanner does: the code typed into the focused field, then Enter."""
        expect(page.locator("[data-scan-input]")).to_be_focused()
        page.keyboard.type(code)
        page.keyboard.press("Enter")

    scan(order.order_number)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Packing order {order.order_number}")
    scan(CHARGER.sku)
    expect(page.get_by_test_id("count")).to_have_text("1 of 2 verified")
    page.evaluate("window.__tones = []")
    scan("CASE-IP13-CLEAR")
    expect(station).to_have_attribute("data-result", "refused")
    expect(station).to_have_class("station station-refused")
    expect(page.get_by_test_id("scan-message")).to_have_text(
        "Pack station: CASE-IP13-CLEAR refused: not in this order."
    )
    assert page.evaluate("window.__tones") == [196, 147]  # the low double buzz
    expect(station).to_have_css("background-color", "rgb(253, 232, 231)")  # --danger-bg
    shoot(page, "22-pack-station")
    scan(PHONE.sku)
    expect(station).to_have_attribute("data-result", "waiting")
    # The last scan buys the label at the carrier: allow a loaded machine more than the
    # usual 10 s (one CI run on a busy 2-core machine took longer).
    with page.expect_popup(timeout=30_000) as opened:
        scan(IMEI)
    expect(station).to_have_attribute("data-result", "done")

    shipment = Shipment.objects.get(order=order)
    expect(page.get_by_test_id("shipped")).to_contain_text(
        f"Shipped with Sandbox carrier {shipment.tracking_number}."
    )
    assert opened.value.url == (
        f"{live_server.url}/orders/{order.pk}/shipments/{shipment.pk}/label/"
    )
    assert page.evaluate("window.__tones.slice(-3)") == [523, 659, 784]
    order.refresh_from_db()
    assert (order.status, order.items.get(sku=PHONE.sku).units.get().imei) == ("shipped", IMEI)
    # One Back Market message for the shipment, sent; nothing else waiting.
    assert engine.deliver_due()["backmarket"] == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    [update] = ship_updates(sandbox, order)
    assert update["body"]["tracking_number"] == shipment.tracking_number
