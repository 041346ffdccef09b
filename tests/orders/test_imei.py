"""IMEIs and serial numbers: the Luhn check, normalisation, phone detection, reading the
Internal Notes."""

import pytest
from django.utils import translation

from shipdesk.orders.imei import (
    NotesReading,
    NotesUnit,
    NotesValue,
    imei_error,
    is_phone,
    luhn_ok,
    normalise_imei,
    read_notes,
    serial_error,
)

IMEI_A = "356938035643809"
IMEI_B = "490154203237518"


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (IMEI_A, True),
        (IMEI_B, True),
        ("356938035643808", False),  # last digit off by one
        ("356938035634809", False),  # two neighbouring digits swapped
        ("356938035643890", True),  # 09 <-> 90: the one swap Luhn cannot see
        ("79927398713", True),  # the textbook Luhn example
        ("79927398710", False),
    ],
)
def test_luhn_check(digits, valid):
    assert luhn_ok(digits) is valid


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        (" 35-693803 5643809/.", IMEI_A),
        ("35 69 38 03 56 43 80 9", IMEI_A),
        ("35\t693803\n5643809", IMEI_A),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_removes_what_scanners_and_people_add(typed, normalised):
    assert normalise_imei(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        (IMEI_A, None),
        ("35-693803-5643809", None),
        ("35693803564380", "IMEI 35693803564380 has 14 digits; an IMEI has 15"),
        ("3569380356438091", "IMEI 3569380356438091 has 16 digits; an IMEI has 15"),
        (
            "356938035643808",
            "IMEI 356938035643808 has a wrong check digit (Luhn); check for a typing error",
        ),
        ("3569380356438O9", "IMEI '3569380356438O9' must contain only digits"),
        # Digits to str.isdigit, not to Back Market.
        ("35693803564380٩", "IMEI '35693803564380٩' must contain only digits"),
        ("35693803564380¹", "IMEI '35693803564380¹' must contain only digits"),
        ("", "IMEI '' must contain only digits"),
    ],
)
def test_imei_error_says_what_is_wrong(typed, error):
    assert imei_error(typed) == error


def test_imei_error_in_french():
    with translation.override("fr"):
        assert imei_error("356938035643808") == (
            "l’IMEI 356938035643808 a une clé de contrôle fausse (Luhn) ; vérifiez la saisie"
        )


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("F2LXK0ABHG7F", None),
        ("x" * 50, None),
        ("", "the serial number is empty"),
        ("   ", "the serial number is empty"),
        (None, "the serial number is empty"),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2,
            "serial number ABCDEFGHIJKLMNOPQRST… is longer than 50 characters",
        ),
    ],
)
def test_serial_error(typed, error):
    assert serial_error(typed) == error


@pytest.mark.parametrize(
    ("title", "brand", "phone"),
    [
        ("iPhone 13 128 Go - Minuit - Débloqué", "Apple", True),
        ("Galaxy S21 5G 128 Go", "Samsung", True),
        ("Pixel 7 128 GB", "Google", True),
        ("Fairphone 4", "", True),
        ("Chargeur rapide 20 W pour iPhone", "Apple", False),
        ("Galaxy Tab S7 128 Go", "Samsung", False),
        ("MacBook Air M1 13 pouces", "Apple", False),
        ("AirPods Pro", "Apple", False),
        ("Coque iPhone 13", "", False),
    ],
)
def test_is_phone_from_title_and_brand(title, brand, phone):
    assert is_phone(title=title, brand=brand) is phone


@pytest.mark.parametrize("needs_imei", [True, False])
def test_the_catalogue_decides_over_the_title(needs_imei):
    assert is_phone(title="Chargeur iPhone", catalogue_needs_imei=needs_imei) is needs_imei
    assert is_phone(title="iPhone 13", catalogue_needs_imei=needs_imei) is needs_imei


PHONE = NotesUnit("IP13", 1)
SECOND_PHONE = NotesUnit("IP13", 2)
OTHER_PHONE = NotesUnit("S21", 1)
LAPTOP = NotesUnit("MBA", 1, takes_serial=True)
SERIAL = "C02XK0ABHG7F"


def imei(unit: NotesUnit, value: str, recorded=False) -> NotesValue:
    return NotesValue(unit.sku, unit.unit, imei=value, recorded=recorded)


def serial(unit: NotesUnit, value: str) -> NotesValue:
    return NotesValue(unit.sku, unit.unit, serial_number=value)


def count_problem(count, units):
    names = ", ".join(f"{u.sku} unit {u.unit}" for u in units)
    return (
        f"Internal notes: {count} number(s) without a SKU for {len(units)} unit(s) without an "
        f"IMEI / serial number ({names}): write one per line, in the order of the items, or "
        "“SKU: number” lines"
    )


