"""An order's invoice: generated from the store's legal details, or the seller's own PDF;
then uploaded to Back Market through the outbox, once.

Numbers: each store has one gap-free sequence. The number is taken (an UPDATE of the
store's counter, which locks its row until commit) in the same transaction that writes the
invoice, so an invoice that fails to be written gives its number back with the rollback,
and two invoices written at once wait for each other and get consecutive numbers.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from shipdesk.invoices import pdf
from shipdesk.invoices.models import Invoice, InvoiceSettings
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.backmarket_updates import queue_update
from shipdesk.orders.history import record
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message

# Back Market takes a PDF; a scan of a few pages is far below this.
MAX_PDF_BYTES = 5 * 1024 * 1024


class InvoiceError(OrderActionError):
    """No invoice for this order, and why (in the user's words and language)."""


def settings_for(store) -> InvoiceSettings:
    """The store's invoice settings; empty and not yet saved when nobody set them (reading
    the store's page writes nothing)."""
    return InvoiceSettings.objects.filter(store=store).first() or InvoiceSettings(store=store)


def _lock(order: Order) -> None:
    # Serialises two people generating the same order's invoice at once.
    Order.objects.select_for_update().filter(pk=order.pk).values_list("pk").first()


def _take_number(settings: InvoiceSettings) -> int:
    """The next number of the store's sequence, under its row's lock (until commit)."""
    InvoiceSettings.objects.filter(pk=settings.pk).update(next_number=F("next_number") + 1)
    return InvoiceSettings.objects.values_list("next_number", flat=True).get(pk=settings.pk) - 1


def generate_invoice(order: Order, *, user=None, source: str = "user") -> Invoice:
    """The order's invoice: the existing one (same number) or a new one, numbered and
    written with its PDF in one transaction. Refused when the store's legal details are
    incomplete."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    settings = settings_for(order.store)
    if missing := settings.missing():
        raise InvoiceError(
            _("the invoice of order %(number)s needs the store's %(fields)s (store settings)")
            % {"number": order.order_number, "fields": ", ".join(missing)}
        )
    try:
        with transaction.atomic():
            _lock(order)
            existing = Invoice.objects.filter(order=order).first()
            if existing is not None:
                return existing
            sequence = _take_number(settings)
            invoice = Invoice(
                order=order,
                store=order.store,
                source=Invoice.Source.GENERATED,
                sequence=sequence,
                number=f"{settings.prefix}{sequence:06d}",
                language=order.buyer_language,
            )
            invoice.filename = _filename(f"invoice-{invoice.number}.pdf", order)
            document = pdf.render(invoice, settings)
            invoice.pdf, invoice.vat_type, invoice.total = (
                document.content,
                document.vat_type,
                document.total,
            )
            invoice.save()
            record(order, "invoice_generated", source=source, user=user, number=invoice.number)
    except IntegrityError:  # written meanwhile by another process: that one stands
        return Invoice.objects.get(order=order)
    return invoice


def check_pdf(data: bytes) -> None:
    """Refuse what is not a PDF of a sensible size."""
    if not data:
        raise InvoiceError(_("the invoice file is empty"))
    if len(data) > MAX_PDF_BYTES:
        raise InvoiceError(
            _("the invoice file is larger than %(size)s MB") % {"size": MAX_PDF_BYTES // 2**20}
        )
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise InvoiceError(_("the invoice file is not a PDF"))


def attach_seller_pdf(
    order: Order, data: bytes, filename: str = "", *, user=None, source: str = "user"
) -> Invoice:
    """The seller's own invoice PDF for the order. Refused when the order has an invoice
    already (a generated one keeps its number: Back Market gets that one)."""
    check_pdf(data)
    with transaction.atomic():
        _lock(order)
        existing = Invoice.objects.filter(order=order).first()
        if existing is not None:
            raise InvoiceError(
                _("order %(number)s has an invoice already (%(invoice)s)")
                % {"number": order.order_number, "invoice": existing}
            )
        invoice = Invoice.objects.create(
            order=order,
            store=order.store,
            source=Invoice.Source.SELLER,
            pdf=data,
            filename=_filename(filename, order),
        )
        record(order, "invoice_attached", source=source, user=user, filename=invoice.filename)
    return invoice


def _filename(name: str, order: Order) -> str:
    """A file name safe in a download's header and a multipart upload (a prefix or a
    seller's file may hold slashes or quotes); the order's when nothing usable is left."""
    try:
        safe = get_valid_filename(name or "")[-150:]
    except SuspiciousFileOperation:
        safe = ""
    return safe if safe.lower().endswith(".pdf") else f"invoice-{order.order_number}.pdf"


def upload_message(order: Order) -> Message | None:
    """The outbox message that takes the order's invoice to Back Market, if queued."""
    return Message.objects.filter(key=f"backmarket:invoice:{order.pk}").first()


def queue_upload(invoice: Invoice, *, user=None, source: str = "user") -> Message | None:
    """Send the invoice to Back Market through the outbox, once (queued again: the same
    message; a failed one is tried again). None for a manual order: Back Market does not
    know it."""
    return queue_update(
        invoice.order, "invoice", key=str(invoice.order_id), user=user, source=source
    )


def invoice_and_upload(
    order: Order, *, pdf_file: bytes | None = None, filename: str = "", user=None, source="user"
) -> tuple[Invoice, Message | None]:
    """What the order page, the command line and shipping do: the invoice (the seller's
    file, else generated) and its upload queued (see queue_upload), in one transaction."""
    with transaction.atomic():
        if pdf_file is not None:
            invoice = attach_seller_pdf(order, pdf_file, filename, user=user, source=source)
        else:
            invoice = generate_invoice(order, user=user, source=source)
        return invoice, queue_upload(invoice, user=user, source=source)


def upload_finished(message: Message, status: str, error: str) -> None:
    """Back Market took the invoice, or refused it for good: the order says so."""
    order = message.order
    invoice = Invoice.objects.filter(order=order).first()
    if status == "sent":
        now = timezone.now()
        with transaction.atomic():
            Invoice.objects.filter(order=order).update(uploaded_at=now)
            Order.objects.filter(pk=order.pk, bill_provided_at__isnull=True).update(
                bill_provided_at=now
            )
            record(order, "invoice_uploaded", source="backmarket", invoice=str(invoice or ""))
        return
    record(order, "invoice_upload_failed", source="backmarket", error=error)


def status(order: Order) -> dict:
    """What the order page says of the invoice: the invoice, its upload message and when
    Back Market had one (maybe from its back office)."""
    return {
        "invoice": Invoice.objects.filter(order=order).defer("pdf").first(),
        "message": upload_message(order),
        "provided_at": order.bill_provided_at,
    }
