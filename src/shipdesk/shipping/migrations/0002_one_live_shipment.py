"""One live (not voided) shipment per order.

Before this constraint, two people shipping the same order at once could both succeed. Such
doubles are voided here, oldest kept, as `void_shipment` would: their pending Back Market
notifications are not sent, and the order's history says what happened.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def void_doubles(apps, schema_editor):
    Shipment = apps.get_model("shipping", "Shipment")
    Notification = apps.get_model("sync", "Notification")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    doubled = (
        Shipment.objects.filter(voided=False)
        .values("order_id")
        .annotate(live=Count("id"))
        .filter(live__gt=1)
        .values_list("order_id", flat=True)
    )
    now = timezone.now()
    for order_id in list(doubled):
        kept, *extra = Shipment.objects.filter(order_id=order_id, voided=False).order_by(
            "created_at", "id"
        )
        for shipment in extra:
            shipment.voided, shipment.void_date = True, now
            shipment.save(update_fields=["voided", "void_date"])
            Notification.objects.filter(shipment=shipment, status="pending").update(
                status="failed", last_error="shipment voided before delivery"
            )
            OrderEvent.objects.create(
                order_id=order_id,
                kind="voided",
                source="system",
                message=(
                    f"Shipment {shipment.tracking_number} voided on upgrade: the order had a "
                    f"second live shipment; {kept.tracking_number} is kept."
                ),
                data={"shipment": shipment.pk},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_tab_index"),
        ("shipping", "0001_initial"),
        ("sync", "0002_pacing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(void_doubles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="shipment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("voided", False)),
                fields=("order",),
                name="one_live_shipment",
            ),
        ),
    ]
