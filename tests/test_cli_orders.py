"""`shipdesk orders`: IMEIs all or nothing and correctable, same-numbered orders in several
stores, deleted orders, times in the configured zone, help texts."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from shipdesk.orders.actions import delete_order
from shipdesk.orders.models import ItemUnit, Order, OrderEvent
from tests.factories import make_order, make_store

from .commands import refusal, run

pytestmark = pytest.mark.django_db

IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"
THIRD_IMEI = "353918057421477"
SKU = "IP13-128-BLK"


def imeis(order) -> list[str]:
    return list(ItemUnit.objects.filter(item__order=order).values_list("imei", flat=True))


@pytest.fixture
def store():
    return make_store()


def test_two_imeis_for_a_one_unit_line_save_nothing(store):
    order = make_order(store, 1001)

    message = refusal(
        "orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI, "--imei", OTHER_IMEI
    )

    assert message == (
        f"{SKU} has 1 unit(s) without an IMEI / serial number but 2 values were given; "
        "nothing was saved"
    )
    assert imeis(order) == [""]
    assert not OrderEvent.objects.filter(kind="identifier_set").exists()


def test_a_wrong_second_imei_saves_neither(store):
    order = make_order(store, 1001, quantity=2)

    message = refusal(
        "orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI, "--imei", "356938035643808"
    )

    assert message == (
        "IMEI 356938035643808 has a wrong check digit (Luhn); check for a typing error"
    )
    assert imeis(order) == ["", ""]


def test_several_units_are_set_at_once(store):
    order = make_order(store, 1001, quantity=2)

    out = run("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI, "--imei", OTHER_IMEI)

    assert out == f"{SKU} unit 1: IMEI {IMEI}\n{SKU} unit 2: IMEI {OTHER_IMEI}\n"
    assert imeis(order) == [IMEI, OTHER_IMEI]


def test_a_typing_error_is_corrected_before_anything_is_sent(store):
    order = make_order(store, 1001)
    run("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI)

    again = refusal("orders", "set-imei", "1001", "--sku", SKU, "--imei", OTHER_IMEI)
    without_replace = refusal(
        "orders", "set-imei", "1001", "--sku", SKU, "--unit", "1", "--imei", OTHER_IMEI
    )
    out = run(
        "orders", "set-imei", "1001", "--sku", SKU, "--unit", "1", "--imei", OTHER_IMEI, "--replace"
    )

    assert again == f"every unit of {SKU} already has an IMEI / serial number"
    assert without_replace == (
        f"{SKU} unit 1 already has {IMEI}; to correct it, repeat with --unit 1 --replace "
        f"(or clear it with `shipdesk orders clear-imei ... --sku {SKU} --unit 1`)"
    )
    assert out == f"{SKU} unit 1: IMEI {OTHER_IMEI}\n"
    assert imeis(order) == [OTHER_IMEI]
    assert order.events.filter(kind="identifier_set").last().message == (
        f"IMEI {OTHER_IMEI} set on {SKU} unit 1 (replacing {IMEI})."
    )


def test_clear_imei_then_type_it_again(store):
    order = make_order(store, 1001)
    run("orders", "set-imei", "1001", "--sku", SKU, "--serial", "F2LXK0ABC")

    out = run("orders", "clear-imei", "1001", "--sku", SKU, "--unit", "1")
    nothing = refusal("orders", "clear-imei", "1001", "--sku", SKU, "--unit", "1")
    run("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI)

    assert out == f"{SKU} unit 1: cleared\n"
    assert nothing == f"{SKU} unit 1 has no IMEI / serial number to clear"
    assert imeis(order) == [IMEI]
    assert order.events.get(kind="identifier_cleared").message == (
        f"F2LXK0ABC cleared from {SKU} unit 1."
    )


def test_a_value_back_market_has_is_final(store):
    order = make_order(store, 1001)
    run("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI)
    ItemUnit.objects.filter(item__order=order).update(sent_at=datetime(2026, 3, 15, tzinfo=UTC))
    final = f"{SKU} unit 1 was already sent to Back Market and cannot be corrected"

    assert refusal("orders", "clear-imei", "1001", "--sku", SKU, "--unit", "1") == final
    assert (
        refusal(
            "orders",
            "set-imei",
            "1001",
            "--sku",
            SKU,
            "--unit",
            "1",
            "--imei",
            OTHER_IMEI,
            "--replace",
        )
        == final
    )
    assert imeis(order) == [IMEI]


def test_a_duplicate_imei_names_the_flag_that_overrides_it(store):
    other = make_order(store, 1002)
    ItemUnit.objects.filter(item__order=other).update(imei=IMEI)
    order = make_order(store, 1001)

    message = refusal("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI)
    run("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI, "--allow-duplicate")

    assert message == (
        f"{IMEI} is already used on order 1002; if you are sure, repeat with --allow-duplicate"
    )
    assert imeis(order) == [IMEI]


def test_the_same_value_twice_in_one_command_is_refused(store):
    order = make_order(store, 1001, quantity=2)

    message = refusal("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI, "--imei", IMEI)

    assert message == f"{IMEI} is given twice"
    assert imeis(order) == ["", ""]


def test_digits_that_are_not_ascii_are_not_an_imei(store):
    make_order(store, 1001)

    message = refusal("orders", "set-imei", "1001", "--sku", SKU, "--imei", "¹" * 15)

    assert message == f"IMEI {'¹' * 15!r} must contain only digits"


def test_a_number_in_several_stores_is_picked_with_store(store):
    lyon = make_store("Refurb Lyon")
    paris_order, lyon_order = make_order(store, 1001), make_order(lyon, 1001)

    ambiguous = refusal("orders", "set-imei", "1001", "--sku", SKU, "--imei", IMEI)
    run("orders", "set-imei", "1001", "--store", "Refurb Lyon", "--sku", SKU, "--imei", IMEI)
    shown = run("orders", "show", "1001", "--store", str(store.pk))

    assert ambiguous == (
        f"order number '1001' exists in several stores: 'Refurb Lyon' (id {lyon.pk}), "
        f"'Refurb Paris' (id {store.pk}); pick one with --store ID_OR_NAME"
    )
    assert (imeis(lyon_order), imeis(paris_order)) == ([IMEI], [""])
    assert shown.startswith("Order 1001 — awaiting_shipment — Refurb Paris\n")
    assert refusal("orders", "show", "1001", "--store", "Nowhere") == (
        "no store 'Nowhere' (give its id or name; see `shipdesk store list`)"
    )
    assert refusal("orders", "show", "1001", "--store", "99999999999999999999") == (
        "no store '99999999999999999999' (give its id or name; see `shipdesk store list`)"
    )


def test_deleted_orders_are_listed_and_restored(store):
    order = make_order(store, 1001)
    make_order(store, 1002)
    delete_order(order, source="api")

    hidden = refusal("orders", "show", "1001")
    listed = run("orders", "list", "--deleted")
    restored = run("orders", "restore", "1001")
    again = refusal("orders", "restore", "1001")

    assert hidden == "order '1001' is deleted; bring it back with `shipdesk orders restore 1001`"
    assert listed.splitlines()[-1] == "1 deleted orders"
    assert listed.split()[0] == "1001" and "[Refurb Paris]" in listed
    assert restored == "Order 1001 (Refurb Paris) restored.\n"
    assert again == "no deleted order '1001'"
    assert run("orders", "list").splitlines()[-1] == "2 orders"
    event = Order.objects.get(pk=order.pk).events.get(kind="restored")
    assert (event.source, event.message) == ("cli", "Restored (back in the order lists).")


@pytest.mark.parametrize(("zone", "shown"), [("Europe/Paris", "10:30"), ("Asia/Tokyo", "18:30")])
def test_order_times_are_shown_in_the_configured_zone(store, settings, zone, shown):
    settings.TIME_ZONE = zone
    make_order(store, 1001)  # ordered 2026-03-14 09:30 UTC

    line = run("orders", "list").splitlines()[0]

    assert line.split()[:3] == ["1001", "2026-03-14", shown]


def test_a_limit_must_be_a_positive_whole_number(store):
    assert refusal("orders", "list", "--limit", "-1") == (
        "Error: argument --limit: expected a whole number from 1 to 1000000000, got '-1'"
    )


def test_ship_help_lists_the_carrier_codes(capsys):
    with pytest.raises(SystemExit):
        call_command("orders", "ship", "--help")

    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        "--carrier CARRIER carrier code: one of colissimo, chronopost, dhl_express, ups, dpd, "
        "dpd_uk, gls, la_poste, royal_mail, fedex, usps, sandbox, other"
    ) in help_text
