"""Rates, labels and tracking for orders, through the store's carrier accounts.

What callers use: `rates` (one account), `rates_for_order` (every active account at once),
`buy_label` (the carrier call alone), `ship_with_label` (buy and record the shipment with
its label, tracking number and URL), `void_label`, `track` and `track_due` (the periodic
job). Carrier refusals come back as messages on the results.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shipdesk.carriers import gateway, mapping
from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.carriers.mapping import LabelResult, Rate, TrackingResult
from shipdesk.carriers.models import CarrierAccount, CarrierShipment
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.history import record
from shipdesk.orders.models import Order
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Warehouse

log = logging.getLogger(__name__)

# Tracking: how often one shipment is asked about, and for how long after shipping.
TRACK_EVERY = timedelta(hours=3)
TRACK_FOR = timedelta(days=45)
TRACK_BATCH = 10  # GLS takes at most 10 numbers per request
# A delivery found later than this (e.g. a carrier account added after the fact) is
# recorded, but the customer is not emailed about it days afterwards.
DELIVERY_EMAIL_WITHIN = timedelta(days=3)


# Accounts asked for rates at once: each waits on its carrier, not on this machine.
RATES_THREADS = 8
# Where `shipdesk sandbox` (and the demo's sandbox) listens by default.
SANDBOX_URL = "http://127.0.0.1:8765"


@dataclass
class RatesResult:
    rates: list[Rate] = field(default_factory=list)
    messages: list[CarrierMessage] = field(default_factory=list)


@dataclass
class AccountRates(RatesResult):
    """One account's rates for an order, or its messages saying why none."""

    account: CarrierAccount | None = None

    @property
    def chosen(self) -> Rate | None:
        """The rate of the service the order's rules chose, when this account offers it."""
        return next((rate for rate in self.rates if rate.chosen), None)


@dataclass
class VoidResult:
    approved: bool
    message: str
    messages: list[CarrierMessage] = field(default_factory=list)


def add_sandbox_account(
    name: str, *, url: str = SANDBOX_URL, latency_ms: int = 0, fail_rate: float = 0.0
) -> CarrierAccount:
    """A sandbox carrier account: no credentials, its labels from shipdesk's simulator of
    UPS in the sandbox at `url`, answering after `latency_ms` and refusing a `fail_rate`
    share of calls (both carried in the account's server URL). ValueError says what is
    wrong."""
    if not (isinstance(latency_ms, int) and 0 <= latency_ms <= 60_000):
        raise ValueError("the latency is a whole number of milliseconds from 0 to 60000")
    if not (math.isfinite(fail_rate) and 0 <= fail_rate <= 1):
        raise ValueError("the failure rate is a number from 0 to 1")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the sandbox URL must be an http(s) URL with a host, not {url!r}")
    if CarrierAccount.objects.filter(name=name).exists():
        raise ValueError(f"a carrier account named {name!r} exists already")
    account = CarrierAccount(
        name=name,
        carrier_code="sandbox",
        server_url=f"{url.strip().rstrip('/')}/carrier/ups/l{latency_ms}-f{round(fail_rate, 4):g}",
    )
    account.credentials = {}
    account.save()
    return account


def _warehouse(order: Order) -> Warehouse | None:
    return (
        order.warehouse
        or Warehouse.objects.filter(is_default=True).order_by("id").first()
        or Warehouse.objects.order_by("id").first()
    )


def _shipper(order: Order) -> tuple[dict | None, str]:
    warehouse = _warehouse(order)
    if warehouse is None or not (warehouse.street1 and warehouse.city and warehouse.postal_code):
        return None, ""
    store = order.store
    return (
        mapping.shipper_address(
            warehouse,
            company=store.company_name or store.name,
            phone=store.phone,
            email=store.email,
        ),
        warehouse.country,
    )


@dataclass(frozen=True)
class _Parcel:
    weight_grams: int | None
    dimensions_cm: tuple | None
    package_code: str
    weight_problem: str | None  # why there is no weight, naming what to fix


