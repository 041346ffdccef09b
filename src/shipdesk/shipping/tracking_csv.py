"""Shipping orders from a CSV of tracking numbers (a carrier's export, a spreadsheet).

Columns: order_number, carrier, tracking_number, and optionally service, cost. Each row
goes through shipping.actions.ship_order like a shipment typed in the UI; a refused row is
reported with its line number and the others still ship.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.utils.translation import gettext as _

from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.carriers import CARRIERS

REQUIRED = ("order_number", "carrier", "tracking_number")


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
    error: str = ""

    @property
    def shipped(self) -> int:
        return sum(1 for r in self.rows if r.shipped)

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if not r.shipped)


def carrier_code(value: str) -> str | None:
    """A carrier from its code or its name, in any case ("Colissimo", "colissimo", "DHL Express")."""
    wanted = value.strip().lower()
    for code, carrier in CARRIERS.items():
        if wanted in (code, carrier.name.lower(), carrier.backmarket_shipper.lower()):
            return code
    return None


def ship_from_csv(file: TextIO, *, notify_backmarket: bool = True, user=None) -> TrackingImport:
    result = TrackingImport()
    reader = csv.DictReader(file)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        result.error = _("The file has no %(columns)s column.") % {"columns": ", ".join(missing)}
        return result
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if any(row.values()):
            result.rows.append(_ship_row(line, row, notify_backmarket=notify_backmarket, user=user))
    return result


def _ship_row(line: int, row: dict[str, str], *, notify_backmarket: bool, user) -> RowResult:
    number = row.get("order_number", "")
    order = Order.objects.filter(order_number=number, deleted=False).first()
    if order is None:
        return RowResult(line, number, False, _("No order %(number)s.") % {"number": number})

    def refused(message: str) -> RowResult:
        return RowResult(line, number, False, message, order.pk)

    code = carrier_code(row.get("carrier", ""))
    if code is None:
        return refused(_("Unknown carrier %(carrier)s.") % {"carrier": row.get("carrier")})
    try:
        cost = Decimal(row.get("cost") or "0")
    except InvalidOperation:
        return refused(_("The cost %(cost)s is not an amount.") % {"cost": row.get("cost")})
    try:
        shipment = ship_order(
            order,
            carrier_code=code,
            tracking_number=row.get("tracking_number", ""),
            service_code=row.get("service", ""),
            shipment_cost=cost,
            notify_backmarket=notify_backmarket,
            user=user,
        )
    except OrderActionError as exc:
        return refused(str(exc))
    return RowResult(
        line,
        number,
        True,
        _("Shipped with %(tracking)s.") % {"tracking": shipment.tracking_number},
        order.pk,
    )
