"""Batches on the web: selected orders (or a whole tab or filter of the orders page) become
a batch processed by the worker, followed live; then its result (shipped, failed with the
reasons), its one PDF and pick list, reprint and void; and the history of batches. The
domain is `shipdesk.batches`."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shipdesk.batches import actions
from shipdesk.batches.models import Batch
from shipdesk.batches.tasks import start_batch
from shipdesk.carriers.models import CarrierAccount
from shipdesk.orders import quantities
from shipdesk.orders.models import Order
from shipdesk.web import order_list
from shipdesk.web.access import label_layout, shipper_required
from shipdesk.web.views.orders import TEXT, inline_pdf

SHOWN = 50  # orders listed on the new batch's page; the rest are counted


def _chosen_orders(params, user) -> tuple[list[Order], int]:
    """(the orders, how many matched): the `ids` given, or with `scope=view` the orders of
    the orders page's tab, search and filters (the page then posts their ids: the batch is
    the orders people saw)."""
    if params.get("scope") == "view":
        filters = order_list.filters_from(params, user=user)
        matching = order_list.filtered(filters).filter(order_list.TAB_FILTERS[filters.tab])
        orders = list(matching.order_by("order_date", "id")[: actions.MAX_ORDERS + 1])
        return orders, matching.count() if len(orders) > actions.MAX_ORDERS else len(orders)
    ids = quantities.ids(params.getlist("ids"))
    orders = list(Order.objects.filter(pk__in=ids, deleted=False).order_by("order_date", "id"))
    return orders, len(orders)


@require_http_methods(["GET", "POST"])
@shipper_required
def batch_new(request):
    """The batch about to be made: its orders, each with the service its rules chose, or
    one service for all; packing slips or not. Making it hands it to the worker."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        orders, count = _chosen_orders(params, request.user)
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    accounts = CarrierAccount.objects.filter(active=True).order_by("name")
    error = ""
    if request.method == "POST":
        try:
            batch = actions.create_batch(
                orders,
                user=request.user,
                **_service(params),
                with_slips="with_slips" in params,
                layout=_pdf_layout(request.user),
            )
        except (actions.BatchError, ValueError) as exc:
            error = str(exc)
        else:
            start_batch(batch)
            return redirect("web:batch", pk=batch.pk)
    if count > actions.MAX_ORDERS and not error:
        error = _("a batch takes at most %(max)d orders; %(count)d were selected") % {
            "max": actions.MAX_ORDERS,
            "count": count,
        }
    return render(
        request,
        "web/batches/new.html",
        {
            "orders": orders[:SHOWN],
            "count": count,
            "more": max(0, len(orders) - SHOWN),
            "without_service": sum(1 for o in orders if not _rules_service(o)),
            "ids": [o.pk for o in orders],
            "params": params,
            "accounts": accounts,
            "error": error,
        },
        status=400 if error else 200,
    )


def _pdf_layout(user) -> str | None:
    """The user's label layout for the batch's one PDF (ZPL is no PDF: the default then)."""
    layout = label_layout(user)
    return layout if layout in actions.BATCH_LAYOUTS else None


def _rules_service(order: Order) -> bool:
    return bool(order.carrier_account_id and order.service_code)


def _service(params) -> dict:
    """The batch's one service (`service` is "<account id>|<service code>"), or none: each
    order ships with the service its rules chose."""
    if params.get("service_from") != "one":
        return {}
    account_id, _sep, service = params.get("service", "").partition("|")
    account = None
    if account_id and service:
        account = CarrierAccount.objects.filter(pk=quantities.ids([account_id])[0]).first()
    if account is None:
        raise ValueError(_("Choose the service every order ships with."))
    return {"account": account, "service": service[:100]}


def _batch(pk: int) -> Batch:
    return get_object_or_404(Batch.objects.select_related("account", "created_by"), pk=pk)


def _entries(batch: Batch):
    return batch.batch_orders.select_related("order", "shipment").order_by("position")


@require_GET
@shipper_required
def batch_detail(request, pk: int):
    """A batch: its progress while the worker processes it (the page polls), then its
    result."""
    batch = _batch(pk)
    context = {"batch": batch, "entries": _entries(batch)}
    if request.headers.get("HX-Request"):
        return render(request, "web/batches/_batch.html", context)
    return render(request, "web/batches/detail.html", context)


def _pdf(make, batch: Batch, what: str):
    """`make(batch)`'s PDF, or why there is none (400)."""
    try:
        return inline_pdf(make(batch), f"batch-{batch.pk}-{what}.pdf")
    except actions.BatchError as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)


@require_GET
@shipper_required
def batch_labels(request, pk: int):
    """The batch's one PDF: its labels in pick order (with the packing slips if chosen)."""
    return _pdf(_kept_pdf, _batch(pk), "labels")


def _kept_pdf(batch: Batch) -> bytes:
    """The PDF the batch made (and a reprint remade), else one made now."""
    return bytes(batch.pdf) if batch.pdf else actions.batch_pdf(batch)


@require_GET
@shipper_required
def batch_picklist(request, pk: int):
    return _pdf(actions.batch_picklist_pdf, _batch(pk), "picklist")


@require_POST
@shipper_required
def batch_reprint(request, pk: int):
    """Make the batch's PDF again from its labels still valid."""
    batch = _batch(pk)
    try:
        actions.reprint_batch(batch)
    except actions.BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The PDF of batch %(id)s was made again: %(pages)d page(s).")
            % {"id": batch.pk, "pages": batch.pages},
        )
    return redirect("web:batch", pk=batch.pk)


@require_POST
@shipper_required
def batch_void(request, pk: int):
    """Void every label of the batch at its carrier; those the carrier refuses are said."""
    batch = _batch(pk)
    result = actions.void_batch(batch, user=request.user)
    if result.voided:
        messages.success(
            request,
            _("%(count)d label(s) of batch %(id)s voided.")
            % {"count": len(result.voided), "id": batch.pk},
        )
    for entry, reason in result.refused:
        messages.error(request, f"{entry.order.order_number}: {reason}")
    return redirect("web:batch", pk=batch.pk)


@require_GET
@shipper_required
def batch_list(request):
    """Every batch, newest first."""
    batches = Batch.objects.select_related("account", "created_by").defer("pdf")
    return render(
        request,
        "web/batches/list.html",
        {"page": Paginator(batches, 50).get_page(request.GET.get("page"))},
    )
