"""The per-shipment plan of Back Market updates and the IMEI rule, without a database."""

from datetime import UTC, datetime

import pytest

from shipdesk.backmarket import LineState, requests
from shipdesk.backmarket.plan import (
    Accept,
    SetIdentifiers,
    Ship,
    ShipmentPlan,
    Shipping,
    plan_shipment,
)
from shipdesk.backmarket.rules import IdentifierRoute, Line, Unit, identifier_route

IMEI_A = "356938035643809"
IMEI_B = "490154203237518"


def line(line_id, sku, *, state=LineState.ACCEPTED, quantity=1, units=None):
    units = (Unit(),) * quantity if units is None else units
    return Line(line_id=line_id, sku=sku, state=state, quantity=quantity, units=tuple(units))


def test_a_single_line_of_quantity_1_sends_its_imei_on_the_ship_call():
    # given
    lines = [line(11, "IP13", units=[Unit(imei=IMEI_A)])]

    # when
    plan = plan_shipment(lines)

    # then
    assert plan == ShipmentPlan(steps=(Ship(imei=IMEI_A),))


def test_two_lines_get_one_patch_each_then_the_ship_call():
    # given
    lines = [
        line(11, "IP13", units=[Unit(imei=IMEI_A)]),
        line(12, "MBA-M1", units=[Unit(serial_number="C02DQ1ZJQ6L4")]),
    ]

    # when
    plan = plan_shipment(lines)

    # then
    assert plan.steps == (
        SetIdentifiers(11, "IP13", imei=IMEI_A),
        SetIdentifiers(12, "MBA-M1", serial_number="C02DQ1ZJQ6L4"),
        Ship(),
    )
    assert [step.id for step in plan.steps] == ["identifiers:11", "identifiers:12", "ship"]


def test_a_line_of_quantity_2_sends_no_imei_and_says_so():
    # given
    lines = [line(11, "IP13", quantity=2, units=[Unit(imei=IMEI_A), Unit(imei=IMEI_B)])]

    # when
    plan = plan_shipment(lines)

    # then
    assert plan == ShipmentPlan(steps=(Ship(),), kept_in_shipdesk=("IP13",))


def test_a_line_of_quantity_2_next_to_a_phone_patches_only_the_phone():
    # given
    lines = [
        line(11, "IP13", units=[Unit(imei=IMEI_A)]),
        line(12, "CASE", quantity=2, units=[Unit(serial_number="S1"), Unit(serial_number="S2")]),
    ]

    # when
    plan = plan_shipment(lines)

    # then
    assert plan == ShipmentPlan(
        steps=(SetIdentifiers(11, "IP13", imei=IMEI_A), Ship()), kept_in_shipdesk=("CASE",)
    )


@pytest.mark.parametrize(
    "gone", [LineState.CANCELLED, LineState.REFUNDED_BEFORE_SHIPPING, LineState.NOT_PAID]
)
def test_cancelled_and_refunded_lines_are_dropped_before_deciding_where_the_imei_goes(gone):
    # given: the phone is the only live line left
    lines = [
        line(11, "IP13", units=[Unit(imei=IMEI_A)]),
        line(12, "IP12", state=gone, units=[Unit(imei=IMEI_B)]),
    ]

    # when
    plan = plan_shipment(lines)

    # then: on the ship call, and nothing for the cancelled line
    assert plan == ShipmentPlan(steps=(Ship(imei=IMEI_A),))
    assert identifier_route(lines[0], lines) is IdentifierRoute.SHIP_CALL


def test_lines_awaiting_acceptance_are_accepted_first():
    # given
    lines = [
        line(11, "IP13", state=LineState.AWAITING_ACCEPTANCE, units=[Unit(imei=IMEI_A)]),
        line(12, "IP12", state=LineState.ACCEPTED, units=[Unit(imei=IMEI_B)]),
        line(13, "IP11", state=LineState.CANCELLED),
    ]

    # when
    plan = plan_shipment(lines)

    # then
    assert plan.steps == (
        Accept(11, "IP13"),
        SetIdentifiers(11, "IP13", imei=IMEI_A),
        SetIdentifiers(12, "IP12", imei=IMEI_B),
        Ship(),
    )
    assert plan.steps[0].id == "accept:11"


def test_values_back_market_already_has_are_not_sent_again():
    # given
    lines = [
        line(11, "IP13", units=[Unit(imei=IMEI_A, sent=True)]),
        line(12, "IP12", units=[Unit(imei=IMEI_B)]),
    ]
    single = [line(11, "IP13", units=[Unit(imei=IMEI_A, sent=True)])]

    # when / then
    assert plan_shipment(lines).steps == (SetIdentifiers(12, "IP12", imei=IMEI_B), Ship())
    assert plan_shipment(single) == ShipmentPlan(steps=(Ship(),))


def test_a_line_without_identifiers_adds_nothing():
    assert plan_shipment([line(11, "CHARGER"), line(12, "CABLE")]) == ShipmentPlan(steps=(Ship(),))


def test_each_step_builds_its_request():
    # given
    shipping = Shipping(
        tracking_number="6A 1234 5678 901",
        shipper="Colissimo",
        date_shipping=datetime(2026, 3, 23, 12, tzinfo=UTC),
        tracking_url="https://example.com/t/6A12345678901",
    )

    # when
    built = [
        step.request(78612345, shipping)
        for step in (Accept(11, "IP13"), SetIdentifiers(12, "IP12", imei=IMEI_B), Ship(IMEI_A))
    ]

    # then: the builders' requests (tested in test_requests), with the step's values
    assert built == [
        requests.accept_line(78612345, "IP13"),
        requests.set_line_identifiers(12, imei=IMEI_B),
        requests.ship_order(
            78612345,
            tracking_number="6A12345678901",
            tracking_url="https://example.com/t/6A12345678901",
            shipper="Colissimo",
            date_shipping=datetime(2026, 3, 23, 12, tzinfo=UTC),
            imei=IMEI_A,
        ),
    ]
