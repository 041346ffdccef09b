"""Orders assigned to a user, who prepares them (ShipStation's assignuser / unassignuser)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shipdesk.orders.history import entry
from shipdesk.orders.models import Order, OrderEvent


def assign(orders: QuerySet[Order], user, *, by=None, source: str = "user") -> int:
    """Assign the orders to `user`, or to nobody with None; the number of orders changed.
    Each changed order's history says so, and its modification date moves."""
    if user is None:
        changed = orders.filter(assigned_user__isnull=False)
    else:
        changed = orders.exclude(assigned_user=user)
    with transaction.atomic():
        before = dict(changed.values_list("pk", "assigned_user__username"))
        Order.objects.filter(pk__in=before).update(assigned_user=user, modified_at=timezone.now())
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order_id=pk,
                source=source,
                user=by,
                **(
                    entry("assigned", assignee=user.get_username())
                    if user is not None
                    else entry("unassigned", assignee=previous)
                ),
            )
            for pk, previous in before.items()
        )
    return len(before)