def _parcel(order: Order, weight_grams: int | None, dimensions_cm: tuple | None) -> _Parcel:
    """The parcel a label is for: the caller's weight and size, else the order's, else its
    products' (Order.parcel); a missing weight is reported, never guessed."""
    parcel = order.parcel()
    return _Parcel(
        weight_grams or parcel.weight_grams,
        dimensions_cm or parcel.dimensions_cm,
        parcel.package_code,
        None if weight_grams else parcel.weight_problem(order.order_number),
    )


def refusals(account: CarrierAccount, shipper: dict | None) -> list[CarrierMessage]:
    """Why no carrier can be asked: an inactive account, nowhere to ship from."""
    problems = []
    if not account.active:
        problems.append(CarrierMessage("INACTIVE", f"carrier account {account} is not active"))
    if shipper is None:
        problems.append(
            CarrierMessage(
                "NO_SHIP_FROM",
                "add a ship-from warehouse with street, postal code and city first",
            )
        )
    return problems


def _missing(
    order: Order, account: CarrierAccount, shipper, parcel: _Parcel
) -> list[CarrierMessage]:
    problems = refusals(account, shipper)
    if parcel.weight_problem:
        problems.append(CarrierMessage("NO_WEIGHT", str(parcel.weight_problem)))
    return problems


def _rate_request(
    order: Order, account: CarrierAccount, weight_grams: int | None, dimensions_cm: tuple | None
) -> tuple[dict | None, list[CarrierMessage]]:
    """The rate request for the order's parcel (reads the database), or what is missing."""
    shipper, _ = _shipper(order)
    parcel = _parcel(order, weight_grams, dimensions_cm)
    problems = _missing(order, account, shipper, parcel)
    if problems:
        return None, problems
    request = mapping.rate_request(
        order,
        shipper=shipper,
        weight_grams=parcel.weight_grams,
        dimensions_cm=parcel.dimensions_cm,
    )
    return request, []


def _ask_rates(account: CarrierAccount, request: dict | None, problems: list) -> AccountRates:
    """The carrier call alone (no database: safe in a thread of its own)."""
    if request is None:
        return AccountRates(messages=problems, account=account)
    details, messages = gateway.get_rates(account, request)
    return AccountRates(rates=mapping.rates(details), messages=messages, account=account)


def rates(
    order: Order,
    account: CarrierAccount,
    *,
    weight_grams: int | None = None,
    dimensions_cm: tuple | None = None,
) -> RatesResult:
    """The carrier's services and prices for this order's parcel, cheapest first."""
    result = _ask_rates(account, *_rate_request(order, account, weight_grams, dimensions_cm))
    return RatesResult(rates=result.rates, messages=result.messages)


def rates_for_order(
    order: Order,
    *,
    accounts=None,
    weight_grams: int | None = None,
    dimensions_cm: tuple | None = None,
) -> list[AccountRates]:
    """Every active account's rates for the order (or `accounts`'), in the accounts' order.

    The carriers are asked at the same time, from up to RATES_THREADS threads; an account
    that fails says so in its messages and the others are unaffected. The rate of the
    service the order's rules chose (its carrier account and service) is marked `chosen`.
    """
    if accounts is None:
        accounts = CarrierAccount.objects.filter(active=True)
    # The database is read here, in the caller's thread; the threads only wait on carriers.
    asks = [
        (account, *_rate_request(order, account, weight_grams, dimensions_cm))
        for account in accounts
    ]
    if not asks:
        return []
    with ThreadPoolExecutor(max_workers=min(RATES_THREADS, len(asks))) as pool:
        results = list(pool.map(lambda ask: _ask_rates(*ask), asks))
    for result in results:
        if order.carrier_account_id is not None and result.account.pk == order.carrier_account_id:
            for rate in result.rates:
                rate.chosen = rate.service == order.service_code
    return results


