"""The orders page, an order's detail and what people do to orders. Each action calls one
domain function and shows its answer."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.documents import printing
from shipdesk.invoices.actions import status as invoice_status
from shipdesk.orders import actions, quantities
from shipdesk.orders.actions import DuplicateIdentifier, OrderActionError, identifier_needs
from shipdesk.orders.history import RETURN_REASONS
from shipdesk.orders.imei import normalise_imei
from shipdesk.orders.models import ItemUnit, Order, OrderEvent, OrderItem, Tag
from shipdesk.orders.status import AWAITING_SHIPMENT
from shipdesk.outbox.models import Message
from shipdesk.rules.apply import apply_rules_to, chosen_by
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store
from shipdesk.web import labels, order_list
from shipdesk.web.access import admin_required, shipper_required
from shipdesk.web.forms import ShipForm
from shipdesk.web.views.shipping import ship_defaults, ship_one

FILTER_CHOICES_KEY = "web:orders:filter-choices"
FILTER_CHOICES_TTL = 600
FILTER_CHOICES_SAMPLE = 2000
TEXT = "text/plain; charset=utf-8"


def _filter_choices(filters: order_list.Filters) -> dict:
    """Countries and requested services seen on the latest orders, for the filter lists.

    Read from the newest orders through the order-date index (a distinct over every order
    would read the whole table) and cached; the value in use is always offered.
    """

    def compute():
        recent = Order.objects.order_by("-order_date").values("pk")[:FILTER_CHOICES_SAMPLE]
        rows = Order.objects.filter(pk__in=recent).values_list(
            "ship_to__country", "requested_shipping_service"
        )
        return {
            "countries": sorted({country for country, _service in rows if country}),
            "services": sorted({service for _country, service in rows if service}),
        }

    choices = cache.get_or_set(FILTER_CHOICES_KEY, compute, FILTER_CHOICES_TTL)
    return {
        "countries": sorted(
            {*choices["countries"], *([filters.country] if filters.country else [])}
        ),
        "services": sorted({*choices["services"], *([filters.service] if filters.service else [])}),
    }


@require_GET
@shipper_required
def order_list_view(request):
    try:
        filters = order_list.filters_from(request.GET, user=request.user)
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    page = order_list.order_page(filters)
    tabs = [
        (key, label, page.counts[key])
        for key, label in order_list.TABS
        if key != order_list.AWAITING_PAYMENT or page.counts[key]
    ]
    return render(
        request,
        "web/orders/list.html",
        {
            "filters": filters,
            "page": page,
            "tabs": tabs,
            "tab_label": dict(order_list.TABS)[filters.tab],
            "sorts": [(key, label) for key, (label, _order) in order_list.SORTS.items()],
            "page_sizes": order_list.PAGE_SIZES,
            "stores": Store.objects.only("pk", "name"),
            "choices": _filter_choices(filters),
            "status_labels": labels.STATUS,
        },
    )


def local_url(request, url: str | None, default: str) -> str:
    """`url` if it stays on this site (a `next` field must not send people elsewhere)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _selected(ids: list[int]) -> list[Order]:
    return list(
        Order.objects.filter(pk__in=ids, deleted=False)
        .select_related("store")
        .prefetch_related("items")
        .order_by("order_date")
    )


@require_POST
@shipper_required
def order_bulk(request):
    """Accept, hold or release the selected orders; or go on to print or ship them."""
    try:
        orders = _selected(quantities.ids(request.POST.getlist("ids")))
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    action = request.POST.get("action")
    back = local_url(request, request.POST.get("next"), reverse("web:orders"))
    if not orders:
        messages.warning(request, _("Select at least one order."))
        return redirect(back)
    ids = "&".join(f"ids={o.pk}" for o in orders)
    if action == "print":
        return redirect(f"{reverse('web:packing_slips')}?{ids}")
    if action == "ship":
        return redirect(f"{reverse('web:batch_ship')}?{ids}")
    if action == "batch":
        return redirect(f"{reverse('web:batch_new')}?{ids}")
    if action == "rules":
        return _apply_rules(request, orders, back)
    perform = {
        "accept": lambda o: actions.accept_order(o, user=request.user),
        "hold": lambda o: actions.hold(o, user=request.user),
        "release": lambda o: actions.release(o, user=request.user),
    }.get(action)
    if perform is None:
        return HttpResponseBadRequest("unknown action")
    done, refused = 0, []
    for order in orders:
        try:
            perform(order)
            done += 1
        except OrderActionError as exc:
            refused.append(f"{order.order_number}: {exc}")
    if done:
        messages.success(
            request,
            {
                "accept": _("%(count)d order(s) accepted on Back Market."),
                "hold": _("%(count)d order(s) put on hold."),
                "release": _("%(count)d order(s) released from hold."),
            }[action]
            % {"count": done},
        )
    for problem in refused:
        messages.error(request, problem)
    return redirect(back)


