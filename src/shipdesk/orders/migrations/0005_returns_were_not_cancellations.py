"""Orders imported before returns were understood: a line refunded after shipping (Back
Market state 6) made a shipped order "cancelled", with the warning "Cancelled on Back Market
while being prepared". They are shipped orders that came back: marked returned, as the
import now does, and shipped again (the store's mapping of Back Market's state 9)."""

from django.db import migrations

from shipdesk.orders.history import CANCELLED_WHILE_PREPARED, entry

REFUNDED_AFTER_SHIPPING = 6


def _returned_lines(order) -> list[dict]:
    lines = (order.channel_payload or {}).get("orderlines") or []
    return [
        line
        for line in lines
        if isinstance(line, dict) and line.get("state") == REFUNDED_AFTER_SHIPPING
    ]


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    returned = Order.objects.filter(
        items__channel_state=REFUNDED_AFTER_SHIPPING, returned_at__isnull=True
    ).distinct()
    for order in returned.select_related("store").iterator():
        lines = _returned_lines(order)
        reason = lines[0].get("return_reason") if lines else None
        order.returned_at = order.channel_modified_at
        order.return_reason = reason if type(reason) is int else None
        fields = ["returned_at", "return_reason"]
        if order.status == "cancelled":
            mapping = {"9": "shipped", **(order.store.status_mapping or {})}
            order.status = mapping["9"] or "shipped"
            fields.append("status")
            if order.warning == CANCELLED_WHILE_PREPARED:
                order.warning = ""
                fields.append("warning")
        order.save(update_fields=fields)
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order=order,
                source="import",
                **entry(
                    "returned",
                    sku=str(line.get("listing") or "").strip(),
                    reason=line.get("return_reason"),
                    message=str(line.get("return_message") or "").strip(),
                ),
            )
            for line in lines
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_order_returned")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
