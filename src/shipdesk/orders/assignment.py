"""Orders assigned to a user, who prepares them (ShipStation's assignuser / unassignuser)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from shipdesk.orders.models import Order


def assign(orders: QuerySet[Order], user) -> int:
    """Assign the orders to `user`, or to nobody with None; the number of orders changed
    (their modification date moves, as for any seller's edit)."""
    if user is None:
        changed = orders.filter(assigned_user__isnull=False)
    else:
        changed = orders.exclude(assigned_user=user)
    return changed.update(assigned_user=user, modified_at=timezone.now())
