"""Carrier labels on the order page: the rates of every active account (loaded after the
page, so it stays fast), buying the chosen one, printing and reprinting it in the user's
layout (and on the configured printer), voiding it at the carrier."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.carriers import services
from shipdesk.carriers.models import CarrierAccount
from shipdesk.documents import labels as documents
from shipdesk.documents import printing
from shipdesk.orders import quantities
from shipdesk.orders.actions import OrderActionError
from shipdesk.shipping.models import Shipment
from shipdesk.web.access import label_layout, shipper_required
from shipdesk.web.views.orders import TEXT, _get_order

# A rate offered on the page: "<account id>|<service>|<price>" (the price is the one shown,
# kept when the carrier's label answer carries none).
RATE_FIELD = "rate"


def _layout(user, asked: str | None = None) -> str:
    """The layout asked for, else the user's preference."""
    return asked if asked in documents.LAYOUTS else label_layout(user)


def _weight(source) -> int | None:
    return quantities.grams(source.get("weight_grams") or None, name=_("Weight (g)"))


@require_GET
@shipper_required
def order_rates(request, pk: int):
    """Every active account's rates for the order, asked at once (htmx)."""
    order = _get_order(pk)
    try:
        weight = _weight(request.GET)
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    results = services.rates_for_order(order, weight_grams=weight)
    return render(
        request,
        "web/orders/_rates.html" if request.headers.get("HX-Request") else "web/orders/rates.html",
        {
            "order": order,
            "results": results,
            "weight": weight or order.total_weight_grams,
            "any_rate": any(r.rates for r in results),
        },
    )


def _chosen_rate(value: str) -> tuple[CarrierAccount, str, object]:
    """(account, service, price shown) from a rate field; ValueError when it is not one."""
    account_id, _sep, rest = (value or "").partition("|")
    service, _sep, price = rest.partition("|")
    if not account_id:
        raise ValueError(_("Choose one of the rates."))
    [account_pk] = quantities.ids([account_id])
    account = CarrierAccount.objects.filter(pk=account_pk, active=True).first()
    if account is None or not service:
        raise ValueError(_("Choose one of the rates."))
    return account, service[:100], quantities.money(price or None, name=_("Price"))


@require_POST
@shipper_required
def order_buy_label(request, pk: int):
    """Buy the chosen rate's label and ship the order with it, then offer to print it."""
    order = _get_order(pk)
    back = reverse("web:order", args=[order.pk])
    try:
        account, service, price = _chosen_rate(request.POST.get(RATE_FIELD, ""))
        weight = _weight(request.POST)
    except (ValueError, quantities.InvalidQuantity) as exc:
        messages.error(request, str(exc))
        return redirect(f"{back}#labels")
    try:
        result = services.ship_with_label(
            order,
            account,
            service,
            cost=price,
            weight_grams=weight,
            notify_customer=order.store.email_shipment_confirmation,
            user=request.user,
        )
    except OrderActionError as exc:
        messages.error(request, str(exc))
        return redirect(f"{back}#labels")
    if not result.ok:
        messages.error(
            request,
            _("%(account)s refused the label: %(reason)s")
            % {"account": account.name, "reason": "; ".join(str(m) for m in result.messages)},
        )
        return redirect(f"{back}#labels")
    messages.success(
        request,
        _("Label bought from %(account)s: %(tracking)s. Order %(number)s is shipped.")
        % {
            "account": account.name,
            "tracking": result.tracking_number,
            "number": order.order_number,
        },
    )
    _send_to_printer(request, result.shipment)
    return redirect(f"{back}?printed={result.shipment.pk}")


def send_to_printer(user, shipments: list[Shipment]) -> tuple[str, bool]:
    """The labels to the configured printer in the user's layout: (what to say, whether it
    failed); ("", False) when no printer is configured."""
    try:
        printed = printing.print_labels(shipments, layout=label_layout(user))
    except printing.PrintError as exc:
        return str(exc), True
    if printed is None:
        return "", False
    return _("Label sent to the printer %(printer)s.") % {"printer": printed.printer}, False


def _send_to_printer(request, shipment: Shipment) -> None:
    said, failed = send_to_printer(request.user, [shipment])
    if said:
        (messages.warning if failed else messages.info)(request, said)


def _labelled_shipment(pk: int, shipment_pk: int) -> Shipment:
    return get_object_or_404(
        Shipment.objects.select_related("order"), pk=shipment_pk, order_id=pk, order__deleted=False
    )


@require_GET
@shipper_required
def shipment_label(request, pk: int, shipment_pk: int):
    """The shipment's label in the user's layout (or `?layout=`), to print or print again."""
    shipment = _labelled_shipment(pk, shipment_pk)
    layout = _layout(request.user, request.GET.get("layout"))
    try:
        document = documents.label_document([shipment], layout=layout)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type=TEXT)
    response = HttpResponse(document, content_type=documents.media_type(layout))
    name = f"label-{shipment.order.order_number}-{shipment.tracking_number}"
    response["Content-Disposition"] = (
        f'inline; filename="{name}.{documents.file_extension(layout)}"'
    )
    return response


@require_POST
@shipper_required
def shipment_print(request, pk: int, shipment_pk: int):
    """Send the shipment's label to the configured printer again."""
    _send_to_printer(request, _labelled_shipment(pk, shipment_pk))
    return redirect(f"{reverse('web:order', args=[pk])}#shipments")


@require_POST
@shipper_required
def shipment_void(request, pk: int, shipment_pk: int):
    """Cancel the label at the carrier (when shipdesk bought it) and void the shipment."""
    shipment = _labelled_shipment(pk, shipment_pk)
    try:
        outcome = services.void_label(shipment, user=request.user)
    except OrderActionError as exc:
        messages.error(request, str(exc))
    else:
        if outcome.approved:
            messages.success(
                request,
                _("Shipment %(tracking)s voided: %(outcome)s.")
                % {"tracking": shipment.tracking_number, "outcome": outcome.message},
            )
        else:
            messages.error(
                request,
                _("Shipment %(tracking)s not voided: %(reason)s")
                % {"tracking": shipment.tracking_number, "reason": outcome.message},
            )
    return redirect(f"{reverse('web:order', args=[pk])}#shipments")
