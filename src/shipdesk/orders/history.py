"""Writing the order history."""

from __future__ import annotations

from shipdesk.orders.models import Order, OrderEvent


def record(order: Order, kind: str, message: str, *, source: str, user=None, **data) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind=kind, message=message, source=source, user=user, data=data
    )