def _apply_rules(request, orders: list[Order], back: str):
    outcome = apply_rules_to(orders, user=request.user)
    changed = sum(any(a.set for a in applied) for _order, applied in outcome.applied)
    if outcome.applied:
        messages.success(
            request,
            _("Shipping rules applied to %(count)d order(s): %(changed)d changed.")
            % {"count": len(outcome.applied), "changed": changed},
        )
    for _order, reason in outcome.refused:
        messages.error(request, reason)
    return redirect(back)


def _get_order(pk: int) -> Order:
    return get_object_or_404(
        Order.objects.filter(deleted=False)
        .select_related("store", "ship_to", "bill_to", "warehouse", "carrier_account")
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")), "tags"
        ),
        pk=pk,
    )


def _order_context(order: Order, *, ship_form: ShipForm | None = None) -> dict:
    identifier_items = identifier_needs(order)
    units = [
        (item, unit)
        for item, needed in identifier_items
        if needed or any(u.imei or u.serial_number for u in item.units.all())
        for unit in item.units.all()
    ]
    notifications = list(
        Message.objects.filter(order=order, kind=Message.Kind.BACKMARKET).with_attempts()
    )
    shippable = order.status == AWAITING_SHIPMENT
    if ship_form is None and shippable:
        ship_form = ShipForm(initial=ship_defaults(order))
    return {
        "order": order,
        "items": order.items.all(),
        "units": units,
        "missing": actions.missing_identifiers(order) if shippable else [],
        # What shipping will take from the Internal Notes, shown before it does.
        "notes_reading": actions.read_identifiers_from_notes(order) if shippable else None,
        "shipments": Shipment.objects.filter(order=order)
        .select_related("carrier_shipment")
        .order_by("-created_at"),
        "printer": printing.configured_printer(),
        "notifications": notifications,
        "invoice_status": invoice_status(order),
        "events": order.events.select_related("user").order_by("-at", "-id"),
        "tags": Tag.objects.order_by("name"),
        "chosen_by": chosen_by(order),
        "ship_form": ship_form,
        "shippable": shippable,
        "status_labels": labels.STATUS,
        "line_states": labels.LINE_STATE,
        "return_reasons": [(int(code), name) for code, name in RETURN_REASONS.items()],
        "event_sources": labels.EVENT_SOURCE,
        "notification_labels": labels.NOTIFICATION,
    }


@require_GET
@shipper_required
def order_detail(request, pk: int):
    order = _get_order(pk)
    context = _order_context(order)
    # Just bought: its label's print link comes first (see labels.order_buy_label).
    try:
        context["printed"] = quantities.ids([request.GET.get("printed", "")])[0]
    except quantities.InvalidQuantity:
        context["printed"] = None
    return render(request, "web/orders/detail.html", context)


def _back(order: Order):
    return redirect("web:order", pk=order.pk)


def _run(request, order: Order, action, success: str):
    try:
        action()
    except OrderActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return _back(order)


@require_POST
@shipper_required
def order_accept(request, pk: int):
    order = _get_order(pk)
    return _run(
        request,
        order,
        lambda: actions.accept_order(order, user=request.user),
        _("Order accepted on Back Market."),
    )


@require_POST
@shipper_required
def order_hold(request, pk: int):
    order = _get_order(pk)
    until = None
    if request.POST.get("until"):
        try:
            until = date.fromisoformat(request.POST["until"])
        except ValueError:
            messages.error(request, _("The hold date is not a date."))
            return _back(order)
    return _run(
        request,
        order,
        lambda: actions.hold(order, until=until, user=request.user),
        _("Order put on hold."),
    )


@require_POST
@shipper_required
def order_release(request, pk: int):
    order = _get_order(pk)
    return _run(
        request,
        order,
        lambda: actions.release(order, user=request.user),
        _("Order released from hold."),
    )


def _line_update(request, pk: int, update, success: str):
    """Send Back Market an update of the form's line (`sku`): `update(order, sku)`."""
    order = _get_order(pk)
    sku = request.POST.get("sku", "")
    return _run(request, order, lambda: update(order, sku), success % {"sku": sku})


@require_POST
@shipper_required
def order_cancel_line(request, pk: int):
    return _line_update(
        request,
        pk,
        lambda order, sku: actions.cancel_line(order, sku=sku, user=request.user),
        _("Line %(sku)s cancelled on Back Market."),
    )


@require_POST
@shipper_required
def order_refund_line(request, pk: int):
    return _line_update(
        request,
        pk,
        lambda order, sku: actions.refund_line(
            order,
            sku=sku,
            reason=request.POST.get("reason") or None,
            message=request.POST.get("message", "").strip(),
            user=request.user,
        ),
        _("Line %(sku)s refunded on Back Market."),
    )


@require_POST
@shipper_required
def order_notes(request, pk: int):
    order = _get_order(pk)
    actions.set_notes(
        order,
        internal=request.POST.get("internal_notes", order.internal_notes),
        to_buyer=request.POST.get("notes_to_buyer", order.notes_to_buyer),
        user=request.user,
    )
    messages.success(request, _("Notes saved."))
    return _back(order)


