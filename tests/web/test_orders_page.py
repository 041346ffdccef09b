"""The orders page: tab counts, search, filters, sort, pages and bulk actions."""

from datetime import UTC, datetime

import pytest

from shipdesk.orders.models import ItemUnit, Order
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store
from tests.web.orders_list import numbers, tab_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    store = make_store()
    make_order(store, 1001, awaiting_acceptance=True)
    make_order(
        store,
        1002,
        awaiting_acceptance=True,
        customer="Jürgen Becker",
        email="jurgen@example.de",
        country="DE",
    )
    make_order(
        store,
        1003,
        sku="GS23-256-GRN",
        customer="Lucía García",
        email="lucia@example.es",
        country="ES",
    )
    make_order(store, 1004, status="on_hold")
    make_order(store, 1005, status="shipped", service="UPS — 48 h")
    make_order(store, 1006, status="shipped", ordered=datetime(2026, 2, 1, 12, tzinfo=UTC))
    make_order(store, 1007, status="cancelled")
    return store


def test_each_tab_shows_its_count_and_the_awaiting_shipment_tab_opens_first(shipper_client, shop):
    response = shipper_client.get("/orders/")

    assert response.status_code == 200
    assert [
        tab_count(response, tab)
        for tab in ("to_accept", "awaiting_shipment", "on_hold", "shipped", "cancelled", "all")
    ] == [2, 1, 1, 2, 1, 7]
    assert numbers(response) == ["1003"]
    assert 'data-tab="awaiting_payment"' not in response.content.decode()


def test_awaiting_acceptance_tab_lists_the_orders_to_accept_on_back_market(shipper_client, shop):
    response = shipper_client.get("/orders/?tab=to_accept")

    assert numbers(response) == ["1002", "1001"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1005", ["1005"]),
        ("becker", ["1002"]),
        ("lea@example", ["1001", "1004", "1005", "1006", "1007"]),
        ("gs23-256-grn", ["1003"]),
    ],
)
def test_search_finds_orders_by_number_customer_and_sku_across_tabs(
    shipper_client, shop, text, expected
):
    response = shipper_client.get("/orders/", {"tab": "all", "q": text})

    assert sorted(numbers(response)) == expected


def test_search_by_imei_serial_and_tracking_number(shipper_client, shop):
    ItemUnit.objects.filter(item__order__order_number="1004").update(imei="356938035643809")
    ItemUnit.objects.filter(item__order__order_number="1003").update(serial_number="F2LXK0ABC")
    Shipment.objects.create(
        order=Order.objects.get(order_number="1005"),
        carrier_code="ups",
        tracking_number="1Z999AA10123456784",
        ship_date=datetime(2026, 3, 15).date(),
    )

    found = [
        numbers(shipper_client.get("/orders/", {"tab": "all", "q": q}))
        for q in ("35693803 5643809", "F2LXK0ABC", "1z999aa10123456784")
    ]

    assert found == [["1004"], ["1003"], ["1005"]]


def test_tabs_count_the_search_results_when_searching(shipper_client, shop):
    response = shipper_client.get("/orders/", {"q": "lea@example"})

    assert [
        tab_count(response, tab)
        for tab in ("to_accept", "awaiting_shipment", "on_hold", "shipped", "cancelled", "all")
    ] == [1, 0, 1, 2, 1, 5]
    assert (
        "The tabs count the orders matching your search and filters." in response.content.decode()
    )


def test_filters_by_store_country_service_and_date(shipper_client, shop):
    other = make_store("Refurb Lyon")
    make_order(other, 2001, status="shipped")

    results = [
        numbers(shipper_client.get("/orders/", {"tab": "all", **params}))
        for params in (
            {"store": other.pk},
            {"country": "DE"},
            {"service": "UPS — 48 h"},
            {"tab": "shipped", "from": "2026-01-31", "to": "2026-02-01"},
        )
    ]

    assert results == [["2001"], ["1002"], ["1005"], ["1006"]]


