"""An order's invoice on its page: generate and upload, upload the seller's PDF, download."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.invoices import actions
from shipdesk.invoices.models import Invoice
from shipdesk.web.access import shipper_required
from shipdesk.web.views.orders import _back, _get_order, _run, inline_pdf


@require_POST
@shipper_required
def order_invoice(request, pk: int):
    """Generate the invoice (or keep the one there) and send it to Back Market."""
    order = _get_order(pk)
    return _run(
        request,
        order,
        lambda: actions.invoice_and_upload(order, user=request.user),
        _("Invoice ready; it is being sent to Back Market.")
        if order.store.is_backmarket
        else _("Invoice ready."),
    )


@require_POST
@shipper_required
def order_invoice_file(request, pk: int):
    """The seller's own invoice PDF, sent to Back Market."""
    order = _get_order(pk)
    upload = request.FILES.get("invoice")
    if upload is None:
        messages.error(request, _("Choose the invoice's PDF file."))
        return _back(order)
    if upload.size > actions.MAX_PDF_BYTES:  # refused before reading it into memory
        messages.error(
            request,
            _("the invoice file is larger than %(size)s MB")
            % {"size": actions.MAX_PDF_BYTES // 2**20},
        )
        return _back(order)
    return _run(
        request,
        order,
        lambda: actions.invoice_and_upload(
            order, pdf_file=upload.read(), filename=upload.name, user=request.user
        ),
        _("Invoice attached; it is being sent to Back Market."),
    )


@require_GET
@shipper_required
def order_invoice_pdf(request, pk: int):
    invoice = Invoice.objects.filter(order=_get_order(pk)).first()
    if invoice is None:
        raise Http404("no invoice")
    return inline_pdf(bytes(invoice.pdf), invoice.filename)
