"""The pack station: scan to verify, then ship with the service the rules chose.

The packer scans the packing slip (its Code 128 barcode is the order number) or a label's
tracking number, then each unit: its product barcode (SKU or UPC) or its IMEI / serial
number. A phone unit is verified by its IMEI / serial number: one recorded on the order
must match; one not recorded yet is validated and saved for that unit (scanning the product
first says which line it belongs to when several phone lines wait for one). A code that is
not in the order, or one unit too many, is refused. Once every unit is verified the label
is bought with the order's carrier account and service and the order ships (an order whose
label was bought before, in a batch, is only verified).

Every scan is an entry of the order's history, and the history is the packing's state: the
entries since the order was last scanned at the station (`packing_started`) say which units
are verified and which line waits for an IMEI. Nothing is kept in memory: a reload, a
second screen or a restarted server carry on where the packer was.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from shipdesk.carriers import services
from shipdesk.orders.actions import DuplicateIdentifier, OrderActionError, identifier_needs
from shipdesk.orders.actions import set_identifier as save_identifier
from shipdesk.orders.history import record
from shipdesk.orders.imei import imei_error, normalise_imei, serial_error
from shipdesk.orders.models import ItemUnit, Order, OrderEvent, OrderItem, Product
from shipdesk.orders.status import CANCELLED
from shipdesk.shipping.actions import refuse_unless_shippable
from shipdesk.shipping.carriers import clean_tracking_number
from shipdesk.shipping.models import Shipment

STARTED = "packing_started"
VERIFIED = "packing_unit_verified"
PICKED = "packing_product_scanned"  # a phone line's product, waiting for its IMEI
REFUSED = "packing_refused"
DONE = "packing_verified"
MAX_CODE = 200


class PackingError(Exception):
    """The scan finds no order to pack; the message says why, in the packer's language."""


@dataclass
class PackUnit:
    item: OrderItem
    unit: ItemUnit
    needs_identifier: bool
    verified: bool = False

    @property
    def number(self) -> int:
        return self.unit.index + 1

    @property
    def identifier(self) -> str:
        return self.unit.imei or self.unit.serial_number


@dataclass
class Packing:
    """An order at the pack station: its units, which are verified, which line waits for
    an IMEI, and the live shipment when its label was bought before (a batch)."""

    order: Order
    units: list[PackUnit]
    picked: OrderItem | None = None
    shipment: Shipment | None = None

    @property
    def complete(self) -> bool:
        return all(u.verified for u in self.units)

    @property
    def verified_count(self) -> int:
        return sum(u.verified for u in self.units)

    def open_units(self, item: OrderItem | None = None) -> list[PackUnit]:
        return [u for u in self.units if not u.verified and (item is None or u.item.pk == item.pk)]


@dataclass
class ScanResult:
    """What one scan did: `ok` (a unit verified, or a product picked), or refused; `message`
    is the history entry's text, in the packer's language."""

    ok: bool
    packing: Packing
    event: OrderEvent
    unit: PackUnit | None = None
    waiting_for_identifier: bool = False

    @property
    def message(self) -> str:
        return self.event.text


def _clean(code: str) -> str:
    return (code or "").strip()[:MAX_CODE]


def _live_shipment(order: Order) -> Shipment | None:
    return order.shipments.filter(voided=False).order_by("-id").first()


def find_order(code: str) -> Order:
    """The order a packing slip's barcode (its order number) or a label's tracking number
    names; PackingError when none, or when it must not be packed (cancelled, on hold...)."""
    code = _clean(code)
    if not code:
        raise PackingError(_("Scan a packing slip or a tracking number."))
    live = Order.objects.filter(deleted=False)
    by_number = list(live.filter(order_number=code).exclude(status=CANCELLED)[:2])
    if not by_number:
        by_number = list(live.filter(order_number=code)[:1])
    if len(by_number) > 1:
        raise PackingError(
            _("Order number %(number)s is in several stores: scan its tracking number instead.")
            % {"number": code}
        )
    order = by_number[0] if by_number else None
    if order is None:
        shipment = (
            Shipment.objects.filter(
                tracking_number=clean_tracking_number(code), voided=False, order__deleted=False
            )
            .select_related("order")
            .first()
        )
        order = shipment.order if shipment else None
    if order is None:
        raise PackingError(_("No order or tracking number %(code)s.") % {"code": code})
    if _live_shipment(order) is None:
        try:
            refuse_unless_shippable(order)
        except OrderActionError as exc:
            raise PackingError(str(exc)) from exc
    return order


