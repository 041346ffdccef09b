"""The sandbox carrier: shipdesk's UPS simulator over real HTTP, karrio-ups unchanged.

Every call goes from shipdesk's services through karrio-ups to the simulator the Back
Market sandbox serves on 127.0.0.1; no recorded answers, no patched HTTP.
"""

import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from shipdesk.carriers import services
from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.carriers.models import CarrierShipment
from shipdesk.documents.labels import label_document
from shipdesk.orders.models import OrderEvent
from shipdesk.sandbox.carrier import check_digit, parse_profile
from shipdesk.shipping.models import Shipment
from tests.sandbox.conftest import FakeClock

from .conftest import phone_order, sandbox_account

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
BUSY = CarrierMessage(
    "190001", "The UPS system is temporarily unavailable; please try again later."
)


def valid_1z(number: str) -> bool:
    return bool(re.fullmatch(r"1Z[0-9A-Z]{16}", number)) and number[-1] == check_digit(number[2:-1])


def test_rates_priced_from_weight_and_destination(orders, sandbox):
    acc = sandbox_account(sandbox)
    to_germany = phone_order("de-de")  # 450 g: billed 0.5 kg, EU zone
    to_france = phone_order("fr-fr")  # domestic
    to_uk = phone_order("en-gb")  # outside the EU: no Standard
    to_uk.weight_grams = 2300  # billed 2.5 kg
    to_uk.save()

    rates = {
        order.ship_to.country: [
            (r.service, r.cost, r.currency, r.transit_days)
            for r in services.rates(order, acc).rates
        ]
        for order in (to_germany, to_france, to_uk)
    }

    assert rates == {
        "DE": [
            ("ups_standard_eu", Decimal("11.27"), "EUR", 3),
            ("ups_worldwide_saver_eu", Decimal("23.74"), "EUR", 2),
            ("ups_express_eu", Decimal("32.51"), "EUR", 1),
        ],
        "FR": [
            ("ups_standard_eu", Decimal("8.34"), "EUR", 3),
            ("ups_worldwide_saver_eu", Decimal("17.58"), "EUR", 2),
            ("ups_express_eu", Decimal("24.08"), "EUR", 1),
        ],
        "GB": [
            ("ups_worldwide_saver_eu", Decimal("50.51"), "EUR", 2),
            ("ups_express_eu", Decimal("68.75"), "EUR", 1),
        ],
    }


def test_a_pdf_label_costs_one_ship_call_once_the_account_has_its_token(orders, sandbox):
    acc = sandbox_account(sandbox)
    first, second = phone_order("de-de"), phone_order("fr-fr")

    bought = [
        services.ship_with_label(order, acc, "ups_standard_eu", notify_backmarket=False)
        for order in (first, second)
    ]

    assert [b.messages for b in bought] == [[], []]
    assert dict(sandbox.carrier.counts) == {"token": 1, "ship": 2}
    for order, result in zip((first, second), bought, strict=True):
        shipment = Shipment.objects.get(order=order)
        assert valid_1z(shipment.tracking_number)
        assert shipment.tracking_number[2:10] == "SBX00111"  # shipper number, service 11
        assert (shipment.carrier_code, shipment.service_code) == ("sandbox", "ups_standard_eu")
        assert shipment.tracking_url == (f"{acc.server_url}/track/{shipment.tracking_number}")
        label = PdfReader(io.BytesIO(bytes(shipment.label_pdf)))
        [page] = label.pages
        assert (page.mediabox.width, page.mediabox.height) == (288, 432)  # 4x6 in
        [image] = page.images
        assert image.image.size == (1200, 1800)  # UPS's picture, turned upright by karrio
        carrier_shipment = CarrierShipment.objects.get(shipment=shipment)
        assert (carrier_shipment.account, carrier_shipment.label_zpl) == (acc, "")
        parcel = sandbox.carrier.parcels[shipment.tracking_number]
        assert parcel.reference == order.order_number
        assert result.tracking_number == shipment.tracking_number
    assert first.shipments.get().tracking_number != second.shipments.get().tracking_number


