"""IMEIs and serial numbers: the Luhn check, normalisation, phone detection, notes parsing."""

import pytest
from django.utils import translation

from shipdesk.orders.imei import (
    NotesIdentifiers,
    imei_error,
    is_phone,
    luhn_ok,
    normalise_imei,
    parse_notes,
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


@pytest.mark.parametrize(
    ("notes", "found"),
    [
        (f"IMEI: {IMEI_A}", NotesIdentifiers(imeis=[(None, IMEI_A)])),
        (f"imei#{IMEI_A}", NotesIdentifiers(imeis=[(None, IMEI_A)])),
        ("IMEI 35 693803 5643809", NotesIdentifiers(imeis=[(None, IMEI_A)])),
        (
            f"IP13-128: IMEI {IMEI_A}\nMBA.M1: {IMEI_B}",
            NotesIdentifiers(imeis=[("IP13-128", IMEI_A), ("MBA.M1", IMEI_B)]),
        ),
        # The same IMEI written twice is read once.
        (f"IMEI: {IMEI_A}\nIMEI {IMEI_A}", NotesIdentifiers(imeis=[(None, IMEI_A)])),
        (
            f"IMEI: 356938035643808\nimei=12345\nIMEI: {IMEI_B}",
            NotesIdentifiers(imeis=[(None, IMEI_B)], invalid=["356938035643808", "12345"]),
        ),
        # Phone numbers and other figures are not IMEIs.
        ("Call back on 0612345678 before 18:00", NotesIdentifiers()),
        ("", NotesIdentifiers()),
        (None, NotesIdentifiers()),
    ],
)
def test_parse_notes(notes, found):
    assert parse_notes(notes) == found
