"""Ship-from warehouses: saved with one default at a time, deleted only when nothing uses them."""

from __future__ import annotations

from django.db import transaction

from shipdesk.stores.models import Warehouse


class WarehouseInUse(Exception):
    """The warehouse is still named by orders or shipping rules: deleting it would change
    where they ship from without anyone deciding it."""


def save_warehouse(warehouse: Warehouse) -> Warehouse:
    """Save; a default warehouse stops the others being the default (there is one at most)."""
    with transaction.atomic():
        warehouse.save()
        if warehouse.is_default:
            Warehouse.objects.exclude(pk=warehouse.pk).update(is_default=False)
    return warehouse


def delete_warehouse(warehouse: Warehouse) -> None:
    """Delete it, or raise WarehouseInUse saying which orders and rules still ship from it."""
    from shipdesk.orders.models import Order
    from shipdesk.rules.models import ShippingRule

    with transaction.atomic():
        orders = Order.objects.filter(warehouse=warehouse).count()
        rules = list(
            ShippingRule.objects.filter(actions__warehouse=warehouse.pk)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if orders or rules:
            uses = []
            if orders:
                uses.append(f"{orders} order{'s' if orders > 1 else ''}")
            if rules:
                uses.append("shipping rule" + ("s " if len(rules) > 1 else " ") + ", ".join(rules))
            raise WarehouseInUse(
                f"warehouse {warehouse.name!r} is used by {' and '.join(uses)}: "
                "set another warehouse on them first"
            )
        warehouse.delete()
