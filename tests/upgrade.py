"""Tests of an upgrade: migrate the test database back, write rows as an older shipdesk did,
migrate forward (see tests/outbox/test_migration.py)."""

from datetime import UTC, datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def latest():
    """The migrations the code is at: where an upgrade test ends."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets):
    """Migrate to `targets`; the models as they are then (what depends on `targets` is
    unapplied too: other apps are where that leaves them)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def old_order(apps, number: int = 1001, **fields):
    """A shipped order of an older database (`fields` override), with its store (one for
    all) and address."""
    store, _ = apps.get_model("stores", "Store").objects.get_or_create(
        name="FR", defaults={"token_encrypted": "x"}
    )
    address = apps.get_model("orders", "Address").objects.create(name="Léa")
    values = {
        "status": "shipped",
        "channel_state": 3,
        "order_date": AT,
        "channel_modified_at": AT,
        **fields,
    }
    return apps.get_model("orders", "Order").objects.create(
        store=store,
        channel_order_id=number,
        order_number=str(number),
        order_key=f"bm-{number}",
        ship_to=address,
        bill_to=address,
        **values,
    )