def test_sort_and_pages(shipper_client, db):
    store = make_store()
    for n in range(30):
        make_order(store, 3000 + n, ordered=datetime(2026, 3, 1 + n % 28, n % 24, tzinfo=UTC))

    first = shipper_client.get("/orders/", {"sort": "order_number", "per_page": 25})
    second = shipper_client.get("/orders/", {"sort": "order_number", "per_page": 25, "page": 2})
    beyond = shipper_client.get("/orders/", {"sort": "order_number", "per_page": 25, "page": 9})

    assert numbers(first) == [str(3000 + n) for n in range(25)]
    assert numbers(second) == [str(3000 + n) for n in range(25, 30)]
    assert numbers(beyond) == numbers(second)
    assert "26–30 of 30" in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_newest_orders_come_first_by_default(shipper_client, db):
    store = make_store()
    make_order(store, 4001, ordered=datetime(2026, 3, 1, tzinfo=UTC))
    make_order(store, 4002, ordered=datetime(2026, 3, 3, tzinfo=UTC))
    make_order(store, 4003, ordered=datetime(2026, 3, 2, tzinfo=UTC))

    assert numbers(shipper_client.get("/orders/")) == ["4002", "4003", "4001"]
    assert numbers(shipper_client.get("/orders/?sort=order_date")) == ["4001", "4003", "4002"]


def test_bulk_hold_puts_the_selected_orders_on_hold(shipper_client, shop):
    ids = [Order.objects.get(order_number="1003").pk]

    response = shipper_client.post(
        "/orders/bulk/", {"action": "hold", "ids": ids, "next": "/orders/?tab=on_hold"}
    )

    assert response.status_code == 302 and response["Location"] == "/orders/?tab=on_hold"
    assert Order.objects.get(order_number="1003").status == "on_hold"
    page = shipper_client.get(response["Location"])
    assert "1 order(s) put on hold." in page.content.decode()
    assert numbers(page) == ["1004", "1003"]


def test_bulk_hold_reports_orders_that_cannot_be_held(shipper_client, shop):
    ids = [Order.objects.get(order_number="1005").pk]

    response = shipper_client.post("/orders/bulk/", {"action": "hold", "ids": ids}, follow=True)

    assert (
        "1005: only orders awaiting shipment can be put on hold (this one is shipped)"
        in response.content.decode()
    )


def test_bulk_print_and_ship_go_on_with_the_selection(shipper_client, shop):
    a, b = (Order.objects.get(order_number=n).pk for n in ("1003", "1004"))

    printed = shipper_client.post("/orders/bulk/", {"action": "print", "ids": [a, b]})
    shipped = shipper_client.post("/orders/bulk/", {"action": "ship", "ids": [a, b]})

    assert printed["Location"] == f"/orders/packing-slips.pdf?ids={a}&ids={b}"
    assert shipped["Location"] == f"/ship/batch/?ids={a}&ids={b}"


def test_bulk_action_without_selection_says_so(shipper_client, shop):
    response = shipper_client.post("/orders/bulk/", {"action": "hold"}, follow=True)

    assert "Select at least one order." in response.content.decode()


def test_money_is_shown_with_its_currency(shipper_client, db):
    store = make_store()
    make_order(store, 5001, total="1234.50", currency="GBP")

    english = shipper_client.get("/orders/").content.decode()
    french = shipper_client.get("/orders/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "£1,234.50" in english
    assert "1\u00a0234,50\u00a0£" in french


def test_every_page_read_from_either_end_joins_up_without_gaps_or_repeats(shipper_client, db):
    store = make_store()
    for n in range(101):
        make_order(store, 6000 + n, ordered=datetime(2026, 3, 1, tzinfo=UTC))

    pages = [
        numbers(shipper_client.get("/orders/", {"per_page": 25, "page": page}))
        for page in range(1, 6)
    ]

    assert [len(p) for p in pages] == [25, 25, 25, 25, 1]
    assert sum(pages, []) == [str(6000 + n) for n in reversed(range(101))]


def test_next_never_leaves_the_site(shipper_client, shop):
    ids = [Order.objects.get(order_number="1003").pk]

    response = shipper_client.post(
        "/orders/bulk/", {"action": "hold", "ids": ids, "next": "//evil.example/orders/"}
    )

    assert response["Location"] == "/orders/"
