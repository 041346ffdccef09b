"""Shipping an order: checks, then the shipment and the messages it sends in one transaction.

`check_shippable` is the one test of "can this order leave now?": the ship action and label
purchase both ask it, so a label is never bought for an order that cannot ship. The
shipment, its Back Market update, its customer email and its webhooks are written together
and sent by the outbox after commit; nothing is asked of Back Market inside the transaction
(BackShip's label is fetched before it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shipdesk.backmarket import BackMarketError
from shipdesk.backmarket.backship import LabelUnavailable, fetch_label
from shipdesk.backmarket.mapping import http_url
from shipdesk.backmarket.plan import plan_shipment
from shipdesk.notifications.emails import queue_shipment_confirmation
from shipdesk.notifications.webhooks import shipments_created
from shipdesk.orders import quantities
from shipdesk.orders.actions import (
    OrderActionError,
    accept_order,
    fill_identifiers_from_notes,
    lock,
    missing_identifiers,
)
from shipdesk.orders.backmarket_updates import queue_update
from shipdesk.orders.history import record
from shipdesk.orders.models import Order
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, CANCELLED, ON_HOLD, SHIPPED
from shipdesk.outbox.models import Message
from shipdesk.outbox.queue import withdraw
from shipdesk.shipping.carriers import clean_tracking_number, get_carrier
from shipdesk.shipping.models import Shipment
from shipdesk.stores.connection import client_for


def refuse_unless_shippable(order: Order) -> None:
    if order.status == CANCELLED:
        raise OrderActionError(
            _("order %(number)s is cancelled: do not ship it") % {"number": order.order_number}
        )
    if order.status == SHIPPED or order.shipments.filter(voided=False).exists():
        raise _already_shipped(order)
    if order.status == ON_HOLD:
        raise OrderActionError(
            _("order %(number)s is on hold: release it first") % {"number": order.order_number}
        )
    if order.status == AWAITING_PAYMENT:
        raise OrderActionError(
            _("order %(number)s is not paid yet: do not ship it") % {"number": order.order_number}
        )


def _already_shipped(order: Order) -> OrderActionError:
    return OrderActionError(
        _("order %(number)s is already shipped") % {"number": order.order_number}
    )


def _refuse_missing_identifiers(order: Order, problems: list[str]) -> None:
    missing = missing_identifiers(order)
    if missing:
        detail = "; ".join(problems)
        raise OrderActionError(
            _("cannot ship order %(number)s: missing IMEI / serial number for %(units)s")
            % {"number": order.order_number, "units": ", ".join(missing)}
            + (f" ({detail})" if detail else "")
        )


def check_shippable(order: Order, *, user=None, source: str = "user") -> list[str]:
    """Refuse (OrderActionError, saying why) an order that cannot ship now: cancelled,
    already shipped, on hold, not paid, or a phone unit without a valid IMEI / serial number.

    IMEIs written in Internal Notes are taken first, as shipping would; returns what was
    wrong with them, if anything, for the refusal under the lock to repeat.
    """
    refuse_unless_shippable(order)
    _filled, problems = fill_identifiers_from_notes(order, user=user, source=source)
    _refuse_missing_identifiers(order, problems)
    return problems


def _create_shipment(order: Order, **fields) -> Shipment:
    """The shipment row; the database refuses a second live one for the order."""
    try:
        with transaction.atomic():
            return Shipment.objects.create(order=order, **fields)
    except IntegrityError as exc:
        raise _already_shipped(order) from exc


def ship_order(
    order: Order,
    *,
    carrier_code: str,
    tracking_number: str = "",
    service_code: str = "",
    package_code: str = "",
    tracking_url: str | None = None,
    ship_date: date | None = None,
    shipment_cost: Decimal | str | float = 0,
    weight_grams: int | None = None,
    dimensions: tuple | None = None,
    notes_to_buyer: str | None = None,
    notify_customer: bool = False,
    notify_backmarket: bool = True,
    user=None,
    source: str = "user",
) -> Shipment:
    """Record a shipment and queue its Back Market notification; refuse with a clear message.

    Refused as `check_shippable` says. The checks run first on the order as the caller read
    it (nothing is asked of Back Market for an order that cannot ship), then again under the
    order's lock just before the shipment is written: of two people shipping the same order
    at once, the second is told it is already shipped. A unique constraint (one live
    shipment per order) backs this up.
    """
    try:
        carrier = get_carrier(carrier_code)
    except ValueError as exc:
        raise OrderActionError(str(exc)) from exc
    problems = check_shippable(order, user=user, source=source)
    # A manual order ships like any other, and Back Market is never told of it.
    notify_backmarket = notify_backmarket and order.store.is_backmarket
    label_url, label_pdf = "", None
    if order.is_backship:
        tracking_number, tracking_url, label_url, label_pdf = _backship_label(
            order, user=user, source=source
        )
    tracking_number = _checked_tracking_number(tracking_number)
    cost = _checked_cost(shipment_cost)
    with transaction.atomic():
        lock(order)
        refuse_unless_shippable(order)
        _refuse_missing_identifiers(order, problems)
        length, width, height = dimensions or (order.length_cm, order.width_cm, order.height_cm)
        if notes_to_buyer is not None:
            order.notes_to_buyer = notes_to_buyer
        shipment = _create_shipment(
            order,
            carrier_code=carrier.code,
            service_code=service_code,
            package_code=package_code,
            tracking_number=tracking_number,
            tracking_url=(tracking_url or carrier.tracking_url_for(tracking_number))[:300],
            ship_date=ship_date or timezone.localdate(),
            shipment_cost=cost,
            weight_grams=weight_grams or order.total_weight_grams,
            length_cm=length,
            width_cm=width,
            height_cm=height,
            notes_to_buyer=order.notes_to_buyer,
            notify_customer=notify_customer,
            notify_channel=notify_backmarket,
            label_url=label_url,
            label_pdf=label_pdf,
            created_by=user if getattr(user, "pk", None) else None,
        )
        _mark_shipped(shipment, user=user, source=source)
        _queue_messages(shipment, notify_backmarket=notify_backmarket, user=user, source=source)
    return shipment


def _mark_shipped(shipment: Shipment, *, user, source) -> None:
    """The order is shipped, with the shipment's carrier and service, and says so."""
    order = shipment.order
    order.status = SHIPPED
    order.carrier_code, order.service_code, order.package_code = (
        shipment.carrier_code,
        shipment.service_code,
        shipment.package_code,
    )
    order.save()
    record(
        order,
        "shipped",
        source=source,
        user=user,
        carrier=get_carrier(shipment.carrier_code).name,
        tracking=shipment.tracking_number,
        service=shipment.service_code,
        notify_backmarket=shipment.notify_channel,
        shipment=shipment.pk,
    )


