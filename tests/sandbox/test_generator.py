import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from shipdesk.sandbox import generate_orders, new_order
from shipdesk.sandbox.generator import is_valid_imei, parse_date
from shipdesk.sandbox.state import order_state

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _keys(contract_text: str) -> set[str]:
    return {key.strip() for key in contract_text.split(",")}


# The key lists of the Back Market contract (backmarket-api.md), verbatim.
ORDER_KEYS = _keys(
    "order_id, shipping_address, billing_address, delivery_note, tracking_number, "
    "tracking_url, shipper, shipper_display, date_creation, date_modification, "
    "date_shipping, date_payment, date_bill_provided, state, orderlines, price, "
    "shipping_price, currency, country_code, paypal_reference, psp_reference, "
    "installment_payment, payment_method, sales_taxes, expected_dispatch_date, "
    "is_backship"
)
ADDRESS_KEYS = _keys(
    "company, first_name, first_name_pronunciation, last_name, last_name_pronunciation, "
    "street, street2, postal_code, country, city, phone, email, customer_id_number"
)
LINE_KEYS = _keys(
    "id, date_creation, state, price, shipping_price, shipping_delay, shipper, currency, "
    "return_reason, return_message, listing, product, quantity, brand, product_id, "
    "backcare, backcare_price, listing_id, sales_taxes, imei, serial_number, condition, "
    "orderline_fee"
)
MONEY = re.compile(r"\d+\.\d\d")
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+0[12]:00)")


@pytest.fixture(scope="module")
def orders() -> list[dict]:
    return generate_orders(3000, seed=42, now=NOW)


def _cents(money: str) -> int:
    return int(money.replace(".", ""))


def test_same_seed_gives_the_same_orders():
    # Given two generations with one seed, and one with another
    first = generate_orders(200, seed=1, now=NOW)
    again = generate_orders(200, seed=1, now=NOW)
    other = generate_orders(200, seed=2, now=NOW)

    # Then the same seed repeats exactly, another seed differs
    assert first == again
    assert first != other


def test_orders_carry_exactly_the_keys_of_real_payloads(orders):
    # Given generated orders, when looking at their keys
    addresses = [
        address
        for order in orders
        for address in (order["shipping_address"], order["billing_address"])
        if address  # a few orders come without a shipping address
    ]
    lines = [line for order in orders for line in order["orderlines"]]

    assert (len(ORDER_KEYS), len(ADDRESS_KEYS), len(LINE_KEYS)) == (26, 13, 23)
    # Then orders and lines have exactly the contract's keys, addresses too (older ones + gender)
    assert {frozenset(order) for order in orders} == {frozenset(ORDER_KEYS)}
    assert {frozenset(line) for line in lines} == {frozenset(LINE_KEYS)}
    assert {frozenset(address) for address in addresses} == {
        frozenset(ADDRESS_KEYS),
        frozenset(ADDRESS_KEYS | {"gender"}),
    }


def test_values_have_back_market_types_and_formats(orders):
    lines = [line for order in orders for line in order["orderlines"]]

    # Then ids are ints, money is 2-decimal strings, backcare_price int cents, dates ISO 8601
    assert all(type(order["order_id"]) is int for order in orders)
    assert all(10_000_000 <= order["order_id"] < 100_000_000 for order in orders)
    assert all(
        type(line[key]) is int for line in lines for key in ("id", "product_id", "listing_id")
    )
    assert all(type(line["backcare_price"]) is int for line in lines)
    money = [order[key] for order in orders for key in ("price", "shipping_price", "sales_taxes")]
    money += [
        line[key]
        for line in lines
        for key in ("price", "shipping_price", "sales_taxes", "orderline_fee")
    ]
    assert all(MONEY.fullmatch(value) for value in money)
    dates = [
        order[key]
        for order in orders
        for key in ("date_creation", "date_modification", "date_shipping", "date_payment")
        if order[key] is not None
    ]
    assert all(DATE.fullmatch(value) for value in dates)
    assert {value[19:] for value in dates} == {"Z", "+01:00", "+02:00"}
    oldest = min(parse_date(value) for value in dates)
    newest = max(parse_date(value) for value in dates)
    assert oldest >= (NOW - timedelta(days=60)).timestamp()
    assert newest <= NOW.timestamp()


