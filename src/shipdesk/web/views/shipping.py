"""Shipping: one order, a batch of selected orders, or a CSV of tracking numbers."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shipdesk.orders import quantities
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.csv_files import CsvFileError
from shipdesk.orders.models import Order, OrderItem
from shipdesk.orders.status import AWAITING_SHIPMENT
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.shipping.tracking_csv import ship_from_csv
from shipdesk.stores.models import Store
from shipdesk.web.access import shipper_required
from shipdesk.web.forms import BatchShipForm, TrackingImportForm, service_choices

REMEMBERED = ("carrier_code", "service_code", "package_code")


def ship_defaults(order: Order) -> dict:
    """The ship form's starting values: the store's last choices and the order's weight."""
    defaults = order.store.ship_defaults or {}
    return {
        **{key: defaults[key] for key in REMEMBERED if defaults.get(key)},
        "weight_grams": order.total_weight_grams,
        "ship_date": timezone.localdate(),
        "notify_customer": order.store.email_shipment_confirmation,
        "notify_backmarket": True,
    }


def remember(store: Store, kwargs: dict) -> None:
    """Keep the carrier, service and package used as the store's defaults."""
    chosen = {key: kwargs.get(key, "") for key in REMEMBERED}
    if {key: store.ship_defaults.get(key, "") for key in REMEMBERED} != chosen:
        store.ship_defaults = {**store.ship_defaults, **chosen}
        store.save(update_fields=["ship_defaults", "modified_at"])


def ship_one(order: Order, kwargs: dict, *, user) -> Shipment:
    shipment = ship_order(order, user=user, **kwargs)
    remember(order.store, kwargs)
    return shipment


@shipper_required
def batch_ship(request):
    """Ship the selected orders with one carrier and service; a tracking number each."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = quantities.ids(source.getlist("ids"))
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    orders = list(
        Order.objects.filter(pk__in=ids, deleted=False)
        .select_related("store", "ship_to")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")))
        .order_by("order_date")
    )
    shippable = [o for o in orders if o.status == AWAITING_SHIPMENT]
    skipped = [o for o in orders if o.status != AWAITING_SHIPMENT]
    initial = ship_defaults(shippable[0]) if shippable else {}
    form = BatchShipForm(request.POST or None, initial=initial)
    results = []
    if request.method == "POST" and form.is_valid():
        for order in shippable:
            tracking = request.POST.get(f"tracking_{order.pk}", "").strip()
            if not tracking:
                results.append((order, False, _("No tracking number: not shipped.")))
                continue
            try:
                weight = quantities.grams(
                    request.POST.get(f"weight_{order.pk}"), name=_("Weight (g)")
                )
                kwargs = {**form.ship_kwargs(), "tracking_number": tracking, "weight_grams": weight}
                shipment = ship_one(order, kwargs, user=request.user)
            except (quantities.InvalidQuantity, OrderActionError) as exc:
                results.append((order, False, str(exc)))
            else:
                results.append(
                    (
                        order,
                        True,
                        _("Shipped with %(tracking)s.") % {"tracking": shipment.tracking_number},
                    )
                )
        shipped = sum(1 for _order, ok, _message in results if ok)
        messages.info(
            request,
            _("%(shipped)d of %(total)d order(s) shipped.")
            % {"shipped": shipped, "total": len(results)},
        )
    return render(
        request,
        "web/shipping/batch.html",
        {
            "form": form,
            "orders": shippable,
            "skipped": skipped,
            "results": results,
            "values": request.POST,
        },
    )


@shipper_required
def tracking_import(request):
    """Every row is checked first; the valid ones ship, each refused one is listed by line."""
    form = TrackingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = ship_from_csv(
                form.cleaned_data["file"],
                notify_backmarket=form.cleaned_data["notify_backmarket"],
                user=request.user,
            )
        except CsvFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.info(
                request,
                _("%(shipped)d order(s) shipped, %(refused)d refused.")
                % {"shipped": result.shipped, "refused": result.refused},
            )
    return render(
        request,
        "web/shipping/import.html",
        {"form": form, "result": result},
        status=400 if form.errors else 200,
    )


@require_GET
@shipper_required
def carrier_services(request):
    """The service options of a carrier, for the ship form (htmx)."""
    return render(
        request,
        "web/shipping/_services.html",
        {"choices": service_choices(request.GET.get("carrier_code", "")), "selected": ""},
    )
