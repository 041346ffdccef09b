"""Upgrading a database where the same order was shipped twice at once (before the lock)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("shipping", "0001_initial")]  # before the constraint
AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def migrate(targets):
    """Migrate to `targets`; the models as they are then (what depends on `targets` is
    unapplied too: other apps are where that leaves them)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def test_the_upgrade_keeps_the_first_live_shipment_and_voids_the_double():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    apps = migrate(BEFORE)
    try:
        store = apps.get_model("stores", "Store").objects.create(name="FR", token_encrypted="x")
        address = apps.get_model("orders", "Address").objects.create(name="Léa")
        order = apps.get_model("orders", "Order").objects.create(
            store=store,
            channel_order_id=1001,
            order_number="1001",
            order_key="bm-1001",
            status="shipped",
            channel_state=3,
            order_date=AT,
            channel_modified_at=AT,
            ship_to=address,
            bill_to=address,
        )
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
        apps = migrate(latest)

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