def test_a_zpl_label_when_asked(orders, sandbox):
    acc = sandbox_account(sandbox)
    order = phone_order("de-de")

    result = services.ship_with_label(
        order, acc, "ups_express_eu", label_format="zpl", notify_backmarket=False
    )

    assert result.ok and result.messages == []
    shipment = Shipment.objects.get(order=order)
    assert shipment.label_pdf is None
    zpl = CarrierShipment.objects.get(shipment=shipment).label_zpl
    number = shipment.tracking_number
    assert zpl.startswith("^XA\n^CI28\n") and zpl.endswith("^XZ\n")
    assert f"^BY3^BCN,220,N,N,N^FD{number}^FS" in zpl  # the Code 128 barcode
    to = order.ship_to
    assert f"^FD{to.name}^FS" in zpl
    assert f"^FD{to.postal_code} {to.city}^FS" in zpl
    assert "^FDUPS EXPRESS^FS" in zpl


def test_void_at_the_carrier_then_refused_once_picked_up(orders, sandbox):
    acc = sandbox_account(sandbox)
    clock = FakeClock()
    sandbox.carrier.clock = clock
    kept, voided = phone_order("de-de"), phone_order("fr-fr")
    shipments = [
        services.ship_with_label(o, acc, "ups_standard_eu", notify_backmarket=False).shipment
        for o in (kept, voided)
    ]

    outcome = services.void_label(shipments[1])

    assert (outcome.approved, outcome.message) == (True, "label cancelled at the carrier")
    assert sandbox.carrier.parcels[shipments[1].tracking_number].voided is True
    clock.advance(4 * 3600)  # picked up
    late = services.void_label(shipments[0])
    assert (late.approved, late.message) == (
        False,
        "the carrier refused to cancel the label: Void period has expired (190117)",
    )
    shipments[0].refresh_from_db()
    assert shipments[0].voided is False
    assert sandbox.carrier.parcels[shipments[0].tracking_number].voided is False


def test_tracking_moves_on_with_the_clock_to_delivery(orders, sandbox):
    acc = sandbox_account(sandbox)
    clock = FakeClock()  # 2026-03-31T23:33:20Z, 01:33:20 in Paris on April 1st
    sandbox.carrier.clock = clock
    order = phone_order("de-de")
    shipment = services.ship_with_label(
        order, acc, "ups_standard_eu", notify_backmarket=False
    ).shipment

    seen = []
    for hours in (0, 7, 62, 66, 72):
        clock.now = FakeClock().now + hours * 3600
        result = services.track(shipment)
        seen.append((result.status, [e["code"] for e in result.events], result.delivered))

    assert seen == [
        ("pending", ["MP"], False),
        ("in_transit", ["DP", "PU", "MP"], False),
        ("in_transit", ["AR", "DP", "PU", "MP"], False),
        ("in_transit", ["OT", "AR", "DP", "PU", "MP"], False),  # UPS: OT is of type I
        ("delivered", ["KB", "OT", "AR", "DP", "PU", "MP"], True),
    ]
    shipment.refresh_from_db()
    assert shipment.delivered_at == datetime(2026, 4, 4, 1, 33, tzinfo=PARIS)
    delivered = CarrierShipment.objects.get(shipment=shipment).tracking_events[0]
    assert delivered == {
        "date": "2026-04-04",
        "time": "01:33",
        "code": "KB",
        "status": "delivered",
        "description": "DELIVERED",
        "location": f"{order.ship_to.city.upper()}, {order.ship_to.postal_code}, DE",
    }
    [event] = OrderEvent.objects.filter(order=order, kind="delivered")
    assert event.message == (
        f"Delivered (Sandbox carrier {shipment.tracking_number}) on 2026-04-04 01:33."
    )


def test_a_failing_account_is_refused_as_data_and_nothing_is_recorded(orders, sandbox):
    failing = sandbox_account(sandbox, "Busy", fail_rate=1)
    order = phone_order("de-de")

    rates = services.rates(order, failing)
    label = services.ship_with_label(order, failing, "ups_standard_eu", notify_backmarket=False)

    assert (rates.rates, rates.messages) == ([], [BUSY])
    assert (label.ok, label.messages) == (False, [BUSY])
    assert Shipment.objects.filter(order=order).count() == 0
    assert [c.status for c in sandbox.carrier.calls] == [200, 503, 503]  # token, rate, ship


def test_a_share_of_calls_fails_at_the_failure_rate(orders, sandbox):
    acc = sandbox_account(sandbox, fail_rate=0.25)
    order = phone_order("de-de")

    outcomes = [bool(services.rates(order, acc).messages) for _ in range(40)]

    # The simulator's draws are seeded (the sandbox's seed): always the same share.
    assert sum(outcomes) == sum(c.status == 503 for c in sandbox.carrier.calls) == 9


