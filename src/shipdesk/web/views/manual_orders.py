"""Manual orders from the web UI: create one, and edit it until it ships (orders.manual)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shipdesk.orders import manual
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order
from shipdesk.web.access import shipper_required
from shipdesk.web.manual_order_forms import (
    ManualItemFormSet,
    ManualOrderForm,
    initial_of,
    manual_order_data,
)


def _form(request, order: Order | None = None):
    if request.method == "POST":
        return ManualOrderForm(request.POST), ManualItemFormSet(request.POST, prefix="items")
    if order is None:
        return ManualOrderForm(), ManualItemFormSet(prefix="items")
    initial, items = initial_of(order)
    return ManualOrderForm(initial=initial), ManualItemFormSet(initial=items, prefix="items")


def _save(request, order: Order | None):
    """Show the form; on a valid POST, create or replace the order; refusals re-render."""
    form, items = _form(request, order)
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = manual_order_data(form, items)
        try:
            if order is None:
                order = manual.create_manual_order(data, user=request.user)
                messages.success(
                    request,
                    _("Manual order %(number)s created.") % {"number": order.order_number},
                )
            else:
                manual.update_manual_order(order, data, user=request.user)
                messages.success(
                    request, _("Manual order %(number)s saved.") % {"number": order.order_number}
                )
        except OrderActionError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("web:order", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/orders/manual_form.html",
        {"form": form, "items": items, "order": order},
        status=status,
    )


@shipper_required
def manual_order_new(request):
    return _save(request, None)


@shipper_required
def manual_order_edit(request, pk: int):
    order = get_object_or_404(Order.objects.select_related("store", "ship_to"), pk=pk)
    if not manual.is_manual(order):
        raise Http404("not a manual order")
    if request.method == "GET" and not manual.can_edit(order):
        messages.error(
            request,
            _("Order %(number)s is shipped: it can no longer be edited.")
            % {"number": order.order_number},
        )
        return redirect("web:order", pk=order.pk)
    return _save(request, order)