@pytest.mark.parametrize(
    ("notes", "units", "values"),
    [
        # The number alone: the notes are just it, or it is alone on its line.
        (IMEI_A, [PHONE], [imei(PHONE, IMEI_A)]),
        (f"  {IMEI_A}  \n", [PHONE], [imei(PHONE, IMEI_A)]),
        ("Checked by Léa.\n35 693803 5643809\nShelf B", [PHONE], [imei(PHONE, IMEI_A)]),
        # Labelled, as before.
        (f"IMEI: {IMEI_A}", [PHONE], [imei(PHONE, IMEI_A)]),
        (f"imei#{IMEI_A}", [PHONE], [imei(PHONE, IMEI_A)]),
        ("IMEI 35 693803 5643809", [PHONE], [imei(PHONE, IMEI_A)]),
        (f"Checked by Léa, IMEI {IMEI_A} ok", [PHONE], [imei(PHONE, IMEI_A)]),
        # Several units: one line each, in item order (units of one SKU, or of several).
        (
            f"{IMEI_A}\n{IMEI_B}",
            [PHONE, SECOND_PHONE],
            [imei(PHONE, IMEI_A), imei(SECOND_PHONE, IMEI_B)],
        ),
        (
            f"{IMEI_B}\n\nIMEI: {IMEI_A}",
            [PHONE, OTHER_PHONE],
            [imei(PHONE, IMEI_B), imei(OTHER_PHONE, IMEI_A)],
        ),
        # Or `SKU: value`, in any order, any case; a SKU's value fills its first unit.
        (
            f"s21: {IMEI_B}\nIP13: IMEI {IMEI_A}",
            [PHONE, OTHER_PHONE],
            [imei(PHONE, IMEI_A), imei(OTHER_PHONE, IMEI_B)],
        ),
        (f"IP13: {IMEI_A}", [PHONE, SECOND_PHONE], [imei(PHONE, IMEI_A)]),
        # A SKU's value, then the one left alone for the unit left.
        (
            f"{IMEI_A}\nS21: {IMEI_B}",
            [PHONE, OTHER_PHONE],
            [imei(PHONE, IMEI_A), imei(OTHER_PHONE, IMEI_B)],
        ),
        # Serial numbers: labelled for any unit, alone for an item taking one.
        (f"S/N: {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (f"serial: {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (f"SN {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (f"Serial number: {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (f"N° de série : {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (f"IP13: S/N: {SERIAL}", [PHONE], [serial(PHONE, SERIAL)]),
        (SERIAL, [LAPTOP], [serial(LAPTOP, SERIAL)]),
        (f"MBA: {SERIAL}", [PHONE, LAPTOP], [serial(LAPTOP, SERIAL)]),
        (f"{IMEI_A}\n{SERIAL}", [PHONE, LAPTOP], [imei(PHONE, IMEI_A), serial(LAPTOP, SERIAL)]),
        # A word alone is no phone's serial number; phone numbers and figures are no IMEIs.
        (SERIAL, [PHONE], []),
        ("SNOW12345", [PHONE], []),
        ("Call back on 0612345678 before 18:00\n06 12 34 56 78\nNote: 12", [PHONE], []),
        ("", [PHONE], []),
        (None, [PHONE], []),
        # An order with nothing needing an IMEI reads nothing.
        (IMEI_A, [], []),
    ],
)
def test_read_notes(notes, units, values):
    assert read_notes(notes, units) == NotesReading(values=values)


def test_a_value_the_unit_already_has_is_shown_read_and_not_filled_again():
    recorded = NotesUnit("IP13", 1, recorded=IMEI_A)

    reading = read_notes(f"{IMEI_A}\n{IMEI_B}", [recorded, SECOND_PHONE])

    assert reading == NotesReading(
        values=[imei(recorded, IMEI_A, recorded=True), imei(SECOND_PHONE, IMEI_B)]
    )
    assert reading.to_fill() == [imei(SECOND_PHONE, IMEI_B)]


LUHN = "356938035643808"
LUHN_PROBLEM = (
    "Internal notes, line %s: IMEI 356938035643808 has a wrong check digit (Luhn); "
    "check for a typing error"
)


@pytest.mark.parametrize(
    ("notes", "units", "values", "problems"),
    [
        # More numbers than units.
        (f"{IMEI_A}\n{IMEI_B}", [PHONE], [], [count_problem(2, [PHONE])]),
        # Fewer, with no SKU to place them.
        (IMEI_A, [PHONE, OTHER_PHONE], [], [count_problem(1, [PHONE, OTHER_PHONE])]),
        (IMEI_A, [PHONE, SECOND_PHONE], [], [count_problem(1, [PHONE, SECOND_PHONE])]),
        # A 15-digit number failing Luhn: reported, never read; it still takes its line's unit.
        (LUHN, [PHONE], [], [LUHN_PROBLEM % 1]),
        (f"IMEI: {LUHN}", [PHONE], [], [LUHN_PROBLEM % 1]),
        (
            f"{IMEI_A}\n{LUHN}",
            [PHONE, OTHER_PHONE],
            [imei(PHONE, IMEI_A)],
            [LUHN_PROBLEM % 2],
        ),
        (f"{IMEI_A}\n{LUHN}", [PHONE], [], [LUHN_PROBLEM % 2, count_problem(2, [PHONE])]),
        (
            "35693803564380",
            [PHONE],
            [],
            ["Internal notes, line 1: IMEI 35693803564380 has 14 digits; an IMEI has 15"],
        ),
        (
            f"{IMEI_A}\n09445440281234",
            [PHONE],
            [imei(PHONE, IMEI_A)],
            ["Internal notes, line 2: IMEI 09445440281234 has 14 digits; an IMEI has 15"],
        ),
        (
            f"{IMEI_A}\n35693803564380",
            [PHONE, OTHER_PHONE],
            [],
            [
                "Internal notes, line 2: IMEI 35693803564380 has 14 digits; an IMEI has 15",
                count_problem(1, [PHONE, OTHER_PHONE]),
            ],
        ),
        (
            "imei=12345",
            [PHONE],
            [],
            ["Internal notes, line 1: IMEI 12345 has 5 digits; an IMEI has 15"],
        ),
        (
            "IMEI: 3569380356438O9",
            [PHONE],
            [],
            ["Internal notes, line 1: IMEI '3569380356438O9' must contain only digits"],
        ),
        # A duplicate: neither is read.
        (
            f"{IMEI_A}\nIMEI: {IMEI_A}",
            [PHONE, OTHER_PHONE],
            [],
            [
                f"Internal notes, lines 1, 2: {IMEI_A} is written more than once; write each "
                "unit's number once"
            ],
        ),
        (
            f"IP13: {IMEI_A}\nIP13: {IMEI_A}",
            [PHONE, SECOND_PHONE],
            [],
            [
                f"Internal notes, lines 1, 2: {IMEI_A} is written more than once; write each "
                "unit's number once"
            ],
        ),
        # A SKU the order has no unit of; a SKU whose units all have one.
        (
            f"IP14: {IMEI_A}",
            [PHONE, LAPTOP],
            [],
            [
                "Internal notes, line 1: the order has no IP14 needing an IMEI / serial number; "
                "write one of IP13, MBA before the colon"
            ],
        ),
        (
            f"IP13: {IMEI_A}",
            [NotesUnit("IP13", 1, recorded=IMEI_B)],
            [],
            [
                "Internal notes, line 1: IP13 has no unit left without an IMEI / serial number; "
                "remove the line, or clear a unit's number on the order page"
            ],
        ),
        (
            IMEI_A,
            [NotesUnit("IP13", 1, recorded=IMEI_B)],
            [],
            [
                "Internal notes: 1 number(s) without a SKU, but every unit already has an IMEI / "
                "serial number: remove them, or clear a unit's number on the order page"
            ],
        ),
        # A phone's SKU with something that is no IMEI: how to write a serial number.
        (
            f"IP13: {SERIAL}",
            [PHONE],
            [],
            [
                f"Internal notes, line 1: {SERIAL} is not an IMEI (15 digits); for a serial "
                f"number write “IP13: S/N: {SERIAL}”"
            ],
        ),
        (
            "S/N: " + "X" * 51,
            [PHONE],
            [],
            [
                "Internal notes, line 1: serial number XXXXXXXXXXXXXXXXXXXX… is longer than 50 characters"
            ],
        ),
    ],
)
def test_read_notes_reports_what_it_cannot_read_with_what_to_type(notes, units, values, problems):
    assert read_notes(notes, units) == NotesReading(values=values, problems=problems)


def test_read_notes_problems_in_french():
    with translation.override("fr"):
        reading = read_notes(f"{IMEI_A}\n{IMEI_B}", [PHONE])

    assert reading.problems == [
        "Notes internes : 2 numéro(s) sans SKU pour 1 unité(s) sans IMEI / numéro de série "
        "(IP13 unité 1) : écrivez-en un par ligne, dans l’ordre des articles, ou des lignes "
        "« SKU : numéro »"
    ]