def start(order: Order, *, code: str = "", user=None) -> Packing:
    """Begin (or begin again) packing the order: no unit verified yet."""
    record(order, STARTED, source="user", user=user, code=_clean(code) or order.order_number)
    return current(order)


def current(order: Order) -> Packing:
    """The order's packing as its history says since it was last scanned at the station
    (the order, its lines and units read afresh)."""
    order = (
        Order.objects.select_related("store")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")))
        .get(pk=order.pk)
    )
    start_entry = order.events.filter(kind=STARTED).order_by("-id").first()
    entries = (
        order.events.filter(pk__gt=start_entry.pk, kind__in=(VERIFIED, PICKED, DONE))
        .order_by("id")
        .values_list("kind", "data")
        if start_entry
        else []
    )
    verified: set[int] = set()
    picked_item: int | None = None
    for kind, data in entries:
        if kind == VERIFIED:
            verified.add(data["unit_id"])
            picked_item = None
        elif kind == PICKED:
            picked_item = data["item_id"]
    units = [
        PackUnit(item, unit, needed, verified=unit.pk in verified)
        for item, needed in identifier_needs(order)
        for unit in item.units.all()
    ]
    picked = next((u.item for u in units if u.item.pk == picked_item), None)
    return Packing(order, units, picked=picked, shipment=_live_shipment(order))


def _product_of(packing: Packing, code: str) -> OrderItem | None:
    wanted = code.upper()
    return next(
        (
            u.item
            for u in packing.units
            if wanted in (u.item.sku.strip().upper(), u.item.upc.strip().upper() or None)
        ),
        None,
    )


def _recorded_unit(packing: Packing, code: str) -> PackUnit | None:
    wanted = {code, normalise_imei(code)}
    return next((u for u in packing.units if u.identifier and u.identifier in wanted), None)


def _refuse(packing: Packing, code: str, why: str, user, **params) -> ScanResult:
    event = record(packing.order, REFUSED, source="user", user=user, code=code, why=why, **params)
    return ScanResult(False, packing, event)


def _verify(packing: Packing, unit: PackUnit, code: str, user) -> ScanResult:
    event = record(
        packing.order,
        VERIFIED,
        source="user",
        user=user,
        code=code,
        sku=unit.item.sku,
        unit=unit.number,
        unit_id=unit.unit.pk,
    )
    unit.verified = True
    packing.picked = None
    if packing.complete:
        record(packing.order, DONE, source="user", user=user, count=len(packing.units))
    return ScanResult(True, packing, event, unit=unit)


def scan(order: Order, code: str, *, user=None) -> ScanResult:
    """Verify one unit of the order being packed from a scanned code, or refuse the code
    (a wrong item, one too many, a wrong or invalid IMEI). Both are written in the history."""
    packing = current(order)
    code = _clean(code)
    if packing.complete:
        return _refuse(packing, code, "complete", user)
    recorded = _recorded_unit(packing, code)
    if recorded is not None:
        if recorded.verified:
            return _refuse(packing, code, "scanned_twice", user, sku=recorded.item.sku)
        return _verify(packing, recorded, code, user)
    product = _product_of(packing, code)
    if product is not None:
        return _scan_product(packing, product, code, user)
    return _scan_identifier(packing, code, user)


def _scan_product(packing: Packing, item: OrderItem, code: str, user) -> ScanResult:
    open_units = packing.open_units(item)
    if not open_units:
        count = sum(1 for u in packing.units if u.item.pk == item.pk)
        return _refuse(packing, code, "extra", user, sku=item.sku, count=count)
    unit = open_units[0]
    if not unit.needs_identifier:
        return _verify(packing, unit, code, user)
    event = record(
        packing.order, PICKED, source="user", user=user, code=code, sku=item.sku, item_id=item.pk
    )
    packing.picked = item
    return ScanResult(True, packing, event, waiting_for_identifier=True)


