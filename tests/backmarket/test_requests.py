"""The request builders (pure), and `BackMarketClient.send` sending exactly what they built."""

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from shipdesk.backmarket import BackMarketClient, NullPacer, RetryPolicy, requests
from shipdesk.backmarket.requests import Request

PARIS = timezone(timedelta(hours=1))
SHIPPED_AT = datetime(2026, 3, 23, 9, 30, tzinfo=PARIS)

BUILT = [
    (
        requests.accept_line(78612345, "IP13-128-BLK-GOOD"),
        Request(
            "POST",
            "/ws/orders/78612345",
            {"order_id": 78612345, "new_state": 2, "sku": "IP13-128-BLK-GOOD"},
        ),
    ),
    (
        requests.cancel_line(78612345, "IP13-128-BLK-GOOD"),
        Request(
            "POST",
            "/ws/orders/78612345",
            {"order_id": 78612345, "new_state": 4, "sku": "IP13-128-BLK-GOOD"},
        ),
    ),
    (
        requests.ship_order(
            78645001,
            tracking_number="XW 9876 5432 1FR",
            tracking_url="https://www.chronopost.fr/suivi?listeNumerosLT=XW98765432 1FR",
            shipper="Chronopost",
            date_shipping=datetime(2026, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))),
            serial_number="F2LXK0ABHG7F",
        ),
        Request(
            "POST",
            "/ws/orders/78645001",
            {
                "order_id": 78645001,
                "new_state": 3,
                "tracking_number": "XW987654321FR",
                "tracking_url": "https://www.chronopost.fr/suivi?listeNumerosLT=XW98765432 1FR",
                "shipper": "Chronopost",
                "date_shipping": "2026-07-01T08:00:00Z",
                "serial_number": "F2LXK0ABHG7F",
            },
        ),
    ),
    (
        requests.ship_order(
            78619877,
            tracking_number="1Z999AA10123456784",
            shipper="UPS",
            date_shipping=datetime(2026, 3, 24, 12, tzinfo=UTC),
        ),
        Request(
            "POST",
            "/ws/orders/78619877",
            {
                "order_id": 78619877,
                "new_state": 3,
                "tracking_number": "1Z999AA10123456784",
                "tracking_url": "",
                "shipper": "UPS",
                "date_shipping": "2026-03-24T12:00:00Z",
            },
        ),
    ),
    (
        requests.set_line_identifiers(78645002, imei="356938035643809", serial_number="F2LXK0A"),
        Request(
            "PATCH",
            "/ws/orderlines/78645002",
            {"imei": "356938035643809", "serial_number": "F2LXK0A"},
        ),
    ),
    (
        requests.set_line_identifiers(78645002, serial_number="F2LXK0ABHG7F"),
        Request("PATCH", "/ws/orderlines/78645002", {"serial_number": "F2LXK0ABHG7F"}),
    ),
    (
        requests.get_order(78612345),
        Request("GET", "/ws/orders/78612345"),
    ),
    (
        requests.list_deliveries(78619877),
        Request("GET", "/ws/shipping/v1/deliveries", params={"order_id": 78619877}),
    ),
    (
        requests.check_token(),
        Request("GET", "/ws/orders", params={"page-size": 1}),
    ),
    (
        requests.list_orders(
            state=1,
            date_modification=datetime(2026, 3, 22, 20, 14, 18, 999999, tzinfo=PARIS),
            page_size=10,
        ),
        Request(
            "GET",
            "/ws/orders",
            params={"page-size": 10, "state": 1, "date_modification": "2026-03-22 19:14:18"},
        ),
    ),
]


@pytest.mark.parametrize(("built", "expected"), BUILT)
def test_builders_build_exactly_back_markets_request(built, expected):
    assert built == expected


def test_builders_send_plain_numbers_not_enum_members():
    # given
    body = requests.accept_line(78612345, "IP13-128-BLK-GOOD").json

    # then: a JSON encoder other than Python's must see the number itself
    assert type(body["new_state"]) is int


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: requests.ship_order(
                1, tracking_number="  ", shipper="Colissimo", date_shipping=SHIPPED_AT
            ),
            "tracking_number is required to ship",
        ),
        (
            lambda: requests.ship_order(
                1, tracking_number="X1", shipper="Colissimo", date_shipping=datetime(2026, 3, 23)
            ),
            "date_shipping needs an aware datetime",
        ),
        (lambda: requests.set_line_identifiers(78645002), "imei or serial_number is required"),
        (lambda: requests.accept_line(78612345, ""), "sku is required"),
        (lambda: requests.list_orders(page_size=51), "page_size must be between 1 and 50"),
        (
            lambda: requests.list_orders(date_creation=datetime(2026, 3, 1)),
            "date filters need an aware datetime",
        ),
    ],
)
def test_builders_refuse_what_back_market_would(build, message):
    with pytest.raises(ValueError) as caught:
        build()
    assert str(caught.value) == message


@pytest.mark.parametrize(("built", "expected"), BUILT)
def test_send_puts_the_built_request_on_the_wire(built, expected):
    # given
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"ok": True})

    client = BackMarketClient(
        "token",
        transport=httpx.MockTransport(answer),
        pacer=NullPacer(),
        retry=RetryPolicy(max_attempts=1),
    )

    # when
    result = client.send(built)

    # then
    [request] = sent
    assert result == {"ok": True}
    assert (request.method, request.url.path) == (expected.method, expected.path)
    assert dict(request.url.params) == {k: str(v) for k, v in expected.params.items()}
    assert (json.loads(request.content) if request.content else None) == expected.json