@require_POST
@shipper_required
def order_tag_add(request, pk: int):
    order = _get_order(pk)
    name = request.POST.get("name", "").strip()[:50]
    if not name:
        messages.error(request, _("Give the tag a name."))
        return _back(order)
    tag, _created = Tag.objects.get_or_create(name=name)
    actions.add_tag(order, tag, user=request.user)
    return _back(order)


@require_POST
@shipper_required
def order_tag_remove(request, pk: int, tag_pk: int):
    order = _get_order(pk)
    actions.remove_tag(order, get_object_or_404(Tag, pk=tag_pk), user=request.user)
    return _back(order)


@require_POST
@shipper_required
def unit_identifier(request, pk: int, unit_pk: int):
    """Record a unit's IMEI (digits) or serial number (anything else), as scanned or typed."""
    order = _get_order(pk)
    unit = get_object_or_404(ItemUnit.objects.select_related("item"), pk=unit_pk, item__order=order)
    value = request.POST.get("value", "").strip()
    error, duplicate = "", False
    if value:
        kind = {"imei": value} if normalise_imei(value).isdigit() else {"serial_number": value}
        try:
            unit = actions.set_identifier(
                order,
                sku=unit.item.sku,
                unit=unit.index + 1,
                allow_duplicate=request.POST.get("allow_duplicate") == "1",
                user=request.user,
                **kind,
            )
        except OrderActionError as exc:
            # The page's override for a reused value is its "Use it anyway" button.
            error, duplicate = str(exc), isinstance(exc, DuplicateIdentifier)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/orders/_unit.html",
            {
                "order": order,
                "item": unit.item,
                "unit": unit,
                "error": error,
                "duplicate": duplicate,
                "value": value,
                "missing": actions.missing_identifiers(order),
                "refresh_missing": order.status == AWAITING_SHIPMENT,
            },
        )
    if error:
        messages.error(request, error)
    return _back(order)


@require_POST
@shipper_required
def order_ship(request, pk: int):
    order = _get_order(pk)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the shipping form."))
        return render(
            request,
            "web/orders/detail.html",
            _order_context(order, ship_form=form),
            status=400,
        )
    try:
        shipment = ship_one(order, form.ship_kwargs(), user=request.user)
    except OrderActionError as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "web/orders/detail.html",
            _order_context(order, ship_form=form),
            status=400,
        )
    messages.success(
        request,
        _("Order %(number)s shipped with %(tracking)s.")
        % {"number": order.order_number, "tracking": shipment.tracking_number},
    )
    return _back(order)


def _packing_slips(request, orders: list[Order]):
    try:
        from shipdesk.documents import packing_slips
    except ImportError:
        return HttpResponse(
            _("Packing slips are not available yet in this installation."),
            status=501,
            content_type="text/plain; charset=utf-8",
        )
    try:
        pdf = packing_slips.render(orders, paper=request.GET.get("paper", "A4"))
    except ValueError as exc:  # an unknown paper size
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    name = (
        f"packing-slip-{orders[0].order_number}.pdf"
        if len(orders) == 1
        else f"packing-slips-{timezone.localdate():%Y%m%d}.pdf"
    )
    return inline_pdf(pdf, name)


def inline_pdf(content: bytes, name: str) -> HttpResponse:
    """A PDF the browser shows (to print), saved as `name`."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
@shipper_required
def packing_slip(request, pk: int):
    return _packing_slips(request, [_get_order(pk)])


@require_GET
@shipper_required
def packing_slips(request):
    try:
        ids = quantities.ids(request.GET.getlist("ids"))
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    orders = list(
        Order.objects.filter(pk__in=ids, deleted=False)
        .select_related("store", "ship_to", "bill_to")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")))
        .order_by("order_date")
    )
    if not orders:
        return HttpResponseBadRequest(_("Select at least one order."))
    return _packing_slips(request, orders)


@require_GET
@admin_required
def deleted_orders(request):
    """Orders deleted through the API or the UI, newest deletion first, to restore."""
    deletion = OrderEvent.objects.filter(order=OuterRef("pk"), kind="deleted").order_by("-at")
    deleted = (
        Order.objects.filter(deleted=True)
        .annotate(deleted_at=Subquery(deletion.values("at")[:1]))
        .select_related("store", "ship_to")
        .order_by(F("deleted_at").desc(nulls_last=True), "-id")
    )
    return render(
        request,
        "web/orders/deleted.html",
        {
            "page": Paginator(deleted, 50).get_page(request.GET.get("page")),
            "status_labels": labels.STATUS,
        },
    )


@require_POST
@admin_required
def order_restore(request, pk: int):
    order = get_object_or_404(Order, pk=pk)
    try:
        actions.restore_order(order, user=request.user)
    except OrderActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Order %(number)s restored: it is back in the order lists.")
            % {"number": order.order_number},
        )
    return redirect("web:deleted_orders")