def _identifier_line(packing: Packing, code: str, is_imei: bool, user) -> OrderItem | ScanResult:
    """The line an IMEI / serial number not recorded yet goes to, or the refusal. A serial
    number (any text) is only taken after its product was scanned, and never a product's
    barcode: a wrong item's label must not pass for the phone's serial number."""
    if _is_a_product(code):
        return _refuse(packing, code, "not_in_order", user)
    if packing.picked is not None:
        return packing.picked
    lines = {u.item.pk: u.item for u in packing.open_units() if u.needs_identifier}
    if is_imei and len(lines) == 1:
        return next(iter(lines.values()))
    if is_imei and lines:
        return _refuse(packing, code, "scan_product_first", user)
    return _refuse(packing, code, "not_in_order", user)


def _is_a_product(code: str) -> bool:
    """Is this the SKU or UPC of a product sold or in the catalogue?"""
    return (
        Product.objects.filter(sku__iexact=code).exists()
        or OrderItem.objects.filter(Q(sku__iexact=code) | Q(upc__iexact=code)).exists()
    )


def _other_order(order: Order, code: str) -> Order | None:
    """The other order whose packing slip or label was scanned, if it was one."""
    return (
        Order.objects.filter(
            Q(order_number=code)
            | Q(shipments__tracking_number=clean_tracking_number(code), shipments__voided=False),
            deleted=False,
        )
        .exclude(pk=order.pk)
        .first()
    )


def _scan_identifier(packing: Packing, code: str, user) -> ScanResult:
    other = _other_order(packing.order, code)
    if other is not None:
        return _refuse(packing, code, "other_slip", user, number=other.order_number)
    imei = normalise_imei(code)
    is_imei = imei.isascii() and imei.isdigit()
    line = _identifier_line(packing, code, is_imei, user)
    if isinstance(line, ScanResult):
        return line
    free = [u for u in packing.open_units(line) if not u.identifier]
    if not free:
        return _refuse(packing, code, "wrong_identifier", user, sku=line.sku)
    if (imei_error(imei) if is_imei else serial_error(code)) is not None:
        return _refuse(packing, code, "invalid_imei" if is_imei else "invalid_serial", user)
    unit = free[0]
    try:
        unit.unit = save_identifier(
            packing.order,
            sku=line.sku,
            unit=unit.number,
            user=user,
            **({"imei": imei} if is_imei else {"serial_number": code}),
        )
    except DuplicateIdentifier as exc:
        return _refuse(packing, code, "duplicate", user, number=exc.order_number)
    except OrderActionError as exc:
        return _refuse(packing, code, "refused", user, error=str(exc))
    return _verify(packing, unit, imei if is_imei else code, user)


def chosen_service(order: Order):
    """(carrier account, service code) the rules chose for the order, or (None, "")."""
    account = getattr(order, "carrier_account", None)
    if account is None or not order.service_code:
        return None, ""
    return account, order.service_code


def finish(packing: Packing, *, user=None) -> Shipment:
    """Every unit verified: buy the label with the service the rules chose and ship the
    order (Back Market told through the outbox); an order labelled before (a batch) keeps
    its shipment. OrderActionError says why not (no service chosen, the carrier refused)."""
    if not packing.complete:
        raise OrderActionError(
            _("%(count)s unit(s) of order %(number)s are not verified yet")
            % {"count": len(packing.open_units()), "number": packing.order.order_number}
        )
    if packing.shipment is not None:
        return packing.shipment
    order = packing.order
    account, service = chosen_service(order)
    if account is None:
        raise OrderActionError(
            _("no carrier service is chosen for order %(number)s: choose one on its page")
            % {"number": order.order_number}
        )
    result = services.ship_with_label(order, account, service, user=user, source="user")
    if not result.ok:
        raise OrderActionError(
            _("%(account)s refused the label: %(reason)s")
            % {"account": account.name, "reason": "; ".join(str(m) for m in result.messages)}
        )
    packing.shipment = result.shipment
    return result.shipment
