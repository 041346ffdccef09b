"""The Back Market updates one shipment needs, in order, as a typed value (pure).

`plan_shipment(lines)` answers from a snapshot of the order's lines (`rules.Line`): accept
what still awaits acceptance, register IMEIs / serial numbers not yet sent, then ship. Each
step has a stable `id`, so a sender can record the steps done and never repeat one, and
builds its own request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from . import requests
from .rules import IdentifierRoute, Line, identifier_route, kept_in_shipdesk, live_lines


@dataclass(frozen=True)
class Shipping:
    """What the ship update says about the parcel."""

    tracking_number: str
    shipper: str  # Back Market's name for the carrier
    date_shipping: datetime
    tracking_url: str = ""


@dataclass(frozen=True)
class Accept:
    line_id: int
    sku: str

    @property
    def id(self) -> str:
        return f"accept:{self.line_id}"

    def request(self, order_id: int, shipping: Shipping) -> requests.Request:
        return requests.accept_line(order_id, self.sku)


@dataclass(frozen=True)
class SetIdentifiers:
    line_id: int
    sku: str
    imei: str = ""
    serial_number: str = ""

    @property
    def id(self) -> str:
        return f"identifiers:{self.line_id}"

    def request(self, order_id: int, shipping: Shipping) -> requests.Request:
        return requests.set_line_identifiers(
            self.line_id, imei=self.imei, serial_number=self.serial_number
        )


@dataclass(frozen=True)
class Ship:
    imei: str = ""  # only for an order of a single line of quantity 1 (rules.identifier_route)
    serial_number: str = ""

    @property
    def id(self) -> str:
        return "ship"

    def request(self, order_id: int, shipping: Shipping) -> requests.Request:
        return requests.ship_order(
            order_id,
            tracking_number=shipping.tracking_number,
            tracking_url=shipping.tracking_url,
            shipper=shipping.shipper,
            date_shipping=shipping.date_shipping,
            imei=self.imei,
            serial_number=self.serial_number,
        )


Step = Accept | SetIdentifiers | Ship


@dataclass(frozen=True)
class ShipmentPlan:
    steps: tuple[Step, ...]
    # SKUs of live lines whose IMEIs / serial numbers stay in shipdesk (quantity above 1).
    kept_in_shipdesk: tuple[str, ...] = ()


def plan_shipment(lines: Sequence[Line]) -> ShipmentPlan:
    """The updates that tell Back Market about a shipment of these lines."""
    live = live_lines(lines)
    steps: list[Step] = [
        Accept(line.line_id, line.sku) for line in live if line.awaiting_acceptance
    ]
    ship = Ship()
    for line in live:
        unit = next((u for u in line.units if u.identifiers and not u.sent), None)
        route = identifier_route(line, lines)
        if unit is None or route is IdentifierRoute.SHIPDESK:
            continue
        if route is IdentifierRoute.SHIP_CALL:
            ship = Ship(imei=unit.imei, serial_number=unit.serial_number)
        else:
            steps.append(SetIdentifiers(line.line_id, line.sku, unit.imei, unit.serial_number))
    kept = tuple(
        line.sku
        for line in kept_in_shipdesk(lines)
        if any(u.identifiers and not u.sent for u in line.units)
    )
    return ShipmentPlan(steps=(*steps, ship), kept_in_shipdesk=kept)