def buy_label(
    order: Order,
    account: CarrierAccount,
    service: str,
    *,
    weight_grams: int | None = None,
    dimensions_cm: tuple | None = None,
    label_format: str = "pdf",
) -> LabelResult:
    """Buy a label from the carrier, as a PDF or, for a thermal printer, in ZPL (when the
    carrier gives it). Records nothing: see ship_with_label."""
    if label_format not in mapping.LABEL_FORMATS:
        raise ValueError(f"unknown label format {label_format!r}; expected pdf or zpl")
    shipper, origin = _shipper(order)
    parcel = _parcel(order, weight_grams, dimensions_cm)
    problems = _missing(order, account, shipper, parcel)
    if problems:
        return LabelResult(service=service, messages=problems)
    request = mapping.shipment_request(
        order,
        service=service,
        shipper=shipper,
        weight_grams=parcel.weight_grams,
        dimensions_cm=parcel.dimensions_cm,
        origin_country=origin,
        ship_date=timezone.localdate(),
        karrio_carrier=account.karrio_carrier,
        label_format=label_format,
    )
    details, messages = gateway.create_shipment(account, request)
    return mapping.label_result(details, account.carrier_code, service, messages)


def ship_with_label(
    order: Order,
    account: CarrierAccount,
    service: str,
    *,
    package: str | None = None,
    label_format: str = "pdf",
    weight_grams: int | None = None,
    dimensions_cm: tuple | None = None,
    notes_to_buyer: str | None = None,
    notify_customer: bool = False,
    notify_backmarket: bool = True,
    cost=None,
    user=None,
    source: str = "user",
) -> LabelResult:
    """Buy a label and ship the order with it: tracking number and URL, cost and label
    (PDF on the shipment, or ZPL on its CarrierShipment with `label_format="zpl"`), Back
    Market notified (as shipping.actions.ship_order does). `cost` is the price of the rate
    chosen, used when the carrier's label answer carries none; `package` the package code
    recorded (by default the order's, else its product's).

    An order that cannot ship (`check_shippable`) is refused before any label is bought. The
    carrier's refusal comes back in `messages` (`ok` False, nothing recorded). If the order
    cannot be shipped after all once the label is bought (shipped meanwhile by someone
    else), the label is cancelled at the carrier when it allows it, and OrderActionError is
    raised.
    """
    from shipdesk.shipping.actions import check_shippable, ship_order

    check_shippable(order, user=user, source=source)
    result = buy_label(
        order,
        account,
        service,
        weight_grams=weight_grams,
        dimensions_cm=dimensions_cm,
        label_format=label_format,
    )
    if not result.ok:
        return result
    if result.cost is None and cost is not None:
        result.cost = mapping.money(cost)
    parcel = _parcel(order, weight_grams, dimensions_cm)
    try:
        with transaction.atomic():
            shipment = ship_order(
                order,
                carrier_code=account.carrier_code,
                tracking_number=result.tracking_number,
                tracking_url=result.tracking_url,
                service_code=service,
                package_code=parcel.package_code if package is None else package,
                shipment_cost=result.cost or 0,
                weight_grams=parcel.weight_grams,
                dimensions=parcel.dimensions_cm,
                notes_to_buyer=notes_to_buyer,
                notify_customer=notify_customer,
                notify_backmarket=notify_backmarket,
                user=user,
                source=source,
            )
            if result.label_pdf:
                shipment.label_pdf = result.label_pdf
                shipment.save(update_fields=["label_pdf"])
            keep_label(shipment, account, service, result)
            record(
                order,
                "label_bought",
                source=source,
                user=user,
                account=account.name,
                service=service,
                tracking=result.tracking_number,
                cost=f"{result.cost} {result.currency}".rstrip() if result.cost else "",
                shipment=shipment.pk,
            )
    except OrderActionError as exc:
        cancelled = cancel_at_carrier(account, result.shipment_identifier, service, result.meta)
        note = (
            "the label was cancelled at the carrier"
            if cancelled.approved
            else f"the label {result.tracking_number} could not be cancelled: {cancelled.message}"
        )
        raise OrderActionError(f"{exc} ({note})") from exc
    result.shipment = shipment
    return result


