"""The label PDF of a shipment, for printing."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from shipdesk.shipping.models import Shipment


@login_required
def label_pdf(request, shipment_id: int):
    shipment = get_object_or_404(Shipment, pk=shipment_id)
    if not shipment.label_pdf:
        raise Http404("this shipment has no label PDF")
    response = HttpResponse(bytes(shipment.label_pdf), content_type="application/pdf")
    # A label bought without an order (the API's createlabel) is named by its tracking alone.
    number = f"{shipment.order.order_number}-" if shipment.order_id else ""
    filename = f"label-{number}{shipment.tracking_number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
