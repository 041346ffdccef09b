"""The UI in Chromium against a live server and the Back Market sandbox."""

import httpx
import pytest
from playwright.sync_api import expect

from shipdesk.orders.models import ItemUnit, Order
from shipdesk.outbox import engine
from shipdesk.stores.models import Store
from shipdesk.sync.models import ImportRun
from tests.factories import make_order, make_store

from ..sync.oracle import all_orders, expected
from .pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

VALID_IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"
WRONG_CHECK_DIGIT = "356938035643808"


def test_anonymous_visitor_is_sent_to_the_login_page_and_signs_in(
    live_server, page, shipper, shoot
):
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to shipdesk")
    shoot(page, "01-login")
    sign_in(page, live_server, "sam", "sam-password-1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders")
    expect(page.locator("[data-tab=awaiting_shipment]")).to_have_text("Awaiting shipment 0")
    expect(page.get_by_role("link", name="Stores")).to_have_count(0)


def test_admin_connects_a_store_to_the_sandbox_and_imports_with_live_progress(
    live_server, page, admin, sandbox, huey_immediate, shoot
):
    wanted = expected(all_orders(sandbox.url))
    sign_in(page, live_server, "alice", "alice-password-1")

    page.goto(f"{live_server.url}/stores/connect/")
    page.get_by_label("Store name").fill("Refurb Paris")
    page.get_by_label("Region").select_option("eu")
    page.get_by_label("Marketplace language").select_option("fr-fr")
    page.get_by_label("API token").fill("sandbox-token")
    page.get_by_label("Import orders of the last (days)").fill("90")
    page.get_by_text("Advanced").click()
    page.get_by_label("Server address (optional)").fill(sandbox.url)
    shoot(page, "02-store-connect")
    page.get_by_role("button", name="Test the token and connect").click()
    expect(page.locator(".message")).to_have_text(
        "Connected: Back Market accepted the token of Refurb Paris."
    )
    page.get_by_role("button", name="Import now").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-state", "ok")

    run = ImportRun.objects.get()
    assert (run.created, run.skipped, run.set_aside) == (
        len(wanted["imported"]),
        len(wanted["skipped"]),
        len(wanted["set_aside"]),
    )
    expect(progress).to_contain_text(
        f"Finished — {run.fetched} of {run.total} read, {run.created} new, 0 updated"
    )
    shoot(page, "03-store-settings")
    page.get_by_role("link", name="Orders", exact=True).click()
    to_accept = Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=True).count()
    to_ship = Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=False).count()
    shipped = Order.objects.filter(status="shipped").count()
    cancelled = Order.objects.filter(status="cancelled").count()
    assert to_accept + to_ship + shipped + cancelled == len(wanted["imported"])
    expect(page.locator("[data-tab=to_accept]")).to_have_text(f"Awaiting acceptance {to_accept}")
    expect(page.locator("[data-tab=awaiting_shipment]")).to_have_text(
        f"Awaiting shipment {to_ship}"
    )
    expect(page.locator("[data-tab=shipped]")).to_have_text(f"Shipped {shipped}")
    expect(page.locator("[data-tab=cancelled]")).to_have_text(f"Cancelled {cancelled}")
    expect(page.locator("[data-tab=all]")).to_have_text(f"All {len(wanted['imported'])}")
    shoot(page, "04-orders")


def test_shipper_scans_an_imei_ships_and_sees_back_market_notified(
    live_server, page, shipper, phone_order, sandbox, huey_immediate, shoot
):
    item = phone_order.items.get()
    sign_in(page, live_server, "sam", "sam-password-1")
    page.get_by_role("searchbox", name="Search").fill(phone_order.order_number)
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_role("link", name=phone_order.order_number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {phone_order.order_number}")

    field = page.get_by_label(item.sku, exact=True)
    status = page.locator(f"#unit-status-{item.units.get().pk}")
    field.press_sequentially(WRONG_CHECK_DIGIT)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text("Invalid IMEI: wrong check digit. Check for a typing error.")
    field.press("Enter")
    expect(field).to_be_focused()
    field.fill("")
    field.press_sequentially(VALID_IMEI)
    expect(status).to_have_text("Valid IMEI. Press Enter to save.")
    field.press("Enter")
    expect(page.get_by_label("Tracking number")).to_be_focused()
    expect(status).to_have_text("IMEI saved.")
    assert ItemUnit.objects.get(item=item).imei == VALID_IMEI
    shoot(page, "05-order-detail")

    page.get_by_label("Carrier", exact=True).select_option("colissimo")
    expect(page.get_by_label("Service")).to_contain_text("Colissimo Domicile sans signature")
    page.get_by_label("Service").select_option("colissimo_home")
    page.get_by_label("Tracking number").fill("6A 1234 5678 901")
    page.get_by_label("Carrier fee").fill("7.90")
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.locator(".message")).to_have_text(
        f"Order {phone_order.order_number} shipped with 6A12345678901."
    )
    counts = engine.deliver_due()["backmarket"]
    page.reload()

    assert counts == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    notification = page.get_by_test_id("notification")
    expect(notification).to_contain_text("Delivered")
    page.get_by_text("Attempts and answers").click()
    expect(notification).to_contain_text(f"POST /ws/orders/{phone_order.channel_order_id} → 200")
    shoot(page, "06-order-shipped")
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    [ship] = [u for u in updates if u["body"].get("new_state") == 3]
    assert (ship["body"]["tracking_number"], ship["body"]["imei"]) == ("6A12345678901", VALID_IMEI)
    page.goto(f"{live_server.url}/notifications/?status=sent")
    expect(page.get_by_test_id("notification")).to_contain_text("Delivered")
    shoot(page, "07-notifications")