def test_the_carrier_refuses_an_address_it_cannot_serve(orders, sandbox):
    acc = sandbox_account(sandbox)
    order = phone_order("de-de")
    order.ship_to.postal_code = "00000"
    order.ship_to.save()

    result = services.ship_with_label(order, acc, "ups_standard_eu", notify_backmarket=False)

    assert (result.ok, [str(m) for m in result.messages]) == (
        False,
        ["The postal code 00000 is invalid for DE (120208)"],
    )
    assert Shipment.objects.filter(order=order).count() == 0


def test_every_call_waits_the_account_latency(orders, sandbox):
    acc = sandbox_account(sandbox, latency_ms=150)
    order = phone_order("de-de")

    services.rates(order, acc)

    assert [(c.route, c.profile) for c in sandbox.carrier.calls] == [
        ("token", "l150-f0"),
        ("rate", "l150-f0"),
    ]
    # A lower bound: the simulator never answers before the latency (asyncio.sleep).
    assert all(c.ended - c.started >= 0.15 for c in sandbox.carrier.calls)


def test_profiles():
    assert parse_profile("l150-f0.1") == (0.15, 0.1)
    assert parse_profile("l0-f0") == (0.0, 0.0)
    assert parse_profile("f1") == (0.0, 1.0)
    for wrong in ("", "x", "l-1", "f2", "l150-f0.12345"):
        with pytest.raises(ValueError, match="unknown sandbox carrier profile"):
            parse_profile(wrong)


def test_rates_from_every_active_account_at_once_with_the_rules_choice_marked(orders, sandbox):
    busy = sandbox_account(sandbox, "Busy", latency_ms=300, fail_rate=1)
    express = sandbox_account(sandbox, "Express", latency_ms=300)
    sandbox_account(sandbox, "Fast", latency_ms=300)
    off = sandbox_account(sandbox, "Off")
    off.active = False
    off.save()
    order = phone_order("de-de")
    order.carrier_account_id = express.pk  # what the shipping rules chose
    order.service_code = "ups_express_eu"

    results = services.rates_for_order(order)

    services_offered = ["ups_standard_eu", "ups_worldwide_saver_eu", "ups_express_eu"]
    assert [(r.account.name, [x.service for x in r.rates], r.messages) for r in results] == [
        ("Busy", [], [BUSY]),
        ("Express", services_offered, []),
        ("Fast", services_offered, []),
    ]
    assert [r.chosen.service if r.chosen else None for r in results] == [
        None,
        "ups_express_eu",
        None,
    ]
    assert [[x.chosen for x in r.rates] for r in results][1] == [False, False, True]
    # Asked at the same time: every rate call started before any of them ended.
    calls = sandbox.carrier.calls_to("rate")
    assert sorted(c.profile for c in calls) == ["l300-f0", "l300-f0", "l300-f1"]
    assert max(c.started for c in calls) < min(c.ended for c in calls)
    only = services.rates_for_order(order, accounts=[busy])
    assert [(r.account, r.messages) for r in only] == [(busy, [BUSY])]


def test_sandbox_labels_print_four_to_an_a4_sheet_found_by_their_numbers(orders, sandbox):
    acc = sandbox_account(sandbox)
    shipments = [
        services.ship_with_label(
            phone_order(country), acc, "ups_standard_eu", notify_backmarket=False
        ).shipment
        for country in ("de-de", "fr-fr", "de-de")
    ]

    document = label_document(shipments, layout="a4x4")

    [page] = PdfReader(io.BytesIO(document)).pages
    assert len(page.images) == 3  # the carrier's pictures, one per quarter
    text = page.extract_text()
    for shipment in shipments:
        assert f"{shipment.order.order_number} {shipment.tracking_number}" in text


def test_an_order_without_a_weight_is_reported_not_guessed(orders, sandbox):
    sandbox_account(sandbox)
    order = phone_order("de-de")
    order.weight_grams = None
    order.save()

    [result] = services.rates_for_order(order)

    sku = order.items.get().sku
    assert result.messages == [
        CarrierMessage(
            "NO_WEIGHT",
            f"order {order.order_number} has no weight: set it on the order, or on the products "
            f"{sku}",
        )
    ]
    assert list(sandbox.carrier.calls) == []  # nothing asked of the carrier