def keep_label(
    shipment: Shipment, account: CarrierAccount, service: str, result: LabelResult
) -> CarrierShipment:
    """The carrier's side of a shipment whose label was just bought (what void needs)."""
    return CarrierShipment.objects.create(
        shipment=shipment,
        account=account,
        label_bought=True,
        service=service,
        label_zpl=result.label_zpl,
        shipment_identifier=result.shipment_identifier,
        label_cost=result.cost,
        currency=result.currency,
        meta=result.meta,
    )


def cancel_at_carrier(
    account: CarrierAccount, identifier: str, service: str, meta: dict
) -> VoidResult:
    try:
        can_cancel = gateway.can_cancel(account)
    except ValueError as exc:
        return VoidResult(False, str(exc))
    if not can_cancel:
        return VoidResult(
            True,
            f"{account.get_carrier_code_display()} offers no cancellation through its API: "
            "the label is voided in shipdesk only; do not use it",
        )
    confirmation, messages = gateway.cancel_shipment(
        account,
        {"shipment_identifier": identifier, "service": service or None, "options": meta or {}},
    )
    if confirmation is not None and confirmation.success:
        return VoidResult(True, "label cancelled at the carrier", messages)
    reason = "; ".join(str(m) for m in messages) or "the carrier did not confirm"
    return VoidResult(False, f"the carrier refused to cancel the label: {reason}", messages)


def void_label(shipment: Shipment, *, user=None, source: str = "user") -> VoidResult:
    """Cancel the shipment's label at the carrier (when it has one), then void the shipment.

    When the carrier refuses, nothing changes here and the result says why.
    """
    from shipdesk.shipping.actions import void_shipment

    if shipment.voided:
        return VoidResult(False, "this shipment is already voided")
    carrier_shipment = CarrierShipment.objects.filter(shipment=shipment).first()
    if carrier_shipment is None or not carrier_shipment.label_bought:
        void_shipment(shipment, user=user, source=source)
        return VoidResult(True, "shipment voided (no carrier label to cancel)")
    outcome = cancel_at_carrier(
        carrier_shipment.account,
        carrier_shipment.shipment_identifier,
        carrier_shipment.service,
        carrier_shipment.meta,
    )
    if not outcome.approved:
        _record_if_order(
            shipment,
            "label_void_refused",
            source=source,
            tracking=shipment.tracking_number,
            reason=outcome.message,
            user=user,
            shipment=shipment.pk,
        )
        return outcome
    with transaction.atomic():
        carrier_shipment.label_voided_at = timezone.now()
        carrier_shipment.save(update_fields=["label_voided_at"])
        void_shipment(shipment, user=user, source=source)
        _record_if_order(
            shipment,
            "label_voided",
            source=source,
            tracking=shipment.tracking_number,
            outcome=outcome.message,
            user=user,
            shipment=shipment.pk,
        )
    return outcome


def _record_if_order(of: Shipment, kind: str, **params) -> None:
    """The order's history, when the shipment has an order (an orderless label has none)."""
    if of.order_id is not None:
        record(of.order, kind, **params)


# --- tracking ---------------------------------------------------------------------------


def account_for(shipment: Shipment) -> CarrierAccount | None:
    """The account that bought the label, else an active one for the same carrier."""
    carrier_shipment = CarrierShipment.objects.filter(shipment=shipment).first()
    if carrier_shipment is not None:
        return carrier_shipment.account if carrier_shipment.account.active else None
    return (
        CarrierAccount.objects.filter(carrier_code=shipment.carrier_code, active=True)
        .order_by("id")
        .first()
    )


