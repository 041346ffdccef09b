"""The Content-Security-Policy in Chromium: every page still works and nothing is refused."""

import pytest
from playwright.sync_api import expect

from shipdesk.notifications.models import OutboxEmail
from tests.factories import make_order, make_store

from .pages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_no_page_breaks_the_content_security_policy(live_server, page, admin):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    order = make_order(make_store(), 1001)
    email = OutboxEmail.objects.create(
        to="lea@example.com",
        subject="Your order has shipped",
        text="On its way.",
        html='<p style="color:#222">On its way.</p>',
    )
    sign_in(page, live_server, "alice", "alice-password-1")

    # htmx on the order page: choosing a carrier loads its services.
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_label("Carrier", exact=True).select_option("colissimo")
    expect(page.get_by_label("Service")).to_contain_text("Colissimo Domicile sans signature")
    for path, heading in [
        ("/emails/", "Email outbox"),
        (f"/emails/{email.pk}/", "Your order has shipped"),
        ("/admin/", "Site administration"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.goto(f"{live_server.url}/ssapi/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("shipdesk")

    assert refused == []
