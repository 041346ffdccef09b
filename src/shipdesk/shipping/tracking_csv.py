"""Shipping orders from a CSV of tracking numbers (a carrier's export, a spreadsheet).

Columns: order_number, carrier, tracking_number, and optionally service, cost, store (its id or
name, for an order number several stores have). Every row is
checked first (the order exists and awaits shipment, the carrier is known, a tracking number
is given, the cost is an amount); then the valid rows ship, each through
shipping.actions.ship_order like a shipment typed in the UI. Each refused row is reported
with its line number and the others still ship.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shipdesk.orders import quantities
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.csv_files import read_csv
from shipdesk.orders.models import Order
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, CANCELLED, ON_HOLD, SHIPPED
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.carriers import CARRIERS

REQUIRED = ("order_number", "carrier", "tracking_number")
NOT_SHIPPABLE = {
    AWAITING_PAYMENT: gettext_lazy("order %(number)s is not paid yet: do not ship it"),
    ON_HOLD: gettext_lazy("order %(number)s is on hold: release it first"),
    SHIPPED: gettext_lazy("order %(number)s is already shipped"),
    CANCELLED: gettext_lazy("order %(number)s is cancelled: do not ship it"),
}


@dataclass
class RowResult:
    line: int
    order_number: str
    shipped: bool
    message: str
    order_id: int | None = None


@dataclass
class TrackingImport:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def shipped(self) -> int:
        return sum(1 for r in self.rows if r.shipped)

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if not r.shipped)


@dataclass
class _Shipping:
    """A row that passed the checks: what ship_order is given."""

    line: int
    order: Order
    carrier_code: str
    tracking_number: str
    service_code: str
    cost: Decimal


def carrier_code(value: str) -> str | None:
    """A carrier from its code or its name, in any case ("Colissimo", "colissimo", "DHL Express")."""
    wanted = value.strip().lower()
    for code, carrier in CARRIERS.items():
        if wanted in (code, carrier.name.lower(), carrier.backmarket_shipper.lower()):
            return code
    return None


def ship_from_csv(file: BinaryIO, *, notify_backmarket: bool = True, user=None) -> TrackingImport:
    """Check every row, then ship the valid ones; a file that cannot be read raises
    CsvFileError and ships nothing."""
    result = TrackingImport()
    first_line: dict[int, int] = {}  # order id -> the valid line that ships it
    valid: list[_Shipping] = []
    for row in read_csv(file, required=REQUIRED):
        checked = _check_row(row.line, row.values, first_line)
        if isinstance(checked, RowResult):
            result.rows.append(checked)
        else:
            valid.append(checked)
    for shipping in valid:
        result.rows.append(_ship(shipping, notify_backmarket=notify_backmarket, user=user))
    result.rows.sort(key=lambda r: r.line)
    return result


def _check_row(line: int, row: dict[str, str], first_line: dict[int, int]):
    """The row ready to ship (_Shipping), or its refusal (RowResult)."""
    number = row.get("order_number", "")[:60]  # order numbers are at most 50 characters
    orders = Order.objects.filter(order_number=number, deleted=False)
    store = row.get("store", "").strip()[:200]
    if store:
        in_store = Q(store__name=store)
        if store.isascii() and store.isdigit() and len(store) <= 18:
            in_store |= Q(store_id=int(store))
        orders = orders.filter(in_store)
    orders = list(orders[:2])
    if not orders:
        missing = (
            _("No order %(number)s in store %(store)s.") if store else _("No order %(number)s.")
        )
        return RowResult(line, number, False, missing % {"number": number, "store": store})
    if len(orders) > 1:
        return RowResult(
            line,
            number,
            False,
            _("Order number %(number)s is in several stores: give its store in a store column.")
            % {"number": number},
        )
    order = orders[0]

    def refused(message: str) -> RowResult:
        return RowResult(line, number, False, message, order.pk)

    if order.pk in first_line:
        return refused(
            _("Order %(number)s is already on line %(line)s.")
            % {"number": number, "line": first_line[order.pk]}
        )
    if order.status != AWAITING_SHIPMENT:
        return refused(NOT_SHIPPABLE[order.status] % {"number": number})
    code = carrier_code(row.get("carrier", ""))
    if code is None:
        return refused(_("Unknown carrier %(carrier)s.") % {"carrier": row.get("carrier", "")[:50]})
    if not row.get("tracking_number"):
        return refused(_("No tracking number."))
    try:
        cost = quantities.money(row.get("cost"), name="cost") or Decimal(0)
    except quantities.InvalidQuantity as exc:
        return refused(str(exc))
    first_line[order.pk] = line
    return _Shipping(line, order, code, row["tracking_number"], row.get("service", ""), cost)


def _ship(shipping: _Shipping, *, notify_backmarket: bool, user) -> RowResult:
    order = shipping.order
    try:
        shipment = ship_order(
            order,
            carrier_code=shipping.carrier_code,
            tracking_number=shipping.tracking_number,
            service_code=shipping.service_code,
            shipment_cost=shipping.cost,
            notify_backmarket=notify_backmarket,
            user=user,
        )
    except OrderActionError as exc:
        return RowResult(shipping.line, order.order_number, False, str(exc), order.pk)
    return RowResult(
        shipping.line,
        order.order_number,
        True,
        _("Shipped with %(tracking)s.") % {"tracking": shipment.tracking_number},
        order.pk,
    )
