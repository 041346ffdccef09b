"""The pack station: a page for a USB barcode scanner (it types the code and Enter) and no
mouse. Scan the packing slip (or a label), then each unit; the last one buys and prints the
label and ships the order. The domain is `shipdesk.shipping.packing`; the page keeps nothing:
each answer is drawn from the order's history."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order
from shipdesk.shipping import packing
from shipdesk.web.access import shipper_required
from shipdesk.web.views.labels import send_to_printer


def _go(request, url: str):
    """To another page: htmx follows HX-Redirect, a plain form the redirect."""
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_http_methods(["GET", "POST"])
@shipper_required
def station(request):
    """Scan a packing slip or a tracking number to start packing its order."""
    error = ""
    code = request.POST.get("code", "").strip()
    if request.method == "POST":
        try:
            order = packing.find_order(code)
        except packing.PackingError as exc:
            error = str(exc)
        else:
            packing.start(order, code=code, user=request.user)
            return _go(request, reverse("web:pack_order", args=[order.pk]))
    template = (
        "web/packing/_start.html" if request.headers.get("HX-Request") else "web/packing/start.html"
    )
    return render(
        request,
        template,
        {"error": error, "code": code},
        # htmx swaps only 2xx answers: a refusal is drawn as one, loudly.
        status=400 if error and not request.headers.get("HX-Request") else 200,
    )


def _order(pk: int) -> Order:
    return get_object_or_404(Order.objects.filter(deleted=False), pk=pk)


def _last_scan(order: Order):
    """The last thing the station wrote for the order: what the page says first."""
    return (
        order.events.filter(kind__startswith="packing_")
        .exclude(kind=packing.DONE)
        .order_by("-id")
        .first()
    )


def _draw(
    request,
    state: packing.Packing,
    *,
    result: str = "",
    message: str = "",
    error: str = "",
    open_label: bool = False,
):
    """The station for `state`. Without a scan just made (a page load), it says what the
    last scan did, as the history has it."""
    if error:
        result = "refused"
    elif state.complete and state.shipment is not None:
        result = "done"
    elif not result and (event := _last_scan(state.order)) is not None:
        result = {packing.REFUSED: "refused", packing.PICKED: "waiting"}.get(event.kind, "ok")
        message = event.text
    context = {
        "packing": state,
        "order": state.order,
        "result": result,
        "message": message,
        "error": error,
        # A label just bought, and no printer took it: the browser opens it to print.
        "open_label": open_label,
    }
    htmx = request.headers.get("HX-Request")
    template = "web/packing/_station.html" if htmx else "web/packing/order.html"
    return render(request, template, context)


@shipper_required
def pack_order(request, pk: int):
    """The order being packed: its units, which are verified, and the scan field."""
    return _draw(request, packing.current(_order(pk)))


@require_POST
@shipper_required
def pack_scan(request, pk: int):
    """One scan: a unit verified or refused; the last one buys and prints the label. Once
    the order is shipped, the next scan is the next order's packing slip."""
    order = _order(pk)
    code = request.POST.get("code", "")
    state = packing.current(order)
    if state.complete and state.shipment is not None:
        return station(request)
    result = packing.scan(order, code, user=request.user)
    if result.ok and result.packing.complete:
        return _finish(request, result.packing, message=result.message)
    outcome = "refused" if not result.ok else "waiting" if result.waiting_for_identifier else "ok"
    return _draw(request, result.packing, result=outcome, message=result.message)


def _finish(request, state: packing.Packing, *, message: str = ""):
    """Buy the label with the rules' service and ship, then send the label to the printer,
    if there is one; an order labelled before (in a batch) is only verified."""
    labelled_before = state.shipment is not None
    try:
        shipment = packing.finish(state, user=request.user)
    except OrderActionError as exc:
        return _draw(request, state, error=str(exc), message=message)
    if labelled_before:
        message = _("Verified. Its label was bought before: %(tracking)s.") % {
            "tracking": shipment.tracking_number
        }
        return _draw(request, state, message=message)
    said, failed = send_to_printer(request.user, [shipment])
    return _draw(request, state, message=said or message, open_label=failed or not said)


@require_POST
@shipper_required
def pack_finish(request, pk: int):
    """Every unit verified but the label not bought (a refusal fixed since): try again."""
    return _finish(request, packing.current(_order(pk)))
