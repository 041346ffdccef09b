from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shipdesk.backmarket import Address, Delivery, OrdersPage, parse_order

from .recorded import load_json


def test_normal_order_parses_every_field_shipdesk_uses():
    # given
    raw = load_json("order_normal.json")

    # when
    order = parse_order(raw)

    # then
    assert (order.order_id, order.state, order.country_code) == (78612345, 1, "fr-fr")
    assert order.price == Decimal("369.00")
    assert order.shipping_price == Decimal("0.00")
    assert order.date_creation == datetime(2026, 3, 22, 19, 14, 18, tzinfo=UTC)
    assert order.date_shipping is None
    assert order.paypal_reference == ""
    assert order.shipping_address == Address(
        first_name="Élodie",
        last_name="Martin",
        street="12 rue des Lilas",
        street2="Bât. B",
        postal_code="69003",
        country="FR",
        city="Lyon",
        phone="06 12 34 56 78",
        email="shipping_12345678_78612345@eu.perso-email.com",
    )
    [line] = order.orderlines
    assert (line.id, line.state, line.listing, line.quantity) == (
        78638901,
        1,
        "IP13-128-BLK-GOOD",
        1,
    )
    assert (line.price, line.orderline_fee) == (Decimal("369.00"), Decimal("36.90"))
    assert (line.condition, line.condition_label, line.backcare_price) == (11, "Good", 0)
    assert (line.imei, line.serial_number) == ("", "")


def test_multi_line_order_keeps_line_totals_and_quantities():
    # given
    raw = load_json("order_multi_line.json")

    # when
    order = parse_order(raw)

    # then
    assert [(line.id, line.listing, line.quantity, line.price) for line in order.orderlines] == [
        (78645001, "IP13-128-BLK-GOOD", 1, Decimal("369.00")),
        (78645002, "SGS21-128-GRY-EXC", 2, Decimal("598.00")),
        (78645003, "APP-USBC-20W", 4, Decimal("80.00")),
    ]
    assert sum(line.price for line in order.orderlines) == order.price == Decimal("1047.00")
    assert (order.is_backship, order.payment_method) == (True, "KLARNA_PAY_LATER")
    assert order.expected_dispatch_date == datetime(2026, 3, 23, 16, 0, tzinfo=UTC)


def test_gdpr_erased_order_parses_with_deleted_placeholders():
    # given
    raw = load_json("order_gdpr_deleted.json")

    # when
    order = parse_order(raw)

    # then
    address = order.shipping_address
    assert (address.first_name, address.last_name, address.street) == ("Deleted",) * 3
    assert (address.phone, address.email, address.postal_code) == ("Deleted", "Deleted", "75011")
    assert order.date_shipping == datetime(2023, 1, 5, 15, 30, tzinfo=UTC)
    assert order.orderlines[0].imei == "356938035643809"


def test_null_billing_text_fields_read_as_empty_strings():
    # given
    raw = load_json("order_null_billing_phone.json")

    # when
    order = parse_order(raw)

    # then
    billing = order.billing_address
    assert (billing.phone, billing.company, billing.street2) == ("", "", "")
    assert order.shipping_address.phone == "06 12 34 56 78"


def test_mixed_offsets_become_aware_utc():
    # given
    raw = load_json("order_mixed_offsets.json")

    # when
    order = parse_order(raw)

    # then
    assert order.date_creation == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert order.date_modification == datetime(2026, 3, 29, 1, 5, 9, 481516, tzinfo=UTC)
    assert order.date_payment == datetime(2026, 3, 29, 0, 31, tzinfo=UTC)
    assert order.orderlines[0].date_creation == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert order.date_modification.tzinfo is UTC


def test_old_order_with_gender_and_pre_2021_grade():
    # given
    raw = load_json("order_old_gender_condition.json")

    # when
    order = parse_order(raw)

    # then
    assert (order.shipping_address.gender, order.billing_address.gender) == (1, 1)
    assert (order.orderlines[0].condition, order.orderlines[0].condition_label) == (1, "Very good")
    assert order.date_creation == datetime(2020, 11, 27, 8, 12, 44, tzinfo=UTC)


def test_unknown_keys_are_ignored():
    # given
    raw = load_json("order_extra_keys.json")

    # when
    order = parse_order(raw)

    # then
    assert order.order_id == 78621234
    assert order.orderlines[0].listing == "IP13-128-BLK-GOOD"
    assert "loyalty" not in order.model_dump()
    assert "trade_in" not in order.orderlines[0].model_dump()
    assert "address_type" not in order.shipping_address.model_dump()


def test_malformed_order_raises_on_every_field_relied_on():
    # given: order_id as a string, a line without price value nor quantity
    raw = load_json("order_malformed.json")

    # when
    with pytest.raises(ValidationError) as caught:
        parse_order(raw)

    # then
    assert sorted(error["loc"] for error in caught.value.errors()) == [
        ("order_id",),
        ("orderlines", 0, "price"),
        ("orderlines", 0, "quantity"),
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [("order_id", None), ("state", "1"), ("orderlines", None), ("date_modification", None)],
)
def test_fields_relied_on_are_strict(key, value):
    # given
    raw = {**load_json("order_normal.json"), key: value}

    # when / then
    with pytest.raises(ValidationError):
        parse_order(raw)


def test_money_accepts_numbers_and_reads_blank_as_none():
    # given
    raw = load_json("order_normal.json")
    raw["orderlines"][0] |= {"price": 369, "orderline_fee": "", "sales_taxes": None}

    # when
    line = parse_order(raw).orderlines[0]

    # then
    assert (line.price, line.orderline_fee, line.sales_taxes) == (Decimal(369), None, None)


def test_money_rejects_a_non_finite_line_price():
    # given
    raw = load_json("order_normal.json")
    raw["orderlines"][0]["price"] = "NaN"

    # when / then
    with pytest.raises(ValidationError):
        parse_order(raw)


def test_orders_page_keeps_results_raw():
    # given
    raw = {"count": 1, "next": None, "previous": None, "results": [load_json("order_normal.json")]}

    # when
    page = OrdersPage.model_validate(raw)

    # then
    assert (page.count, page.next, page.previous) == (1, None, None)
    assert page.results[0]["order_id"] == 78612345


def test_backship_delivery_keeps_camel_case_fields():
    # given
    raw = load_json("deliveries.json")["results"][0]

    # when
    delivery = Delivery.model_validate(raw)

    # then
    assert delivery == Delivery(
        labelUrl="https://backship.backmarket.fr/labels/c8a3f1e2.pdf",
        trackingNumber="6A98765432109",
        trackingUrl="https://www.laposte.fr/outils/suivre-vos-envois?code=6A98765432109",
        carrierName="Colissimo",
        dateCreation=datetime(2026, 3, 21, 9, 2, 33, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("price",), "Infinity"),
        (("price",), "NaN"),
        (("shipping_price",), "1e400"),
        (("orderlines", 0, "price"), "1e50"),
        (("orderlines", 0, "price"), "-99999999"),
        (("orderlines", 0, "orderline_fee"), "Infinity"),
        (("orderlines", 0, "quantity"), 1_000_000_000),
        (("orderlines", 0, "quantity"), -1),
    ],
)
def test_numbers_from_back_market_are_finite_and_bounded(where, value):
    # given: a real order with one number out of any sane range
    raw = load_json("order_normal.json")
    target = raw
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value

    # when
    with pytest.raises(ValidationError) as caught:
        parse_order(raw)

    # then: the order is refused (the import quarantines it) naming the field
    assert [error["loc"] for error in caught.value.errors()] == [where]
