"""The invoice PDF: what it says, checked in its text (pypdf), per VAT treatment and language."""

from decimal import Decimal

import pytest

from shipdesk.invoices.actions import InvoiceError, generate_invoice
from shipdesk.invoices.models import Invoice, InvoiceSettings
from shipdesk.orders.models import Order, OrderItem, Product
from tests.factories import make_order, make_store
from tests.invoices.helpers import VAT_NUMBER, legal_details, pdf_text

pytestmark = pytest.mark.django_db


def english_order(store, number=1001, **kwargs) -> Order:
    order = make_order(store, number, **kwargs)
    Order.objects.filter(pk=order.pk).update(country_code="en-gb")
    return Order.objects.get(pk=order.pk)


def test_a_regular_vat_invoice_shows_the_seller_the_buyer_the_number_and_the_vat():
    store = make_store()
    legal_details(store)
    order = english_order(store, total="369.00")

    invoice = generate_invoice(order)

    text = pdf_text(bytes(invoice.pdf))
    assert invoice.number == f"INV-{store.pk}-000001"
    assert (invoice.vat_type, invoice.total, invoice.language) == (
        "REGULAR",
        Decimal("369.00"),
        "en",
    )
    assert "INVOICE" in text
    assert f"Invoice number: INV-{store.pk}-000001" in text
    assert "Back Market order: 1001" in text
    assert "Refurb Paris SAS" in text
    assert f"VAT number: {VAT_NUMBER}" in text
    assert "Bill to Léa Martin 3 avenue Foch 69006 Lyon FR" in text
    assert (
        "iPhone 13 128 GB - Black - Unlocked IP13-128-BLK 1 369.00 € 20 % · 61.50 € 369.00 €"
        in text
    )
    assert "Total excl. VAT 307.50 €" in text
    assert "VAT 20 % 61.50 €" in text
    assert "Total incl. VAT 369.00 €" in text
    assert "Margin scheme" not in text
    assert "SAS au capital de 10 000 € — RCS Paris 123 456 789" in text


def test_a_margin_scheme_invoice_has_no_vat_line_and_carries_the_legal_mention():
    store = make_store()
    legal_details(store, vat_type="MARGINAL")
    order = make_order(store, 1002, total="289.00")  # fr-fr: in French

    invoice = generate_invoice(order)

    text = pdf_text(bytes(invoice.pdf))
    assert invoice.vat_type == "MARGINAL"
    assert "FACTURE" in text
    assert f"Numéro de facture : INV-{store.pk}-000001" in text
    assert f"N° de TVA : {VAT_NUMBER}" in text
    assert "Total 289,00 €" in text
    assert "TVA sur la marge — article 297 A du CGI" in text
    assert "TVA 20" not in text
    assert "Total HT" not in text
    assert "TTC" not in text


def test_a_product_says_its_own_vat_treatment_and_a_mixed_order_is_one_invoice():
    """The store's default is REGULAR; the phone is sold under the margin scheme, the case not."""
    store = make_store()
    legal_details(store)
    Product.objects.create(sku="IP13-128-BLK", vat_type="MARGINAL")
    order = english_order(store, 1003, total="300.00")
    OrderItem.objects.create(
        order=order,
        sku="CASE-13",
        name="Silicone case",
        quantity=2,
        unit_price=Decimal("12.00"),
        line_price=Decimal("24.00"),
        channel_line_id=10031,
    )

    invoice = generate_invoice(order)

    text = pdf_text(bytes(invoice.pdf))
    assert (invoice.vat_type, invoice.total) == ("MIXED", Decimal("324.00"))
    assert "iPhone 13 128 GB - Black - Unlocked * IP13-128-BLK 1 300.00 € * 300.00 €" in text
    assert "Silicone case CASE-13 2 12.00 € 20 % · 4.00 € 24.00 €" in text
    assert "Total excl. VAT of the items at regular VAT 20.00 €" in text
    assert "VAT 20 % 4.00 €" in text
    assert "Items under the margin scheme * 300.00 €" in text
    assert "Total 324.00 €" in text
    assert "* Margin scheme — second-hand goods" in text


def test_a_german_buyer_gets_a_german_invoice():
    store = make_store()
    legal_details(store, vat_type="MARGINAL")
    order = make_order(store, 1004, total="1234.50", country="DE")
    Order.objects.filter(pk=order.pk).update(country_code="de-de", shipping_amount=Decimal("9.90"))

    invoice = generate_invoice(Order.objects.get(pk=order.pk))

    text = pdf_text(bytes(invoice.pdf))
    assert invoice.language == "de"
    assert "RECHNUNG" in text
    assert f"Rechnungsnummer: INV-{store.pk}-000001" in text
    assert "Rechnungsadresse" in text
    assert f"USt-IdNr.: {VAT_NUMBER}" in text
    assert "Versandkosten 1 9,90 € 9,90 €" in text
    assert "Gesamtbetrag 1.244,40 €" in text
    assert "Differenzbesteuerung — Gebrauchtgegenstände/Sonderregelung" in text
    assert "Bezahlt über Back Market am 14.03.2026." in text


def test_no_invoice_without_the_stores_legal_details():
    store = make_store()
    legal_details(store, vat_number="", address="")
    order = make_order(store, 1005)

    with pytest.raises(InvoiceError) as refused:
        generate_invoice(order)

    assert str(refused.value) == (
        "the invoice of order 1005 needs the store's registered address, VAT number (store settings)"
    )
    assert not Invoice.objects.exists()
    assert InvoiceSettings.objects.get(store=store).next_number == 1


def test_the_products_csv_says_each_products_vat_treatment():
    from io import BytesIO

    from shipdesk.orders.catalogue import import_products_csv

    done = import_products_csv(BytesIO(b"sku,vat_type\nIP13,marginal\nCASE,REGULAR\nCABLE,\n"))
    refused = import_products_csv(BytesIO(b"sku,vat_type\nIP14,reduced\n"))

    assert (done.created, done.errors) == (3, [])
    assert dict(Product.objects.values_list("sku", "vat_type")) == {
        "IP13": "MARGINAL",
        "CASE": "REGULAR",
        "CABLE": "",
    }
    assert refused.errors == [
        "line 2: vat_type must be REGULAR or MARGINAL (or empty), not reduced"
    ]
