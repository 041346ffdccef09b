"""An invoice reaches Back Market (the sandbox, over HTTP) once, through the outbox; the next
import reads `date_bill_provided`."""

import httpx
import pytest

from shipdesk.invoices.actions import invoice_and_upload
from shipdesk.invoices.models import Invoice
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.sync.importer import import_orders
from shipdesk.web.labels import message_summary
from tests.invoices.helpers import legal_details, pdf_text
from tests.sync.returns import shipped_order

pytestmark = pytest.mark.django_db

SELLER_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def invoice_calls(sandbox, order) -> list[tuple[dict, int]]:
    """The invoice uploads of `order` the sandbox received: (logged body, status)."""
    log = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    path = f"/ws/orders/{order.channel_order_id}/invoice"
    return [(u["body"], u["status"]) for u in log if u["path"] == path]


def test_a_generated_invoice_is_uploaded_once_and_the_import_reads_it_back(store, sandbox):
    legal_details(store)
    order = shipped_order(store)
    assert order.bill_provided_at is None

    invoice, message = invoice_and_upload(order)
    engine.deliver_due()
    # Queued again (a second click, the command line): the same message, not sent again.
    assert invoice_and_upload(order)[1].pk == message.pk
    engine.deliver_due()

    [(body, status)] = invoice_calls(sandbox, order)
    assert (body, status) == ({"multipart_bytes": body["multipart_bytes"]}, 200)
    filename, received = sandbox.state.invoices[order.channel_order_id]
    assert (filename, received) == (invoice.filename, bytes(invoice.pdf))
    assert invoice.number in pdf_text(received)
    assert sandbox.state.order(order.channel_order_id)["date_bill_provided"] is not None
    message.refresh_from_db()
    assert (message.status, message_summary(message)) == ("sent", "Invoice")
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.uploaded_at is not None
    assert order.bill_provided_at == invoice.uploaded_at
    assert list(order.events.filter(kind="invoice_uploaded").values_list("message", flat=True)) == [
        f"Invoice {invoice.number} sent to Back Market."
    ]

    import_orders(store)
    order.refresh_from_db()
    provided = sandbox.state.order(order.channel_order_id)["date_bill_provided"]
    assert order.bill_provided_at.isoformat().replace("+00:00", "Z")[:19] == provided[:19]
    assert len(invoice_calls(sandbox, order)) == 1


def test_the_sellers_own_pdf_is_uploaded_as_is(store, sandbox):
    order = shipped_order(store)

    invoice, _message = invoice_and_upload(order, pdf_file=SELLER_PDF, filename="F-2026-17.pdf")
    engine.deliver_due()

    assert (invoice.source, invoice.number, invoice.filename) == ("seller", "", "F-2026-17.pdf")
    assert sandbox.state.invoices[order.channel_order_id] == ("F-2026-17.pdf", SELLER_PDF)
    assert [s for _b, s in invoice_calls(sandbox, order)] == [200]


def test_back_market_refusing_the_file_fails_the_upload_with_its_reason(store, sandbox):
    """A file that is not a PDF never leaves shipdesk; one that Back Market refuses anyway
    (here a row changed behind shipdesk's back) fails for a person to look at, not retried."""
    order = shipped_order(store)
    invoice, message = invoice_and_upload(order, pdf_file=SELLER_PDF)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=b"<html>not a pdf</html>")

    engine.deliver_due()

    message.refresh_from_db()
    assert message.status == "failed"
    refused = "the invoice must be a PDF file (HTTP 400, POST "
    assert message.last_error.startswith(refused)
    assert [s for _b, s in invoice_calls(sandbox, order)] == [400]
    said = order.events.filter(kind="invoice_upload_failed").get().message
    assert said.startswith(f"Back Market refused the invoice: {refused}")
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_an_invoice_uploaded_in_the_back_office_counts_as_provided(store, sandbox):
    order = shipped_order(store)
    pdf = b"%PDF-1.7\n%%EOF\n"
    answer = httpx.post(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}/invoice",
        files={"invoice": ("facture.pdf", pdf, "application/pdf")},
        headers={
            "Authorization": "Basic sandbox-token",
            "User-Agent": "BM-Seller-BackOffice;seller@example.com",
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    import_orders(store)

    order.refresh_from_db()
    assert order.bill_provided_at is not None
    assert not Invoice.objects.filter(order=order).exists()


def test_a_retry_after_a_lost_answer_does_not_send_the_invoice_again(store, sandbox):
    """The first try reached Back Market but its answer was lost (the message says it was
    tried): Back Market's copy of the order shows the invoice, so it is not sent twice."""
    order = shipped_order(store)
    _invoice, message = invoice_and_upload(order, pdf_file=SELLER_PDF)
    sandbox.state.upload_invoice(order.channel_order_id, "invoice.pdf", SELLER_PDF)
    Message.objects.filter(pk=message.pk).update(attempts=1)

    engine.deliver_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert invoice_calls(sandbox, order) == []
    assert order.events.filter(kind="invoice_uploaded").count() == 1


def test_the_sandbox_refuses_what_is_not_a_pdf_as_back_market_answers_errors(store, sandbox):
    order = shipped_order(store)
    url = f"{sandbox.url}/ws/orders/{order.channel_order_id}/invoice"
    headers = {
        "Authorization": "Basic sandbox-token",
        "User-Agent": "BM-Seller-Tests;seller@example.com",
    }

    not_pdf = httpx.post(
        url, files={"invoice": ("a.pdf", b"<html/>", "application/pdf")}, headers=headers
    )
    no_field = httpx.post(url, files={"file": ("a.pdf", SELLER_PDF)}, headers=headers)
    unknown = httpx.post(
        f"{sandbox.url}/ws/orders/1/invoice",
        files={"invoice": ("a.pdf", SELLER_PDF)},
        headers=headers,
    )

    assert (not_pdf.status_code, not_pdf.json()["error"]) == (
        400,
        {"code": "invalid_field", "message": "the invoice must be a PDF file"},
    )
    assert (no_field.status_code, no_field.json()["error"]) == (
        400,
        {"code": "missing_field", "message": "invoice is required (a multipart file field)"},
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert "requestId" in not_pdf.json()
    assert order.channel_order_id not in sandbox.state.invoices
    assert sandbox.state.order(order.channel_order_id)["date_bill_provided"] is None
