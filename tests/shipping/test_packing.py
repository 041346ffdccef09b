"""The pack station's domain without a browser: finding the order from a scan, verifying each
unit from its barcode or IMEI, refusing wrong and extra items, all written in the history."""

import dataclasses

import pytest
from django.utils import translation

from shipdesk.orders.actions import OrderActionError, set_identifier
from shipdesk.orders.history import PACKING_REFUSALS, render
from shipdesk.orders.models import ItemUnit, OrderEvent, Product
from shipdesk.shipping import packing
from shipdesk.shipping.actions import ship_order
from tests.factories import (
    CHARGER,
    IMEI,
    OTHER_IMEI,
    OTHER_PHONE,
    PHONE,
    imported_order,
    make_store,
)

pytestmark = pytest.mark.django_db

TWO_PHONES = dataclasses.replace(PHONE, quantity=2, price="738.00")
WRONG_CHECK_DIGIT = "356938035643808"


@pytest.fixture
def shop():
    return make_store()


def history(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order, kind__startswith="packing_")
        .order_by("id")
        .values_list("message", flat=True)
    )


def scans(order, *codes) -> list[tuple[bool, str]]:
    return [(result.ok, result.message) for result in (packing.scan(order, code) for code in codes)]


def test_the_slips_barcode_or_a_labels_tracking_number_finds_the_order(shop):
    order = imported_order(shop, lines=(PHONE,))
    labelled = imported_order(shop, lines=(CHARGER,))
    ship_order(labelled, carrier_code="colissimo", tracking_number="6A 1234 5678 901")

    assert packing.find_order(f" {order.order_number} ") == order
    assert packing.find_order("6A12345678901") == labelled
    assert packing.find_order(labelled.order_number) == labelled


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("", "Scan a packing slip or a tracking number."),
        ("NOPE-42", "No order or tracking number NOPE-42."),
    ],
)
def test_a_scan_naming_no_order_says_so(shop, code, expected):
    imported_order(shop)

    with pytest.raises(packing.PackingError) as refused:
        packing.find_order(code)

    assert str(refused.value) == expected


def test_an_order_on_hold_or_cancelled_is_not_packed(shop):
    held = imported_order(shop)
    held.status = "on_hold"
    held.save()

    with pytest.raises(packing.PackingError) as refused:
        packing.find_order(held.order_number)

    assert str(refused.value) == f"order {held.order_number} is on hold: release it first"


def test_every_unit_scanned_a_wrong_and_an_extra_item_refused_and_the_imei_saved(shop):
    order = imported_order(shop, lines=(PHONE, CHARGER))
    packing.start(order, code=order.order_number)

    said = scans(
        order,
        "CASE-IP13-CLEAR",  # not in the order
        "chg-20w-usbc",  # the charger, its SKU in any case
        "CHG-20W-USBC",  # one too many
        "IP13-128-BLK-GOOD",  # the phone: its IMEI next
        WRONG_CHECK_DIGIT,
        "3569 3803 5643 809",  # as a scanner with spaces sends it
    )

    assert said == [
        (False, "Pack station: CASE-IP13-CLEAR refused: not in this order."),
        (True, "Pack station: chg-20w-usbc verified CHG-20W-USBC unit 1."),
        (False, "Pack station: CHG-20W-USBC refused: one CHG-20W-USBC too many (the order has 1)."),
        (
            True,
            "Pack station: IP13-128-BLK-GOOD scanned (IP13-128-BLK-GOOD); waiting for its "
            "IMEI / serial number.",
        ),
        (
            False,
            f"Pack station: {WRONG_CHECK_DIGIT} refused: IMEI {WRONG_CHECK_DIGIT} has a wrong "
            "check digit (Luhn); check for a typing error.",
        ),
        (True, f"Pack station: {IMEI} verified IP13-128-BLK-GOOD unit 1."),
    ]
    state = packing.current(order)
    assert state.complete and state.verified_count == 2
    assert ItemUnit.objects.get(item__sku=PHONE.sku, item__order=order).imei == IMEI
    assert history(order)[0] == f"Pack station: packing started ({order.order_number} scanned)."
    assert history(order)[-1] == "Pack station: all 2 unit(s) verified."
    assert scans(order, "CHG-20W-USBC") == [
        (False, "Pack station: CHG-20W-USBC refused: every unit of this order is already verified.")
    ]


def test_an_imei_alone_verifies_the_only_phone_line_waiting_for_one(shop):
    order = imported_order(shop, lines=(TWO_PHONES,))
    packing.start(order)

    said = scans(order, IMEI, IMEI, OTHER_IMEI)

    assert said == [
        (True, f"Pack station: {IMEI} verified IP13-128-BLK-GOOD unit 1."),
        (
            False,
            f"Pack station: {IMEI} refused: this unit of IP13-128-BLK-GOOD is already verified.",
        ),
        (True, f"Pack station: {OTHER_IMEI} verified IP13-128-BLK-GOOD unit 2."),
    ]
    units = ItemUnit.objects.filter(item__order=order).order_by("index")
    assert list(units.values_list("imei", flat=True)) == [IMEI, OTHER_IMEI]


