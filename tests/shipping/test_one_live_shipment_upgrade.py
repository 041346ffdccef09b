"""Upgrading a database where the same order was shipped twice at once (before the lock)."""

from datetime import date

import pytest

from tests.upgrade import AT, latest, migrate, old_order

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("shipping", "0001_initial")]  # before the constraint


def test_the_upgrade_keeps_the_first_live_shipment_and_voids_the_double():
    apps = migrate(BEFORE)
    try:
        order = old_order(apps)
        Shipment = apps.get_model("shipping", "Shipment")
        first, second = (
            Shipment.objects.create(
                order=order,
                carrier_code="colissimo",
                tracking_number=number,
                ship_date=date.today(),
            )
            for number in ("6A111", "6A222")
        )
        Notification = apps.get_model("sync", "Notification")
        for shipment in (first, second):
            Notification.objects.create(order=order, shipment=shipment, next_attempt_at=AT)
    finally:
        apps = migrate(latest())

    Shipment = apps.get_model("shipping", "Shipment")
    assert list(Shipment.objects.order_by("pk").values_list("tracking_number", "voided")) == [
        ("6A111", False),
        ("6A222", True),
    ]
    # The notifications, moved into the outbox since.
    assert list(
        apps.get_model("outbox", "Message")
        .objects.order_by("pk")
        .values_list("shipment__tracking_number", "status")
    ) == [("6A111", "pending"), ("6A222", "failed")]
    event = apps.get_model("orders", "OrderEvent").objects.get()
    assert (event.kind, event.source, event.message) == (
        "voided",
        "system",
        "Shipment 6A222 voided on upgrade: the order had a second live shipment; 6A111 is kept.",
    )