def _checked_tracking_number(tracking_number: str) -> str:
    tracking_number = clean_tracking_number(tracking_number)
    if not tracking_number:
        raise OrderActionError(_("a tracking number is required"))
    if len(tracking_number) > 200:
        raise OrderActionError(_("the tracking number is longer than 200 characters"))
    return tracking_number


def _checked_cost(shipment_cost) -> Decimal:
    try:
        return quantities.money(shipment_cost, name=_("carrier fee")) or Decimal(0)
    except quantities.InvalidQuantity as exc:
        raise OrderActionError(str(exc)) from exc


def _queue_messages(shipment: Shipment, *, notify_backmarket: bool, user, source) -> None:
    """What a shipment tells, written with it: the customer's email, the webhooks, and Back
    Market's update (the IMEIs it cannot take said in the history)."""
    order = shipment.order
    queue_shipment_confirmation(shipment)
    shipments_created([shipment.pk])  # SHIP_NOTIFY webhooks
    if not notify_backmarket:
        return
    kept = plan_shipment(order.backmarket_lines()).kept_in_shipdesk
    if kept:
        record(order, "identifiers_kept", source=source, user=user, skus=list(kept))
    queue_update(order, "ship", key=str(shipment.pk), shipment=shipment, user=user, source=source)


def _backship_label(order: Order, *, user, source) -> tuple[str, str, str, bytes | None]:
    """BackShip: Back Market supplies the label and tracking once the lines are accepted.

    A step before the shipment's transaction: the acceptance is sent and answered first
    (refused: the order is not shipped, with Back Market's reason), then the label read and
    its PDF fetched, to be printed like any other label (refused: not shipped, and why)."""
    if order.awaiting_acceptance:
        accept_order(order, user=user, source=source)
    with client_for(order.store) as client:
        try:
            deliveries = client.list_deliveries(order.channel_order_id)
        except BackMarketError as exc:
            raise OrderActionError(
                _("cannot read the BackShip label from Back Market: %(reason)s") % {"reason": exc}
            ) from exc
        api_base_url = str(client.base_url)
    delivery = next((d for d in deliveries if d.trackingNumber), None)
    if delivery is None:
        raise OrderActionError(
            _("Back Market has no BackShip label for order %(number)s yet; try again shortly")
            % {"number": order.order_number}
        )
    label_url, label_pdf = http_url(delivery.labelUrl), None
    if label_url:
        try:
            label_pdf = fetch_label(
                label_url, api_base_url=api_base_url, user_agent=settings.BACKMARKET_USER_AGENT
            )
        except LabelUnavailable as exc:
            raise OrderActionError(
                _("cannot fetch the BackShip label of order %(number)s: %(reason)s")
                % {"number": order.order_number, "reason": exc}
            ) from exc
    return delivery.trackingNumber, http_url(delivery.trackingUrl), label_url, label_pdf


def void_shipment(shipment: Shipment, *, user=None, source: str = "user") -> Shipment:
    """Void a shipment; the order awaits shipment again. A reship notifies the new tracking.

    Made under the order's lock, like ship_order: two voids at once record one. An orderless
    shipment (a label bought without an order) is only marked voided, under its own lock.
    """
    if shipment.order_id is None:
        return _void_orderless(shipment)
    with transaction.atomic():
        order = lock(shipment.order)
        shipment.refresh_from_db(fields=["voided", "void_date"])
        if shipment.voided:
            raise OrderActionError(_("this shipment is already voided"))
        shipment.voided = True
        shipment.void_date = timezone.now()
        shipment.save(update_fields=["voided", "void_date"])
        withdraw(
            shipment.messages.filter(kind=Message.Kind.BACKMARKET),
            "shipment voided before delivery",
        )
        if not order.shipments.filter(voided=False).exists() and order.status == SHIPPED:
            order.status = AWAITING_SHIPMENT
            order.save(update_fields=["status", "modified_at"])
        record(
            order,
            "voided",
            source=source,
            user=user,
            tracking=shipment.tracking_number,
        )
    return shipment


def _void_orderless(shipment: Shipment) -> Shipment:
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if locked.voided:
            raise OrderActionError(_("this shipment is already voided"))
        shipment.voided = True
        shipment.void_date = timezone.now()
        shipment.save(update_fields=["voided", "void_date"])
    return shipment