def test_prices_add_up(orders):
    for order in orders:
        lines = order["orderlines"]
        # Then the order price is its lines' totals plus shipping
        assert _cents(order["price"]) == sum(_cents(line["price"]) for line in lines) + _cents(
            order["shipping_price"]
        )
        # And a line of quantity 2 costs twice a unit that ends in .00, .90 or .99
        for line in lines:
            unit = _cents(line["price"]) // line["quantity"]
            assert unit * line["quantity"] == _cents(line["price"])
            assert unit % 100 in (0, 90, 99)


def test_order_state_matches_its_lines(orders):
    paid = [order for order in orders if order["state"] in (1, 3, 9)]

    # Then paid orders are in the state Back Market derives from their lines
    for order in paid:
        states = [line["state"] for line in order["orderlines"]]
        assert order_state(states, current=-1) == order["state"]
    assert {order["state"] for order in orders} == {0, 1, 3, 8, 9, 10}


def test_history_has_the_variety_of_real_traffic(orders):
    lines = [line for order in orders for line in order["orderlines"]]
    emails = {order["shipping_address"]["email"] for order in orders if order["shipping_address"]}
    titles = " ".join(line["product"] for line in lines)

    # Then the mix is close to what the contract describes
    multi_line = sum(len(order["orderlines"]) > 1 for order in orders) / len(orders)
    assert 0.12 < multi_line < 0.18
    assert 0.03 < sum(line["quantity"] == 2 for line in lines) / len(lines) < 0.07
    assert 0.03 < sum(order["is_backship"] for order in orders) / len(orders) < 0.07
    assert 0.015 < sum(order["state"] in (0, 8, 10) for order in orders) / len(orders) < 0.045
    missing = Counter(
        repr(order["shipping_address"]) for order in orders if not order["shipping_address"]
    )
    assert set(missing) == {"None", "{}"}
    assert {line["state"] for line in lines} == {0, 1, 2, 3, 4, 5, 6, 7, 8}
    assert {order["currency"] for order in orders} == {"EUR", "GBP"}
    assert {"fr-fr", "de-de", "es-es", "it-it", "en-gb"} <= {
        order["country_code"] for order in orders
    }
    for word in ("Débloqué", "Ohne Simlock", "Libre", "Sbloccato", "Unlocked", " Go ", "AirPods"):
        assert word in titles
    assert {line["condition"] for line in lines} == {0, 1, 2, 3, 4, 9, 10, 11, 12}
    assert "Deleted" in emails
    relay = re.compile(r"shipping_\d{8}_(\d+)@eu\.perso-email\.com")
    assert all(relay.fullmatch(email) for email in emails - {"Deleted"})
    assert any(order["billing_address"]["phone"] is None for order in orders)


def test_shipped_phone_lines_carry_valid_imeis(orders):
    lines = [line for order in orders for line in order["orderlines"]]
    imeis = [line["imei"] for line in lines if line["imei"]]
    unshipped = [
        line
        for line in lines
        if line["state"] not in (3, 6) and (line["imei"] or line["serial_number"])
    ]

    # Then IMEIs pass the Luhn check and only shipped lines have identifiers
    assert len(imeis) > 500
    assert all(is_valid_imei(imei) for imei in imeis)
    assert unshipped == []


def test_a_new_order_is_paid_and_placed_just_before_now():
    # When a new order arrives
    order = new_order(random.Random(3), order_id=80_000_000, line_id_start=90_000_000, now=NOW)

    # Then it awaits acceptance, with consecutive line ids, paid minutes before now
    assert order["state"] == 1
    assert [line["state"] for line in order["orderlines"]] == [1] * len(order["orderlines"])
    assert [line["id"] for line in order["orderlines"]] == list(
        range(90_000_000, 90_000_000 + len(order["orderlines"]))
    )
    assert (
        NOW.timestamp() - 600
        <= parse_date(order["date_creation"])
        < parse_date(order["date_payment"])
    )
    assert parse_date(order["date_payment"]) <= NOW.timestamp()
    assert order["tracking_number"] == ""
    assert order["date_shipping"] is None
