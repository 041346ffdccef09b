"""Migration orders 0005: orders an older import made "cancelled" because a line was refunded
after shipping are shipped orders that came back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shipdesk.orders.history import CANCELLED_WHILE_PREPARED
from shipdesk.orders.models import Order, OrderItem
from tests.factories import ORDERED, make_order, make_store


def _as_an_older_import_left_it(order: Order, line_state: int) -> None:
    OrderItem.objects.filter(order=order).update(channel_state=line_state)
    line = {"state": line_state, "listing": "IP13-128-BLK", "return_reason": 22}
    Order.objects.filter(pk=order.pk).update(
        status="cancelled",
        channel_state=9,
        warning=CANCELLED_WHILE_PREPARED,
        channel_payload={"orderlines": [{**line, "return_message": "Ne s'allume plus"}]},
    )


@pytest.mark.django_db(transaction=True)
def test_orders_refunded_after_shipping_become_shipped_and_returned():
    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0004_order_returned")])  # the data migration not applied
    store = make_store()
    returned, cancelled = make_order(store, 1001), make_order(store, 1002)
    _as_an_older_import_left_it(returned, 6)
    _as_an_older_import_left_it(cancelled, 5)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    returned.refresh_from_db()
    cancelled.refresh_from_db()
    assert (returned.status, returned.warning) == ("shipped", "")
    assert (returned.returned_at, returned.return_reason) == (ORDERED, 22)
    assert list(returned.events.values_list("kind", "message")) == [
        (
            "returned",
            "Line IP13-128-BLK refunded after shipping on Back Market: a return "
            "(failure at first use: “Ne s'allume plus”).",
        )
    ]
    assert (cancelled.status, cancelled.warning, cancelled.returned_at) == (
        "cancelled",
        CANCELLED_WHILE_PREPARED,
        None,
    )
    assert not cancelled.events.exists()
