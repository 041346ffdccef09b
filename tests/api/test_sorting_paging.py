"""Sorting and paging as ShipStation documents them, on every list: sortBy among the
endpoint's values (another is a 400 naming them), sortDir ASC (default) or DESC, page from
1, pageSize 100 by default and 500 at most; a bad one is a 400 saying why."""

from datetime import UTC, datetime, timedelta

import pytest

from shipdesk.orders.models import Order
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

# Each list's sortBy values.
LISTS = {
    "/orders": "'OrderDate', 'ModifyDate' or 'CreateDate'",
    "/shipments": "'ShipDate' or 'CreateDate'",
    "/fulfillments": "'ShipDate' or 'CreateDate'",
}


@pytest.mark.parametrize("path", sorted(LISTS))
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sortBy": "Price"}, "sortBy: Input should be {allowed}"),
        ({"sortDir": "asc"}, "sortDir: Input should be 'ASC' or 'DESC'"),
        ({"page": 0}, "page: Input should be greater than or equal to 1"),
        (
            {"page": "two"},
            "page: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({"pageSize": 0}, "pageSize: Input should be greater than or equal to 1"),
        ({"pageSize": 501}, "pageSize: Input should be less than or equal to 500"),
    ],
)
def test_a_bad_sort_or_page_is_400_saying_why(api, path, params, message):
    response = api.get(path, params)

    assert response.status_code == 400
    assert response.json() == {"message": "invalid request: " + message.format(allowed=LISTS[path])}


def test_orders_page_100_by_default_ascending_and_past_the_end_empty(api):
    store = make_store()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Numbered against their dates: the sort is by date, not by id.
    orders = [
        make_order(store, 5000 + n, ordered=start + timedelta(hours=120 - n)) for n in range(120)
    ]
    by_date = [o.pk for o in sorted(orders, key=lambda o: o.order_date)]

    first = api.get("/orders", {"sortBy": "OrderDate"}).json()
    second = api.get("/orders", {"sortBy": "OrderDate", "page": 2}).json()
    newest = api.get("/orders", {"sortBy": "OrderDate", "sortDir": "DESC", "pageSize": 3}).json()
    beyond = api.get("/orders", {"page": 3}).json()

    assert (first["total"], first["page"], first["pages"], len(first["orders"])) == (120, 1, 2, 100)
    assert [o["orderId"] for o in first["orders"] + second["orders"]] == by_date
    assert [o["orderId"] for o in newest["orders"]] == by_date[::-1][:3]
    assert (beyond["orders"], beyond["total"], beyond["page"], beyond["pages"]) == ([], 120, 3, 2)
    assert Order.objects.count() == 120
