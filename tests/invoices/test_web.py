"""Invoices on the web: the store's legal details, the order page, the orders list's filter."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from shipdesk.invoices.models import Invoice, InvoiceSettings
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from tests.factories import make_order, make_store
from tests.invoices.helpers import legal_details
from tests.invoices.test_upload import SELLER_PDF, invoice_calls
from tests.sync.returns import shipped_order
from tests.web.orders_list import numbers, tab_count

pytestmark = pytest.mark.django_db


def status_of(page) -> str:
    text = page.content.decode()
    found = re.search(r'<p data-testid="invoice-status">(.*?)</p>', text, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_store_page_edits_the_stores_legal_details(admin_client):
    store = make_store()
    url = f"/stores/{store.pk}/invoices/"
    fields = {
        "legal_name": "Refurb Paris SAS",
        "address": "8 rue du Faubourg\r\n75011 Paris",
        "vat_number": "FR12345678901",
        "legal_mentions": "RCS Paris 123 456 789",
        "vat_type": "MARGINAL",
        "vat_rate": "5.5",
        "number_prefix": "F-",
        "auto_upload": "on",
    }

    shown = admin_client.get(f"/stores/{store.pk}/")
    refused = admin_client.post(url, {**fields, "vat_rate": "45"})
    assert (shown.status_code, InvoiceSettings.objects.count()) == (200, 0)
    saved = admin_client.post(url, fields)
    french = admin_client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert refused.status_code == 400
    assert "Ensure this value is less than or equal to 30." in refused.content.decode()
    assert saved.status_code == 302
    settings = InvoiceSettings.objects.get(store=store)
    assert (
        settings.legal_name,
        settings.address,
        settings.vat_number,
        settings.vat_type,
        settings.vat_rate,
        settings.prefix,
        settings.auto_upload,
    ) == (
        "Refurb Paris SAS",
        "8 rue du Faubourg\r\n75011 Paris",
        "FR12345678901",
        "MARGINAL",
        Decimal("5.50"),
        "F-",
        True,
    )
    assert '<h2 id="h-invoices">Factures</h2>' in french
    assert 'for="id_legal_name">Raison sociale' in french
    assert "TVA sur la marge (biens d&#x27;occasion)" in french
    assert "Enregistrer les réglages des factures" in french


def test_the_order_page_generates_sends_and_downloads_the_invoice(shipper_client, store, sandbox):
    legal_details(store)
    order = shipped_order(store)
    page = f"/orders/{order.pk}/"
    assert status_of(shipper_client.get(page)) == "No invoice yet."
    french = shipper_client.get(page, HTTP_ACCEPT_LANGUAGE="fr")
    assert status_of(french) == "Pas encore de facture."
    assert "Établir la facture et l'envoyer à Back Market" in french.content.decode()

    done = shipper_client.post(f"/orders/{order.pk}/invoice/", follow=True)

    invoice = Invoice.objects.get(order=order)
    assert "Invoice ready; it is being sent to Back Market." in done.content.decode()
    assert status_of(done) == (
        f"Invoice {invoice.number} generated. Being sent to Back Market. Download the invoice"
    )
    engine.deliver_due()
    invoice.refresh_from_db()
    sent = status_of(shipper_client.get(page))
    assert sent.startswith(f"Invoice {invoice.number} generated. Uploaded to Back Market on ")
    assert len(invoice_calls(sandbox, order)) == 1
    pdf = shipper_client.get(f"/orders/{order.pk}/invoice.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content == bytes(invoice.pdf)


def test_the_sellers_own_pdf_from_the_order_page(shipper_client, store, sandbox):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = shipped_order(store)
    url = f"/orders/{order.pk}/invoice/file/"

    html = SimpleUploadedFile("facture.pdf", b"<html>no</html>", "application/pdf")
    refused = shipper_client.post(url, {"invoice": html}, follow=True)
    pdf = SimpleUploadedFile("facture-17.pdf", SELLER_PDF, "application/pdf")
    taken = shipper_client.post(url, {"invoice": pdf}, follow=True)

    assert "the invoice file is not a PDF" in refused.content.decode()
    assert "Invoice attached; it is being sent to Back Market." in taken.content.decode()
    assert status_of(taken) == (
        "The seller's invoice facture-17.pdf attached. Being sent to Back Market. "
        "Download the invoice"
    )
    engine.deliver_due()
    assert sandbox.state.invoices[order.channel_order_id] == ("facture-17.pdf", SELLER_PDF)


def test_the_order_page_says_why_an_invoice_cannot_be_written(shipper_client):
    order = make_order(make_store(), 3001)

    done = shipper_client.post(f"/orders/{order.pk}/invoice/", follow=True)

    assert (
        "the invoice of order 3001 needs the store&#x27;s legal company name, registered address, "
        "VAT number (store settings)" in done.content.decode()
    )
    assert not Invoice.objects.exists()


def test_the_invoice_missing_filter_lists_shipped_orders_back_market_has_no_invoice_for(
    shipper_client,
):
    store = make_store()
    make_order(store, 3002, status="shipped")
    provided = make_order(store, 3003, status="shipped")
    Order.objects.filter(pk=provided.pk).update(bill_provided_at=timezone.now())
    make_order(store, 3004)  # awaiting shipment

    missing = shipper_client.get("/orders/", {"invoice": "missing"})
    everything = shipper_client.get("/orders/", {"tab": "shipped"})
    french = shipper_client.get("/orders/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert numbers(missing) == ["3002"]
    assert (tab_count(missing, "shipped"), tab_count(missing, "awaiting_shipment")) == (1, 0)
    assert 'id="f-invoice" name="invoice" value="missing" checked' in missing.content.decode()
    assert sorted(numbers(everything)) == ["3002", "3003"]
    assert '<label for="f-invoice">Facture manquante</label>' in french


def test_the_order_page_says_why_back_market_refused_the_invoice(shipper_client, store, sandbox):
    from shipdesk.invoices.actions import invoice_and_upload

    order = shipped_order(store)
    invoice, _message = invoice_and_upload(order, pdf_file=SELLER_PDF, filename="f.pdf")
    Invoice.objects.filter(pk=invoice.pk).update(pdf=b"<html>changed</html>")
    engine.deliver_due()

    page = shipper_client.get(f"/orders/{order.pk}/")

    said = status_of(page)
    assert said.startswith(
        "The seller's invoice f.pdf attached. Upload failed: the invoice must be a PDF file "
        "(HTTP 400, POST "
    )
    assert said.endswith("Download the invoice")
    assert ">Send the invoice to Back Market</button>" in page.content.decode()


def test_an_invoice_uploaded_in_the_back_office_shows_after_the_import(
    shipper_client, store, sandbox
):
    from shipdesk.sync.importer import import_orders

    order = shipped_order(store)
    missing = {"invoice": "missing", "q": order.order_number}
    assert numbers(shipper_client.get("/orders/", missing)) == [order.order_number]
    sandbox.state.upload_invoice(order.channel_order_id, "facture.pdf", SELLER_PDF)

    import_orders(store)

    order.refresh_from_db()
    at = timezone.localtime(order.bill_provided_at).strftime("%m/%d/%Y")
    said = status_of(shipper_client.get(f"/orders/{order.pk}/"))
    assert said.startswith(f"Back Market has an invoice for this order since {at} ")
    assert said.endswith("(uploaded in its back office).")
    assert numbers(shipper_client.get("/orders/", missing)) == []