def track(shipment: Shipment) -> TrackingResult:
    """Ask the carrier where the shipment is; record it, and its delivery (with the email)."""
    account = account_for(shipment)
    if account is None:
        return TrackingResult(
            shipment.tracking_number,
            messages=[CarrierMessage("NO_ACCOUNT", f"no active {shipment.carrier_code} account")],
        )
    return _track_batch(account, [shipment])[shipment.pk]


def _track_batch(account: CarrierAccount, shipments: list[Shipment]) -> dict[int, TrackingResult]:
    numbers = [s.tracking_number for s in shipments]
    details, messages = gateway.get_tracking(account, numbers)
    by_number = {"".join((d.tracking_number or "").split()): d for d in details}
    results = {}
    for shipment in shipments:
        found = by_number.get(shipment.tracking_number)
        if found is None:
            result = TrackingResult(shipment.tracking_number, messages=list(messages))
        else:
            result = mapping.tracking_result(found, [])
        _record_tracking(shipment, account, result)
        results[shipment.pk] = result
    return results


def _record_tracking(shipment: Shipment, account: CarrierAccount, result: TrackingResult) -> None:
    now = timezone.now()
    with transaction.atomic():
        carrier_shipment, _ = CarrierShipment.objects.get_or_create(
            shipment=shipment, defaults={"account": account}
        )
        carrier_shipment.last_tracked_at = now
        carrier_shipment.tracking_error = "; ".join(str(m) for m in result.messages)[:2000]
        if result.events or result.status:
            carrier_shipment.tracking_status = result.status
            carrier_shipment.tracking_events = result.events
        carrier_shipment.save()
        if not result.delivered:
            return
        delivered_at = result.delivered_at or now
        marked = Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=True).update(
            delivered_at=delivered_at
        )
        if not marked:
            return  # already recorded by an earlier run
        shipment.delivered_at = delivered_at
        if shipment.order_id is None:
            return  # an orderless parcel: no order history, no customer to email
        local = timezone.localtime(delivered_at)
        carrier = CARRIERS.get(shipment.carrier_code)
        record(
            shipment.order,
            "delivered",
            source="system",
            carrier=carrier.name if carrier else shipment.carrier_code,
            tracking=shipment.tracking_number,
            at=f"{local:%Y-%m-%d %H:%M}",
            shipment=shipment.pk,
        )
        if now - delivered_at <= DELIVERY_EMAIL_WITHIN:
            from shipdesk.notifications.emails import queue_delivery_notification

            queue_delivery_notification(shipment)


def shipments_to_track(now=None):
    """Shipped, not voided, not delivered, recent, with a carrier account able to track."""
    now = now or timezone.now()
    codes = set(CarrierAccount.objects.filter(active=True).values_list("carrier_code", flat=True))
    return (
        Shipment.objects.filter(
            voided=False,
            delivered_at__isnull=True,
            ship_date__gte=(now - TRACK_FOR).date(),
        )
        .filter(Q(carrier_shipment__isnull=False) | Q(carrier_code__in=codes))
        .filter(
            Q(carrier_shipment__isnull=True)
            | Q(carrier_shipment__last_tracked_at__isnull=True)
            | Q(carrier_shipment__last_tracked_at__lt=now - TRACK_EVERY)
        )
        .select_related("order__store")
        .order_by("ship_date", "id")
    )


def track_due(now=None, limit: int = 500) -> dict[str, int]:
    """Track what is due, a batch of numbers per account and request; count the outcomes."""
    groups: dict[int, tuple[CarrierAccount, list[Shipment]]] = {}
    for shipment in shipments_to_track(now)[:limit]:
        account = account_for(shipment)
        if account is None:
            continue
        groups.setdefault(account.pk, (account, []))[1].append(shipment)
    counts = {"tracked": 0, "delivered": 0, "errors": 0}
    for account, shipments in groups.values():
        for start in range(0, len(shipments), TRACK_BATCH):
            for result in _track_batch(account, shipments[start : start + TRACK_BATCH]).values():
                counts["tracked"] += 1
                counts["delivered"] += result.delivered
                counts["errors"] += bool(result.messages)
    return counts
