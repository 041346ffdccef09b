"""`shipdesk rules list/add/remove/apply`: exact output, one-line refusals, nothing half-saved."""

import json

import pytest

from shipdesk.orders.actions import update_seller_fields
from shipdesk.rules.models import ShippingRule
from shipdesk.stores.models import Warehouse
from tests.commands import refusal, run
from tests.factories import CHARGER, PHONE, imported_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return make_store("Refurb Paris")


def rules(store) -> list[tuple[int, str]]:
    return list(store.shipping_rules.order_by("position").values_list("position", "name"))


def test_rules_added_are_listed_in_the_order_they_run(store, colissimo):
    # given
    Warehouse.objects.create(name="Lyon")

    # when
    added = run(
        "rules",
        "add",
        "--store",
        "Refurb Paris",
        "--name",
        "Phones",
        "--sku-prefix",
        "IP13",
        "--country",
        "fr,be",
        "--country",
        "LU",
        "--max-weight",
        "500",
        "--backship",
        "no",
        "--account",
        "Colissimo pro",
        "--service",
        "colissimo_home",
        "--package",
        "small_package",
        "--size",
        "16x9x4.5",
        "--tag",
        "phone",
        "--warehouse",
        "Lyon",
    )
    first = run(
        "rules",
        "add",
        "--store",
        str(store.pk),
        "--name",
        "Big orders",
        "--position",
        "1",
        "--min-items",
        "3",
        "--min-total",
        "1000",
        "--hold-days",
        "2",
        "--inactive",
    )

    # then
    phones = ShippingRule.objects.get(name="Phones")
    big = ShippingRule.objects.get(name="Big orders")
    assert added == f"Rule {phones.pk} 'Phones' added to Refurb Paris at position 1.\n"
    assert first == f"Rule {big.pk} 'Big orders' added to Refurb Paris at position 1.\n"
    assert rules(store) == [(1, "Big orders"), (2, "Phones")]
    assert run("rules", "list") == (
        f"{big.pk:>5}  Refurb Paris  #1  Big orders (inactive)\n"
        "       if: minimum number of items: 3; minimum order total: 1000.00\n"
        "       then: hold for (days): 2\n"
        f"{phones.pk:>5}  Refurb Paris  #2  Phones\n"
        "       if: destination countries: FR, BE, LU; SKU prefix: IP13; "
        "maximum weight (g): 500; BackShip: no\n"
        "       then: service: colissimo_home (Colissimo pro); package: small_package; "
        "size (cm): 16 × 9 × 4.5; tag: phone; ship-from warehouse: Lyon\n"
    )
    assert json.loads(run("rules", "list", "--store", "Refurb Paris", "--json"))[1] == {
        "id": phones.pk,
        "store": "Refurb Paris",
        "store_id": store.pk,
        "position": 2,
        "name": "Phones",
        "active": True,
        "conditions": {
            "countries": ["FR", "BE", "LU"],
            "sku_prefix": "IP13",
            "max_weight_grams": 500,
            "backship": False,
        },
        "actions": {
            "carrier_account": colissimo.pk,
            "service_code": "colissimo_home",
            "package_code": "small_package",
            "length_cm": "16.00",
            "width_cm": "9.00",
            "height_cm": "4.50",
            "tag": "phone",
            "warehouse": Warehouse.objects.get(name="Lyon").pk,
        },
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--max-weight", "1e9", "--tag", "x"], "maximum weight (g): 1e9 is more than 1000000 g"),
        (["--min-total", "NaN", "--tag", "x"], "minimum order total: NaN is not a finite number"),
        (["--min-items", "-2", "--tag", "x"], "minimum number of items: -2 is negative"),
        (["--hold-days", "2.5"], "hold for (days): 2.5 is not a whole number"),
        (["--weight", "9" * 60], "weight (g): " + "9" * 20 + "… is not a number"),
        (
            ["--min-weight", "900", "--max-weight", "100", "--tag", "x"],
            "minimum weight (g) is above maximum weight (g)",
        ),
        (
            ["--country", "France", "--tag", "x"],
            "destination countries: FRANCE is not a two-letter country code",
        ),
        (["--country", "FR"], "a rule sets something: give at least one action"),
        (
            ["--account", "Nobody", "--service", "x"],
            "no carrier account 'Nobody' (see `shipdesk carrier list`)",
        ),
        (
            ["--account", "Colissimo pro", "--service", "chrono_13"],
            "chrono_13 is not a service of Colissimo; expected one of colissimo_home, "
            "colissimo_home_signature, colissimo_international",
        ),
        (
            ["--account", "Colissimo pro"],
            "a carrier account and its service are set together: give the service",
        ),
        (["--size", "16x9"], "--size wants LENGTHxWIDTHxHEIGHT in cm (e.g. 16x9x4.5), not '16x9'"),
        (["--hold-until", "tomorrow"], "--hold-until wants a date as YYYY-MM-DD, not 'tomorrow'"),
        (["--warehouse", "Nowhere"], "no warehouse 'Nowhere' (give its id or name)"),
        (
            ["--position", "0", "--tag", "x"],
            "Error: argument --position: expected a whole number from 1 to 10000, got '0'",
        ),
        (["--name", "Phones", "--tag", "x"], "store Refurb Paris already has a rule named Phones"),
    ],
)
def test_a_wrong_rule_gets_one_line_and_nothing_is_saved(store, colissimo, arguments, message):
    # given
    run("rules", "add", "--store", "Refurb Paris", "--name", "Phones", "--tag", "phone")

    # when
    refused = refusal("rules", "add", "--store", "Refurb Paris", "--name", "New", *arguments)

    # then
    assert refused == message
    assert rules(store) == [(1, "Phones")]


