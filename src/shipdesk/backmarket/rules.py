"""Back Market's rules about an order's lines, on a typed snapshot of them (pure).

The snapshot (`Line`, `Unit`) is what the rules need and nothing more, so that the outbox,
the ship action and the order page ask the same question the same way and tests need no
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .states import CANCELLED_LINE_STATES, LineState


@dataclass(frozen=True)
class Unit:
    """One physical unit of a line, with its IMEI / serial number as shipdesk holds them."""

    imei: str = ""
    serial_number: str = ""
    sent: bool = False  # Back Market already has them: never sent again

    @property
    def identifiers(self) -> dict[str, str]:
        return {k: v for k, v in (("imei", self.imei), ("serial_number", self.serial_number)) if v}


@dataclass(frozen=True)
class Line:
    """One Back Market order line (`orderlines[]`)."""

    line_id: int
    sku: str
    state: int | None
    quantity: int
    units: tuple[Unit, ...] = ()

    @property
    def live(self) -> bool:
        """Not cancelled nor refunded: it is accepted, shipped and counted."""
        return self.state not in CANCELLED_LINE_STATES

    @property
    def awaiting_acceptance(self) -> bool:
        return self.state == LineState.AWAITING_ACCEPTANCE


class IdentifierRoute(Enum):
    """Where a line's IMEI / serial number goes."""

    SHIP_CALL = "ship_call"  # in the order's ship update
    LINE_UPDATE = "line_update"  # PATCH /ws/orderlines/{id}, before the ship update
    SHIPDESK = "shipdesk"  # nowhere on Back Market: kept in shipdesk


def live_lines(lines: Sequence[Line]) -> list[Line]:
    return [line for line in lines if line.live]


def takes_identifiers(line: Line) -> bool:
    """Back Market's API holds one IMEI / serial number per line, for a line of quantity 1:
    a line of any other quantity keeps its IMEIs in shipdesk."""
    return line.quantity == 1


def identifier_route(line: Line, lines: Sequence[Line]) -> IdentifierRoute:
    """Where `line`'s IMEI / serial number goes, among the order's `lines`.

    The ship update carries an IMEI only for an order of a single line (of quantity 1);
    with several lines each line gets its own update. Cancelled and refunded lines are
    dropped before counting: they are neither shipped nor given an IMEI.
    """
    if not takes_identifiers(line):
        return IdentifierRoute.SHIPDESK
    if len(live_lines(lines)) == 1:
        return IdentifierRoute.SHIP_CALL
    return IdentifierRoute.LINE_UPDATE


def kept_in_shipdesk(lines: Sequence[Line]) -> list[Line]:
    """The live lines whose IMEIs Back Market cannot take."""
    return [
        line
        for line in live_lines(lines)
        if identifier_route(line, lines) is IdentifierRoute.SHIPDESK
    ]
