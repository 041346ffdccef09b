"""Pure mapping: karrio's times, and the customs declaration for parcels leaving the EU."""

from datetime import time

import pytest

from shipdesk.carriers.mapping import clock_time, customs, shipment_request

from .conftest import phone_order


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09:38", time(9, 38)),
        ("14:32:07", time(14, 32, 7)),
        ("2:05 PM", time(14, 5)),
        ("14:32 PM", time(14, 32)),  # as karrio's flocaltime writes afternoon times
        ("12:10 AM", time(0, 10)),
        ("noon", None),
        ("", None),
    ],
)
def test_clock_time(value, expected):
    assert clock_time(value) == expected


@pytest.mark.django_db
def test_a_parcel_to_the_uk_carries_a_customs_declaration_and_one_inside_the_eu_none(orders):
    uk = phone_order("en-gb")
    item = uk.items.get()
    item.weight_grams = 190
    item.save()

    declaration = customs(uk, "FR")

    assert declaration == {
        "content_type": "merchandise",
        "incoterm": "DDU",
        "invoice": uk.order_number,
        "commodities": [
            {
                "sku": item.sku,
                "title": item.name[:100],
                "description": item.name[:100],
                "quantity": 1,
                "weight": 0.19,
                "weight_unit": "KG",
                "value_amount": float(item.unit_price),
                "value_currency": uk.currency,
                "origin_country": "FR",
            }
        ],
    }
    assert customs(phone_order("fr-fr"), "FR") is None


@pytest.mark.django_db
def test_dpd_parcels_are_weighed_in_decagrams(orders):
    order = phone_order("fr-fr")
    shipper = {"postal_code": "75011", "city": "Paris", "country_code": "FR"}
    common = dict(
        service="s",
        shipper=shipper,
        weight_grams=450,
        dimensions_cm=None,
        origin_country="FR",
        ship_date=order.order_date.date(),
    )

    assert shipment_request(order, **common)["parcels"] == [{"weight": 0.45, "weight_unit": "KG"}]
    assert shipment_request(order, karrio_carrier="dpd", **common)["parcels"] == [
        {"weight": 45, "weight_unit": "KG"}
    ]
