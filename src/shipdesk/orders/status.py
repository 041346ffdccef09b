"""Which shipdesk status an order has, from Back Market's state and the seller's actions."""

from __future__ import annotations

from shipdesk.stores.models import AWAITING_SHIPMENT, CANCELLED, ON_HOLD, SHIPPED


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
