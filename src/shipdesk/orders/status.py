"""shipdesk's order statuses, and which one an order has."""

from __future__ import annotations

# shipdesk's statuses (ShipStation's names).
AWAITING_PAYMENT = "awaiting_payment"
AWAITING_SHIPMENT = "awaiting_shipment"
ON_HOLD = "on_hold"
SHIPPED = "shipped"
CANCELLED = "cancelled"
STATUSES = [
    (AWAITING_PAYMENT, "Awaiting payment"),
    (AWAITING_SHIPMENT, "Awaiting shipment"),
    (ON_HOLD, "On hold"),
    (SHIPPED, "Shipped"),
    (CANCELLED, "Cancelled"),
]
STATUS_VALUES = {value for value, _ in STATUSES}


def derive_status(mapped: str | None, *, on_hold: bool, shipped_locally: bool) -> str | None:
    """The store's mapped status, adjusted by what the seller did in shipdesk.

    A cancellation from Back Market wins over everything; a shipment recorded in shipdesk
    counts as shipped even before Back Market has been told; a hold applies to orders that
    would otherwise await shipment.
    """
    if mapped == CANCELLED:
        return CANCELLED
    if shipped_locally:
        return SHIPPED
    if on_hold and mapped == AWAITING_SHIPMENT:
        return ON_HOLD
    return mapped
