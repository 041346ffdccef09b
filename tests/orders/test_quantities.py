"""Numbers from outside: finite, not negative, bounded, money with 2 decimals at most."""

from decimal import Decimal

import pytest

from shipdesk.orders import quantities
from shipdesk.orders.quantities import InvalidQuantity


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (" 7 ", Decimal("7.00")),
        ("7.500", Decimal("7.50")),  # trailing zeros are not decimals
        ("1e3", Decimal("1000.00")),
        (0, Decimal("0.00")),
        (Decimal("999999.99"), Decimal("999999.99")),
        ("1000000", Decimal("1000000.00")),
        (9.5, Decimal("9.50")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_money_accepts_amounts_up_to_a_million_with_two_decimals(value, expected):
    assert quantities.money(value, name="cost") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e400", "cost: 1e400 is more than 1000000"),
        ("1e50", "cost: 1e50 is more than 1000000"),
        ("1000000.01", "cost: 1000000.01 is more than 1000000"),
        ("-5", "cost: -5 is negative"),
        ("-0.01", "cost: -0.01 is negative"),
        ("NaN", "cost: NaN is not a finite number"),
        ("Infinity", "cost: Infinity is not a finite number"),
        ("-inf", "cost: -inf is not a finite number"),
        (float("inf"), "cost: inf is not a finite number"),
        ("sNaN", "cost: sNaN is not a finite number"),
        ("12.345", "cost: 12.345 has more than 2 decimals"),
        ("0.001", "cost: 0.001 has more than 2 decimals"),
        ("abc", "cost: abc is not a number"),
        ("12,50", "cost: 12,50 is not a number"),
        ("1" * 41, "cost: 11111111111111111111… is not a number"),
    ],
)
def test_money_refuses_what_is_not_a_sane_amount(value, message):
    with pytest.raises(InvalidQuantity) as refused:
        quantities.money(value, name="cost")

    assert str(refused.value) == message


GRAMS, CM = quantities.grams, quantities.centimetres


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (GRAMS, "450", 450),
        (GRAMS, "450.0", 450),
        (GRAMS, 1_000_000, 1_000_000),
        (CM, "14.7", Decimal("14.70")),
        (CM, "1000", Decimal("1000.00")),
    ],
)
def test_weights_are_whole_grams_to_a_tonne_and_sizes_centimetres_to_ten_metres(
    parse, value, expected
):
    assert parse(value, name="size") == expected


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (GRAMS, "450.5", "size: 450.5 is not a whole number"),
        (GRAMS, "1000001", "size: 1000001 is more than 1000000 g"),
        (GRAMS, "99999999999999999999", "size: 99999999999999999999 is more than 1000000 g"),
        (CM, "1000.5", "size: 1000.5 is more than 1000 cm"),
        (CM, "1e50", "size: 1e50 is more than 1000 cm"),
        (CM, "0.125", "size: 0.125 has more than 2 decimals"),
    ],
)
def test_weights_and_sizes_out_of_bounds_are_refused(parse, value, message):
    with pytest.raises(InvalidQuantity) as refused:
        parse(value, name="size")

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [
        (16, "ounces", 454),
        (2204, "pounds", 999_718),
        (12.6, "grams", 13),
    ],
)
def test_shipstation_weights_are_converted_to_the_nearest_gram(value, units, expected):
    assert quantities.grams_from(value, units, name="weight") == expected


def test_shipstation_units_are_bounded_once_converted():
    assert quantities.centimetres_from(2.5, "inches", name="length") == Decimal("6.35")
    with pytest.raises(InvalidQuantity, match=r"^weight: 2205 pounds is more than 1000000 g$"):
        quantities.grams_from(2205, "pounds", name="weight")
    with pytest.raises(InvalidQuantity, match=r"^weight: 1E\+999999999 ounces is more than"):
        quantities.grams_from(Decimal("1e999999999"), "ounces", name="weight")
    with pytest.raises(InvalidQuantity, match=r"^height: 394 inches is more than 1000 cm$"):
        quantities.centimetres_from(394, "inches", name="height")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["3", "5", "3", " 7 "], [3, 5, 7]),
        ([], []),
        (["9223372036854775807"], [2**63 - 1]),
    ],
)
def test_ids_from_a_request_are_digits_within_the_databases_range(values, expected):
    assert quantities.ids(values) == expected


@pytest.mark.parametrize(
    "value",
    ["99999999999999999999", "9223372036854775808", "¹", "-1", "1e3", "0", "", "3.0", "٣"],
)
def test_anything_else_is_not_an_id(value):
    with pytest.raises(InvalidQuantity) as refused:
        quantities.ids(["1", value])

    assert str(refused.value) == f"{value} is not an id"
