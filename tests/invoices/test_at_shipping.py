"""The store's option: an order that ships gets its invoice, sent to Back Market once; an
invoice that cannot be written never stops the shipment."""

import pytest

from shipdesk.invoices.models import Invoice
from shipdesk.orders.models import ItemUnit
from shipdesk.outbox import engine
from shipdesk.shipping.actions import ship_order
from tests.factories import IMEI, sandbox_order
from tests.invoices.helpers import legal_details
from tests.invoices.test_upload import invoice_calls

pytestmark = pytest.mark.django_db


def ship(order, capture):
    ItemUnit.objects.filter(item__order=order).update(imei=IMEI)
    with capture(execute=True):
        ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")
    engine.deliver_due()


def test_an_order_shipping_gets_its_invoice_sent(
    store, sandbox, django_capture_on_commit_callbacks
):
    legal_details(store, auto_upload=True)
    order = sandbox_order(store)

    ship(order, django_capture_on_commit_callbacks)

    invoice = Invoice.objects.get(order=order)
    assert invoice.number == f"INV-{store.pk}-000001"
    assert invoice.uploaded_at is not None
    assert [status for _body, status in invoice_calls(sandbox, order)] == [200]
    assert list(order.events.values_list("kind", flat=True).filter(kind__startswith="invoice")) == [
        "invoice_generated",
        "invoice_uploaded",
    ]


def test_without_the_option_shipping_writes_no_invoice(
    store, sandbox, django_capture_on_commit_callbacks
):
    legal_details(store, auto_upload=False)
    order = sandbox_order(store)

    ship(order, django_capture_on_commit_callbacks)

    assert not Invoice.objects.exists()
    assert invoice_calls(sandbox, order) == []


def test_an_invoice_that_cannot_be_written_does_not_stop_the_shipment(
    store, sandbox, django_capture_on_commit_callbacks
):
    legal_details(store, auto_upload=True, vat_number="")
    order = sandbox_order(store)

    ship(order, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert order.status == "shipped"
    assert not Invoice.objects.exists()
    assert order.events.get(kind="invoice_failed").message == (
        f"No invoice written: the invoice of order {order.order_number} needs the store's VAT "
        "number (store settings)"
    )
