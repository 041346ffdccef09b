"""Packing slips for printing from the browser."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest

from shipdesk.documents.packing_slips import PAPER_SIZES, render
from shipdesk.orders import quantities
from shipdesk.orders.models import Order


@login_required
def packing_slips_pdf(request):
    """`?orders=ID,ID,...&paper=A4|Letter`: one PDF, the orders in the order given."""
    try:
        ids = quantities.ids(v for v in request.GET.get("orders", "").split(",") if v.strip())
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(
            f"orders must be order ids separated by commas: {exc}",
            content_type="text/plain; charset=utf-8",
        )
    paper = request.GET.get("paper", "A4")
    if paper.upper() not in PAPER_SIZES:
        return HttpResponseBadRequest("paper must be A4 or Letter")
    by_id = Order.objects.filter(pk__in=ids, deleted=False).in_bulk()
    orders = [by_id[i] for i in ids if i in by_id]
    if not orders:
        return HttpResponseBadRequest("no such orders")
    response = HttpResponse(render(orders, paper=paper), content_type="application/pdf")
    name = f"packing-slip-{orders[0].order_number}" if len(orders) == 1 else "packing-slips"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
