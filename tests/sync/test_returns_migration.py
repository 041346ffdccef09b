"""Migration orders 0005: orders an older import made "cancelled" because a line was refunded
after shipping are shipped orders that came back."""

import pytest

from shipdesk.orders.history import CANCELLED_WHILE_PREPARED
from shipdesk.orders.models import Order
from tests.factories import ORDERED
from tests.upgrade import latest, migrate, old_order


def _as_an_older_import_left_it(apps, number: int, line_state: int) -> int:
    """A cancelled order whose one line Back Market says is in `line_state`, written with the
    models of orders 0004 (the data migration not applied)."""
    line = {"state": line_state, "listing": "IP13-128-BLK", "return_reason": 22}
    order = old_order(
        apps,
        number,
        status="cancelled",
        channel_state=9,
        channel_modified_at=ORDERED,
        warning=CANCELLED_WHILE_PREPARED,
        channel_payload={"orderlines": [{**line, "return_message": "Ne s'allume plus"}]},
    )
    apps.get_model("orders", "OrderItem").objects.create(
        order=order, sku="IP13-128-BLK", name="iPhone 13", quantity=1, channel_state=line_state
    )
    return order.pk


@pytest.mark.django_db(transaction=True)
def test_orders_refunded_after_shipping_become_shipped_and_returned():
    apps = migrate([("orders", "0004_order_returned")])
    returned = _as_an_older_import_left_it(apps, 1001, 6)
    cancelled = _as_an_older_import_left_it(apps, 1002, 5)

    migrate(latest())

    returned, cancelled = (Order.objects.get(pk=pk) for pk in (returned, cancelled))
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
