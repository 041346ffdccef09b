"""Pure mapping of recorded Back Market payloads to shipdesk's order data."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from shipdesk.backmarket import parse_order
from shipdesk.backmarket.mapping import AddressData, has_shipping_address, map_order, status_key

DATA = Path(__file__).parent.parent / "data" / "backmarket"


def load(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def test_normal_order_maps_every_shipstation_field_back_market_carries():
    data = map_order(parse_order(load("order_normal")))

    assert data.channel_order_id == 78612345
    assert data.status_key == "1"
    assert data.awaiting_acceptance is True
    assert data.order_date == datetime(2026, 3, 22, 19, 14, 18, tzinfo=UTC)
    assert data.payment_date == datetime(2026, 3, 22, 19, 17, tzinfo=UTC)
    assert data.channel_modified_at == datetime(2026, 3, 22, 19, 20, 2, tzinfo=UTC)
    assert data.customer_email == "shipping_12345678_78612345@eu.perso-email.com"
    assert data.ship_to == AddressData(
        name="Élodie Martin",
        street1="12 rue des Lilas",
        street2="Bât. B",
        city="Lyon",
        postal_code="69003",
        country="FR",
        phone="06 12 34 56 78",
        email="shipping_12345678_78612345@eu.perso-email.com",
    )
    assert data.bill_to.email == "billing_12345678_78612345@eu.perso-email.com"
    assert data.requested_shipping_service == "Colissimo — 48 h"
    assert data.payment_method == "CARD"
    assert data.currency == "EUR"
    assert data.order_total == Decimal("369.00")
    assert data.is_backship is False
    assert data.delivery_note_url.startswith("https://www.backmarket.fr/bo_merchant/")
    [item] = data.items
    assert item.channel_line_id == 78638901
    assert item.channel_state == 1
    assert item.sku == "IP13-128-BLK-GOOD"
    assert item.unit_price == Decimal("369.00")
    assert item.options == [
        {"name": "Grade", "value": "Good"},
        {"name": "Storage", "value": "128 GB"},
        {"name": "Colour", "value": "Noir"},
        {"name": "Lock status", "value": "Unlocked"},
    ]


def test_unit_price_is_the_line_total_divided_by_quantity():
    data = map_order(parse_order(load("order_multi_line")))

    prices = {i.sku: (i.quantity, i.line_price, i.unit_price) for i in data.items}
    assert prices == {
        "IP13-128-BLK-GOOD": (1, Decimal("369.00"), Decimal("369.00")),
        "SGS21-128-GRY-EXC": (2, Decimal("598.00"), Decimal("299.00")),
        "APP-USBC-20W": (4, Decimal("80.00"), Decimal("20.00")),
    }
    assert data.status_key == "3"
    galaxy = next(i for i in data.items if i.sku == "SGS21-128-GRY-EXC")
    assert galaxy.options == [
        {"name": "Grade", "value": "Excellent"},
        {"name": "Storage", "value": "128 GB"},
        {"name": "Colour", "value": "Grau"},
        {"name": "Lock status", "value": "Unlocked"},
    ]


def test_gdpr_erased_customer_keeps_deleted_names_and_no_email():
    data = map_order(parse_order(load("order_gdpr_deleted")))

    assert data.ship_to.name == "Deleted"
    assert data.customer_email == ""
    assert data.ship_to.phone == "Deleted"


def test_old_grades_and_backcare_become_options():
    raw = load("order_old_gender_condition")
    raw["orderlines"][0]["backcare"] = True
    raw["orderlines"][0]["backcare_price"] = 1299

    [item] = map_order(parse_order(raw)).items

    assert item.options == [
        {"name": "Grade", "value": "Very good"},
        {"name": "Storage", "value": "64 GB"},
        {"name": "Colour", "value": "Argent"},
        {"name": "Lock status", "value": "Unlocked"},
        {"name": "Back Care", "value": "Yes (12.99 EUR)"},
    ]


def test_every_line_cancelled_or_refunded_before_shipping_maps_to_the_cancelled_key():
    raw = load("order_multi_line")
    raw["state"] = 9
    for line, state in zip(raw["orderlines"], (4, 5, 7), strict=True):
        line["state"] = state

    assert status_key(parse_order(raw)) == "cancelled"

    # A line refunded after shipping is a return: the order shipped.
    raw["orderlines"][2]["state"] = 6
    assert status_key(parse_order(raw)) == "9"

    raw["orderlines"][0]["state"] = 3
    assert status_key(parse_order(raw)) == "9"


def test_order_without_shipping_address_is_detected():
    raw = load("order_normal")
    assert has_shipping_address(parse_order(raw)) is True

    raw["shipping_address"] = None
    assert has_shipping_address(parse_order(raw)) is False

    raw["shipping_address"] = {"first_name": "Ana", "street": "", "city": "Madrid"}
    assert has_shipping_address(parse_order(raw)) is False
