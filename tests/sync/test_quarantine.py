"""Malformed and address-less orders are set aside with their reason; the import goes on."""

import json
from pathlib import Path

import httpx
import pytest

from shipdesk.backmarket import BackMarketClient, NullPacer
from shipdesk.orders.models import Order
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from shipdesk.sync.models import QuarantinedOrder

DATA = Path(__file__).parent.parent / "data" / "backmarket"
pytestmark = pytest.mark.django_db


def load(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def serve_pages(pages: list[list]):
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        nxt = (
            f"https://bm.test/ws/orders?page={page + 1}&page-size=50" if page < len(pages) else None
        )
        return httpx.Response(
            200,
            json={
                "count": sum(map(len, pages)),
                "next": nxt,
                "previous": None,
                "results": pages[page - 1],
            },
        )

    return httpx.MockTransport(handler)


@pytest.fixture
def store():
    s = Store(name="Mock", region="eu", base_url="https://bm.test")
    s.token = "t"
    s.save()
    return s


def test_malformed_and_addressless_orders_are_set_aside_and_the_rest_imported(store):
    good, multi = load("order_normal"), load("order_multi_line")
    malformed = load("order_malformed")
    no_address = {**load("order_gdpr_deleted"), "order_id": 70000001, "shipping_address": None}
    client = BackMarketClient(
        "t",
        base_url="https://bm.test",
        transport=serve_pages([[good, malformed], [no_address, multi]]),
        pacer=NullPacer(),
    )

    run = import_orders(store, client=client)

    assert (run.fetched, run.created, run.quarantined, run.set_aside) == (4, 2, 1, 1)
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == [
        good["order_id"],
        multi["order_id"],
    ]
    bad = QuarantinedOrder.objects.get(kind="malformed")
    assert bad.payload == malformed
    assert bad.reason == (
        "order_id: Input should be a valid integer; orderlines.0.quantity: Field required; "
        "orderlines.0.price: Decimal input should be an integer, float, string or Decimal object"
    )
    assert bad.channel_order_id == "78629999"
    aside = QuarantinedOrder.objects.get(kind="no_shipping_address")
    assert aside.channel_order_id == "70000001"
    assert "no complete shipping address" in aside.reason


def test_a_record_that_becomes_valid_is_imported_and_its_quarantine_resolved(store):
    no_address = {**load("order_normal"), "shipping_address": None}
    fixed = load("order_normal")

    import_orders(
        store,
        client=BackMarketClient(
            "t",
            base_url="https://bm.test",
            transport=serve_pages([[no_address]]),
            pacer=NullPacer(),
        ),
    )
    Store.objects.filter(pk=store.pk).update(import_cursor=None)
    run = import_orders(
        store,
        client=BackMarketClient(
            "t", base_url="https://bm.test", transport=serve_pages([[fixed]]), pacer=NullPacer()
        ),
    )

    assert run.created == 1
    assert QuarantinedOrder.objects.get().resolved_at is not None


def test_records_without_an_order_id_are_kept_apart_and_a_second_sighting_counts(store):
    # Given two different records with no order id, and one of them read again next run
    first = {k: v for k, v in load("order_normal").items() if k != "order_id"}
    second = {**first, "order_id": None, "price": "12.00"}

    def run_with(records):
        return import_orders(
            store,
            client=BackMarketClient(
                "t", base_url="https://bm.test", transport=serve_pages([records]), pacer=NullPacer()
            ),
        )

    run_with([first, second])
    Store.objects.filter(pk=store.pk).update(import_cursor=None)
    run_with([first])

    # Then each has its own quarantine row with its own payload, named by its content
    rows = {q.payload.get("price"): q for q in QuarantinedOrder.objects.all()}
    assert set(rows) == {first["price"], "12.00"}
    assert rows["12.00"].payload == second
    assert rows[first["price"]].payload == first
    assert rows[first["price"]].times_seen == 2 and rows["12.00"].times_seen == 1
    assert all(q.channel_order_id.startswith("no id ") for q in rows.values())
    assert all("order_id" in q.reason for q in rows.values())
