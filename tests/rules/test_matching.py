"""Rule conditions, one at a time, on orders described by their facts (no database)."""

from decimal import Decimal

import pytest

from shipdesk.rules.conditions import Actions, Conditions, OrderFacts, RuleError, parse

PHONE_TO_LYON = OrderFacts(
    requested_service="Colissimo — 48 h",
    shippers=frozenset({"colissimo"}),
    delays=frozenset({48}),
    country="FR",
    skus=("IP13-128-BLK-GOOD", "CHG-20W-USBC"),
    items=3,
    weight_grams=520,
    total=Decimal("388.00"),
    backship=False,
)


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        ({"requested_service": "colissimo"}, True),
        ({"requested_service": "48 h"}, True),
        ({"requested_service": "Chronopost"}, False),
        ({"shipper": "COLISSIMO"}, True),
        ({"shipper": "Chronopost"}, False),
        ({"delay_hours": 48}, True),
        ({"delay_hours": 24}, False),
        ({"countries": ["DE", "FR"]}, True),
        ({"countries": "de, gb"}, False),
        ({"skus": ["CHG-20W-USBC"]}, True),
        ({"skus": ["IP13"]}, False),
        ({"sku_prefix": "IP13-"}, True),
        ({"sku_prefix": "GS21-"}, False),
        ({"min_items": 3}, True),
        ({"min_items": 4}, False),
        ({"max_items": 3}, True),
        ({"max_items": 2}, False),
        ({"min_weight_grams": 520, "max_weight_grams": 520}, True),
        ({"min_weight_grams": 521}, False),
        ({"max_weight_grams": 519}, False),
        ({"min_total": "388.00"}, True),
        ({"min_total": "388.01"}, False),
        ({"max_total": "387.99"}, False),
        ({"backship": False}, True),
        ({"backship": True}, False),
        ({"countries": ["FR"], "sku_prefix": "IP13-", "max_weight_grams": 1000}, True),
        ({"countries": ["FR"], "sku_prefix": "IP13-", "max_weight_grams": 500}, False),
    ],
)
def test_each_condition_holds_or_not(conditions, matches):
    assert parse(Conditions, conditions).matches(PHONE_TO_LYON) is matches


def test_a_weight_condition_never_holds_for_an_order_of_unknown_weight():
    unknown = OrderFacts(weight_grams=None)

    assert parse(Conditions, {"max_weight_grams": 1_000_000}).matches(unknown) is False
    assert parse(Conditions, {"countries": ["FR"]}).matches(OrderFacts(country="FR")) is True


def test_conditions_are_stored_as_json_and_read_back_the_same():
    conditions = parse(
        Conditions,
        {
            "countries": "fr, de, fr",
            "skus": ["A", " B ", ""],
            "min_total": "12.5",
            "backship": True,
        },
    )

    assert conditions.stored() == {
        "countries": ["FR", "DE"],
        "skus": ["A", "B"],
        "min_total": "12.50",
        "backship": True,
    }
    assert Conditions.model_validate(conditions.stored()) == conditions


@pytest.mark.parametrize(
    ("values", "message", "field"),
    [
        (
            {"min_weight_grams": "1e9"},
            "minimum weight (g): 1e9 is more than 1000000 g",
            "min_weight_grams",
        ),
        (
            {"max_total": "Infinity"},
            "maximum order total: Infinity is not a finite number",
            "max_total",
        ),
        ({"min_total": "-1"}, "minimum order total: -1 is negative", "min_total"),
        ({"min_items": "1.5"}, "minimum number of items: 1.5 is not a whole number", "min_items"),
        ({"max_items": 10_001}, "maximum number of items: 10001 is more than 10000", "max_items"),
        (
            {"min_items": 5, "max_items": 2},
            "minimum number of items is above maximum number of items",
            "min_items",
        ),
        (
            {"countries": "FRA"},
            "destination countries: FRA is not a two-letter country code",
            "countries",
        ),
        ({"colour": "red"}, "colour: Extra inputs are not permitted", "colour"),
    ],
)
def test_wrong_conditions_are_refused_with_the_field_named(values, message, field):
    with pytest.raises(RuleError) as refused:
        parse(Conditions, values)

    assert (str(refused.value), refused.value.field) == (message, field)


@pytest.mark.parametrize(
    ("values", "message", "field"),
    [
        ({}, "a rule sets something: give at least one action", ""),
        (
            {"carrier_account": 1},
            "a carrier account and its service are set together: give the service",
            "service_code",
        ),
        (
            {"service_code": "colissimo_home"},
            "a carrier account and its service are set together: give the carrier account",
            "carrier_account",
        ),
        ({"length_cm": 20}, "give the length, width and height together", "length_cm"),
        ({"hold_days": 400}, "hold for (days): 400 is more than 365", "hold_days"),
        (
            {"hold_until": "2026-04-01", "hold_days": 2},
            "hold until a date or for a number of days, not both",
            "hold_days",
        ),
        ({"weight_grams": "2000000"}, "weight (g): 2000000 is more than 1000000 g", "weight_grams"),
        (
            {"height_cm": "nan", "length_cm": 1, "width_cm": 1},
            "height (cm): nan is not a finite number",
            "height_cm",
        ),
    ],
)
def test_wrong_actions_are_refused_with_the_field_named(values, message, field):
    with pytest.raises(RuleError) as refused:
        parse(Actions, values)

    assert (str(refused.value), refused.value.field) == (message, field)


def test_actions_are_stored_with_only_what_is_set():
    actions = parse(
        Actions,
        {
            "carrier_account": "3",
            "service_code": "colissimo_home",
            "package_code": "",
            "length_cm": "20",
            "width_cm": 15,
            "height_cm": "5.5",
            "hold_days": "2",
            "tag": " fragile ",
        },
    )

    assert actions.stored() == {
        "carrier_account": 3,
        "service_code": "colissimo_home",
        "length_cm": "20.00",
        "width_cm": "15.00",
        "height_cm": "5.50",
        "hold_days": 2,
        "tag": "fragile",
    }