def test_enter_after_each_scan_moves_to_the_next_unit(live_server, page, shipper):
    order = make_order(make_store(), 1001, quantity=2)
    first, second = ItemUnit.objects.filter(item__order=order).order_by("index")
    sign_in(page, live_server, "sam", "sam-password-1")
    page.goto(f"{live_server.url}/orders/{order.pk}/")

    page.locator(f"#unit-input-{first.pk}").press_sequentially(VALID_IMEI)
    page.keyboard.press("Enter")
    expect(page.locator(f"#unit-input-{second.pk}")).to_be_focused()
    page.keyboard.type(OTHER_IMEI)
    page.keyboard.press("Enter")

    expect(page.get_by_label("Tracking number")).to_be_focused()
    expect(page.locator(f"#unit-status-{first.pk}")).to_have_text("IMEI saved.")
    expect(page.locator(f"#unit-status-{second.pk}")).to_have_text("IMEI saved.")
    expect(page.locator("#missing-identifiers")).to_have_text("")
    assert list(
        ItemUnit.objects.filter(item__order=order).order_by("index").values_list("imei", flat=True)
    ) == [VALID_IMEI, OTHER_IMEI]


def test_bulk_accept_of_every_order_awaiting_acceptance(
    live_server, page, shipper, imported, sandbox
):
    to_accept = Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=True).count()
    sign_in(page, live_server, "sam", "sam-password-1")
    page.locator("[data-tab=to_accept]").click()

    page.get_by_label("Select every order on this page").check()
    expect(page.locator("[data-selected-count]")).to_have_text(f"{to_accept} selected")
    page.get_by_role("button", name="Accept", exact=True).click()

    expect(page.locator(".message")).to_have_text(f"{to_accept} order(s) accepted on Back Market.")
    expect(page.locator("[data-tab=to_accept]")).to_have_text("Awaiting acceptance 0")
    assert Order.objects.filter(awaiting_acceptance=True).count() == 0
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    assert {u["body"]["new_state"] for u in updates} == {2}


def test_a_rejected_token_shows_a_banner_on_every_page_until_replaced(
    live_server, page, admin, imported, sandbox, huey_immediate, shoot
):
    httpx.post(f"{sandbox.url}/_sandbox/revoke", timeout=5).raise_for_status()
    sign_in(page, live_server, "alice", "alice-password-1")
    page.goto(f"{live_server.url}/stores/{imported.pk}/")

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-progress")).to_have_attribute("data-state", "failed")
    page.get_by_role("link", name="Orders", exact=True).click()
    banner = page.get_by_test_id("token-banner")
    expect(banner).to_contain_text("Back Market rejected the API token of the store Test store")
    page.get_by_role("link", name="Products").click()
    expect(banner).to_be_visible()
    shoot(page, "08-token-banner")
    httpx.post(f"{sandbox.url}/_sandbox/token", json={"token": "new"}, timeout=5).raise_for_status()
    banner.get_by_role("link", name="Replace the token").click()
    page.get_by_label("New API token").fill("still-wrong")
    page.get_by_role("button", name="Test and replace the token").click()
    expect(page.locator("#token .error")).to_have_text(
        "Back Market rejected this token (401). Copy it again from the Back Office "
        "(Options → Integrations), and check the region."
    )
    page.get_by_label("New API token").fill("new")
    page.get_by_role("button", name="Test and replace the token").click()

    expect(page.locator(".message")).to_have_text(
        "Back Market accepted the new token. Imports resume where they stopped."
    )
    expect(page.get_by_test_id("token-banner")).to_have_count(0)
    expect(page.get_by_test_id("store-health")).to_have_text("Connected")
    assert Store.objects.get().token == "new"
    assert "still-wrong" not in page.content() and ">new<" not in page.content()


def test_french_browser_gets_the_french_ui(live_server, browser, shipper, imported, shoot):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, extra_http_headers={"Accept-Language": "fr"}
    )
    page = context.new_page()
    order = (
        Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=False)
        .order_by("-order_date")
        .first()
    )

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à shipdesk")
    page.get_by_label("Nom d’utilisateur").fill("sam")
    page.get_by_label("Mot de passe").fill("sam-password-1")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Commandes")
    expect(page.locator("[data-tab=awaiting_shipment]")).to_contain_text("À expédier")
    row = page.locator(f"tr[data-order='{order.order_number}']")
    total = f"{order.order_total:.2f}".replace(".", ",")
    expect(row).to_contain_text(f"{total}\u00a0€")
    shoot(page, "09-orders-fr")
    row.get_by_role("link", name=order.order_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Commande {order.order_number}")
    expect(page.get_by_role("heading", name="Historique")).to_be_visible()
    context.close()


def test_admin_pages_render(live_server, page, admin, imported, shoot):
    sign_in(page, live_server, "alice", "alice-password-1")

    for path, heading, name in [
        ("/products/", "Products", "10-products"),
        ("/users/", "Users", "11-users"),
        ("/settings/", "Settings", "12-settings"),
        ("/ship/import/", "Import tracking numbers", "13-tracking-import"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        shoot(page, name)
    page.goto(f"{live_server.url}/users/")
    expect(page.get_by_role("row", name="alice alice@example.com Admin Yes")).to_be_visible()