def test_with_two_phone_lines_the_product_is_scanned_before_its_imei(shop):
    order = imported_order(shop, lines=(PHONE, OTHER_PHONE))
    packing.start(order)

    said = scans(order, IMEI, OTHER_PHONE.sku, IMEI)

    assert said == [
        (
            False,
            f"Pack station: {IMEI} refused: several lines wait for an IMEI / serial number: "
            "scan the product first.",
        ),
        (
            True,
            f"Pack station: {OTHER_PHONE.sku} scanned ({OTHER_PHONE.sku}); waiting for its "
            "IMEI / serial number.",
        ),
        (True, f"Pack station: {IMEI} verified {OTHER_PHONE.sku} unit 1."),
    ]
    assert ItemUnit.objects.get(item__order=order, item__sku=OTHER_PHONE.sku).imei == IMEI
    assert ItemUnit.objects.get(item__order=order, item__sku=PHONE.sku).imei == ""


def test_a_phone_whose_imei_was_recorded_must_be_that_phone(shop):
    order = imported_order(shop, lines=(PHONE,))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)
    packing.start(order)

    said = scans(order, PHONE.sku, OTHER_IMEI, IMEI)

    assert said == [
        (
            True,
            f"Pack station: {PHONE.sku} scanned ({PHONE.sku}); waiting for its IMEI / serial "
            "number.",
        ),
        (
            False,
            f"Pack station: {OTHER_IMEI} refused: not an IMEI / serial number recorded for "
            f"{PHONE.sku}.",
        ),
        (True, f"Pack station: {IMEI} verified {PHONE.sku} unit 1."),
    ]
    assert ItemUnit.objects.get(item__order=order).imei == IMEI


def test_an_imei_already_on_another_order_and_another_orders_slip_are_refused(shop):
    other = imported_order(shop, lines=(PHONE,))
    set_identifier(other, sku=PHONE.sku, imei=IMEI)
    order = imported_order(shop, lines=(PHONE,))
    packing.start(order)

    said = scans(order, IMEI, other.order_number)

    assert said == [
        (False, f"Pack station: {IMEI} refused: already used on order {other.order_number}."),
        (
            False,
            f"Pack station: {other.order_number} refused: it is the packing slip of order "
            f"{other.order_number}.",
        ),
    ]
    assert ItemUnit.objects.get(item__order=order).imei == ""
    assert packing.current(order).verified_count == 0


def test_the_history_is_the_state_and_scanning_the_slip_again_starts_over(shop):
    order = imported_order(shop, lines=(CHARGER, dataclasses.replace(CHARGER, sku="CASE")))
    packing.start(order)
    scans(order, "CHG-20W-USBC")

    carried_on = packing.current(order)
    packing.start(order)
    again = packing.current(order)

    assert [(u.item.sku, u.verified) for u in carried_on.units] == [
        ("CHG-20W-USBC", True),
        ("CASE", False),
    ]
    assert [u.verified for u in again.units] == [False, False]


def test_a_refusal_is_said_in_the_readers_language(shop):
    order = imported_order(shop, lines=(PHONE,))
    packing.start(order)
    [result] = [packing.scan(order, WRONG_CHECK_DIGIT)]

    with translation.override("fr"):
        text = OrderEvent.objects.get(pk=result.event.pk).text

    assert text == (
        f"Poste d’emballage : {WRONG_CHECK_DIGIT} refusé : l’IMEI {WRONG_CHECK_DIGIT} a une "
        "clé de contrôle fausse (Luhn) ; vérifiez la saisie."
    )


def test_finishing_needs_every_unit_and_a_service_chosen(shop):
    order = imported_order(shop, lines=(CHARGER,))
    state = packing.start(order)

    with pytest.raises(OrderActionError) as early:
        packing.finish(state)
    packing.scan(order, CHARGER.sku)
    with pytest.raises(OrderActionError) as no_service:
        packing.finish(packing.current(order))

    assert str(early.value) == f"1 unit(s) of order {order.order_number} are not verified yet"
    assert str(no_service.value) == (
        f"no carrier service is chosen for order {order.order_number}: choose one on its page"
    )


def test_a_serial_number_is_taken_after_its_product_but_never_a_products_barcode(shop):
    Product.objects.create(sku="CASE-IP13-CLEAR", name="Clear case")
    order = imported_order(shop, lines=(PHONE,))
    packing.start(order)

    said = scans(order, "F2LXK0ABCDEF", PHONE.sku, "case-ip13-clear", "F2LXK0ABCDEF")

    assert said == [
        (False, "Pack station: F2LXK0ABCDEF refused: not in this order."),
        (
            True,
            f"Pack station: {PHONE.sku} scanned ({PHONE.sku}); waiting for its IMEI / serial "
            "number.",
        ),
        (False, "Pack station: case-ip13-clear refused: not in this order."),
        (True, f"Pack station: F2LXK0ABCDEF verified {PHONE.sku} unit 1."),
    ]
    assert ItemUnit.objects.get(item__order=order).serial_number == "F2LXK0ABCDEF"


@pytest.mark.parametrize("why", sorted(PACKING_REFUSALS))
def test_every_refusal_is_said_in_french_too(why):
    code = "S" * 51 if why == "invalid_serial" else "12345"  # too long; too short
    params = {"code": code, "why": why, "sku": "IP13", "count": 1, "number": "7", "error": "busy"}

    with translation.override("en"):
        english = render("packing_refused", params).removeprefix(f"Pack station: {code} refused: ")
    with translation.override("fr"):
        french = render("packing_refused", params).removeprefix(
            f"Poste d’emballage : {code} refusé : "
        )

    assert len(english) > 2 and len(french) > 2
    assert french != english or why == "refused"  # a refusal from elsewhere, said as it was
