"""insert_rows against the real database: ids in order, defaults, auto times, JSON, batches."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shipdesk.core.bulk import Prepared, insert_rows
from shipdesk.orders.models import Address, Order, OrderEvent
from shipdesk.stores.models import Store

pytestmark = pytest.mark.django_db


def _store() -> Store:
    return Store.objects.create(name="Bulk", region="eu")


def test_ids_come_back_in_the_order_of_the_rows_across_several_statements():
    # Given more addresses than one SQLite statement holds (999 parameters)
    rows = [{"name": f"Buyer {n}", "city": "Lyon", "country": "FR"} for n in range(250)]

    # When inserting them
    ids = insert_rows(Address, rows)

    # Then each id is the row at its position, and columns left out got their defaults
    saved = Address.objects.in_bulk(ids)
    assert len(set(ids)) == 250
    assert [saved[pk].name for pk in ids] == [f"Buyer {n}" for n in range(250)]
    assert {(a.street1, a.residential) for a in saved.values()} == {("", None)}


def test_values_are_prepared_as_the_orm_would_and_prepared_ones_are_sent_as_they_are():
    store = _store()
    address = insert_rows(Address, [{"name": "A"}])[0]
    paid = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    before = timezone.now()

    order_id = insert_rows(
        Order,
        [
            {
                "store_id": store.pk,
                "channel_order_id": 71524034,
                "order_number": "71524034",
                "order_key": "bm-x-71524034",
                "status": "awaiting_shipment",
                "channel_state": 1,
                "order_date": paid,
                "channel_modified_at": paid,
                "ship_to_id": address,
                "bill_to_id": address,
                "order_total": Decimal("417.99"),
                "channel_payload": Prepared('{"order_id": 71524034, "state": 1}'),
            }
        ],
    )[0]
    event_id = insert_rows(
        OrderEvent, [{"order_id": order_id, "kind": "imported", "message": "m", "source": "import"}]
    )[0]

    order = Order.objects.get(pk=order_id)
    event = OrderEvent.objects.get(pk=event_id)
    assert order.order_date == paid
    assert order.order_total == Decimal("417.99")
    assert order.channel_payload == {"order_id": 71524034, "state": 1}
    assert (order.currency, order.on_hold, order.tax_amount) == ("EUR", False, Decimal("0"))
    assert before <= order.created_at == order.modified_at <= timezone.now()
    assert event.data == {} and before <= event.at <= timezone.now()


def test_no_rows_make_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Address, []) == []


def test_a_duplicate_raises_django_s_integrity_error_and_inserts_none_of_the_batch():
    # Given an address and an order holding a unique order key
    from django.db import IntegrityError, transaction

    store = _store()
    address = insert_rows(Address, [{"name": "A"}])[0]
    order = {
        "store_id": store.pk,
        "channel_order_id": 1,
        "order_number": "1",
        "order_key": "bm-dup-1",
        "status": "awaiting_shipment",
        "channel_state": 1,
        "order_date": timezone.now(),
        "channel_modified_at": timezone.now(),
        "ship_to_id": address,
        "bill_to_id": address,
    }
    insert_rows(Order, [order])

    # When a batch repeats that key, as a second process importing the same order would
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Order, [{**order, "order_key": "bm-dup-2"}, order])

    # Then the importer can catch it as Django's, and the batch left nothing behind
    assert list(Order.objects.values_list("order_key", flat=True)) == ["bm-dup-1"]