def test_a_removed_rule_leaves_the_others_numbered_in_order(store):
    # given
    for name in ("First", "Second", "Third"):
        run("rules", "add", "--store", "Refurb Paris", "--name", name, "--tag", name.lower())
    second = ShippingRule.objects.get(name="Second")

    # when
    said = run("rules", "remove", str(second.pk))

    # then
    assert said == f"Rule {second.pk} 'Second' removed from Refurb Paris.\n"
    assert rules(store) == [(1, "First"), (2, "Third")]
    assert refusal("rules", "remove", str(second.pk)) == (
        f"no rule {second.pk} (see `shipdesk rules list`)"
    )


def test_rules_apply_again_to_orders_and_refuses_closed_ones(store, colissimo):
    # given: orders imported before the rule; the seller weighed one by hand
    phone = imported_order(store, lines=(PHONE,))
    charger = imported_order(store, lines=(CHARGER,))
    shipped = imported_order(store, lines=(PHONE,), state=9)
    update_seller_fields(phone, weight_grams=210)
    run(
        "rules",
        "add",
        "--store",
        "Refurb Paris",
        "--name",
        "Phones",
        "--sku-prefix",
        "IP13",
        "--account",
        "Colissimo pro",
        "--service",
        "colissimo_home",
        "--weight",
        "300",
    )

    # when
    refused = refusal(
        "rules", "apply", phone.order_number, charger.order_number, shipped.order_number
    )

    # then
    assert refused == f"order {shipped.order_number} is shipped: rules apply to open orders only"
    phone.refresh_from_db()
    assert (phone.service_code, phone.weight_grams) == ("colissimo_home", 210)
    assert run("rules", "apply", phone.order_number, charger.order_number) == (
        f"Order {phone.order_number}: Rule “Phones” applies; kept as set by hand: weight.\n"
        f"Order {charger.order_number}: No rule changed anything.\n"
    )
    assert list(phone.events.filter(kind="rule_applied").values_list("source", "message")) == [
        (
            "cli",
            "Rule “Phones” set service Colissimo Domicile sans signature (Colissimo pro); "
            "kept as set by hand: weight.",
        )
    ]
