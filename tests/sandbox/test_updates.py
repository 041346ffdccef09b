import io

import pytest
from pypdf import PdfReader

from shipdesk.sandbox.generator import parse_date


# Each test claims its own orders (find_order): one sandbox serves the whole module.
@pytest.fixture
def sandbox(shared_sandbox):
    return shared_sandbox


@pytest.fixture
def api(shared_api):
    return shared_api


@pytest.fixture
def clock(shared_clock):
    return shared_clock


VALID_IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"


def _single(order: dict) -> bool:
    lines = order["orderlines"]
    return order["state"] == 1 and len(lines) == 1 and lines[0]["quantity"] == 1


def _multi(order: dict) -> bool:
    lines = order["orderlines"]
    return len(lines) > 1 and all(line["state"] == 1 for line in lines)


def _post(api, order: dict, **body):
    order_id = order["order_id"]
    return api.post(f"/ws/orders/{order_id}", json={"order_id": order_id, **body})


def _accept(api, order: dict, line: dict):
    return _post(api, order, new_state=2, sku=line["listing"])


def _ship(api, order: dict, **body):
    body = {"tracking_number": "6A12345678901", "shipper": "Colissimo", **body}
    return _post(api, order, new_state=3, **body)


def _line_states(order: dict) -> list[int]:
    return [line["state"] for line in order["orderlines"]]


def test_accepting_the_only_line_moves_the_order_to_3(sandbox, api, clock, find_order):
    # Given a paid single-line order
    order = find_order(_single)
    clock.advance(60)

    # When the seller accepts its line
    response = _accept(api, order, order["orderlines"][0])

    # Then the answer is the updated order: line 2, order 3, date_modification bumped
    body = response.json()
    assert response.status_code == 200
    assert body == sandbox.state.order(order["order_id"])
    assert (body["state"], _line_states(body)) == (3, [2])
    assert parse_date(body["date_modification"]) == clock.now


def test_an_order_stays_1_until_every_line_is_accepted_or_cancelled(api, find_order):
    # Given a paid order of several lines
    order = find_order(_multi)
    first, second, *rest = order["orderlines"]

    # When accepting the first line, then cancelling the others
    after_first = _accept(api, order, first).json()
    after_second = _post(api, order, new_state=4, sku=second["listing"]).json()
    for line in rest:
        _post(api, order, new_state=4, sku=line["listing"])

    # Then the order waits (1) while a line awaits a decision, then waits for shipment (3)
    assert (after_first["state"], _line_states(after_first)[:2]) == (1, [2, 1])
    final = api.get(f"/ws/orders/{order['order_id']}").json()
    assert after_second["orderlines"][1]["state"] == 4
    assert (final["state"], _line_states(final)) == (3, [2] + [4] * (len(rest) + 1))


def test_cancelling_every_line_closes_the_order(api, find_order):
    order = find_order(_single)

    body = _post(api, order, new_state=4, sku=order["orderlines"][0]["listing"]).json()

    assert (body["state"], _line_states(body)) == (9, [4])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"new_state": 2, "sku": "NOT-IN-ORDER"}, "unknown_sku"),
        ({"new_state": 4, "sku": ""}, "missing_field"),
        ({"new_state": 7}, "invalid_field"),
        ({"new_state": 2, "order_id": 1}, "invalid_field"),
        ({"new_state": 2, "vat_type": "ZERO"}, "invalid_field"),
    ],
)
def test_invalid_updates_are_refused_and_change_nothing(sandbox, api, find_order, body, code):
    # Given a paid order
    order = find_order(_single)
    sku = order["orderlines"][0]["listing"]

    # When sending an invalid update
    response = _post(api, order, **{"sku": sku, **body})

    # Then it is a 400 with a JSON message, and the order is untouched
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert sandbox.state.order(order["order_id"]) == order


def test_a_line_cannot_move_twice_or_skip_a_state(api, find_order):
    order = find_order(_single)
    sku = order["orderlines"][0]["listing"]

    refund_unaccepted = _post(api, order, new_state=5, sku=sku)
    _accept(api, order, order["orderlines"][0])
    accept_again = _post(api, order, new_state=2, sku=sku)
    cancel_accepted = _post(api, order, new_state=4, sku=sku)

    for response in (refund_unaccepted, accept_again, cancel_accepted):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_transition"


def test_a_body_that_is_not_json_is_refused(api, find_order):
    order = find_order(_single)

    response = api.post(f"/ws/orders/{order['order_id']}", content=b"new_state=2")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_json")


def test_shipping_is_refused_while_a_line_awaits_acceptance(sandbox, api, find_order):
    # Given an order with one line accepted and one still waiting
    order = find_order(_multi)
    accepted = _accept(api, order, order["orderlines"][0]).json()

    # When the seller tries to ship it
    response = _ship(api, order)

    # Then Back Market refuses with a message and nothing moves
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_accepted"
    assert "awaiting acceptance" in response.json()["error"]["message"]
    assert sandbox.state.order(order["order_id"]) == accepted


def test_shipping_moves_accepted_lines_and_records_tracking(api, clock, find_order):
    # Given an order with its first line accepted and the others cancelled
    order = find_order(_multi)
    first, *others = order["orderlines"]
    _accept(api, order, first)
    for line in others:
        _post(api, order, new_state=4, sku=line["listing"])
    clock.advance(3600)

    # When shipping with a tracking number typed with spaces
    response = _ship(
        api,
        order,
        tracking_number=" 6A 1234 5678 901 ",
        tracking_url="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        shipper="Colissimo",
    )

    # Then accepted lines are shipped, the order is done and carries the tracking
    body = response.json()
    assert response.status_code == 200
    assert (body["state"], _line_states(body)) == (9, [3] + [4] * len(others))
    assert body["tracking_number"] == "6A12345678901"
    assert (
        body["tracking_url"] == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    )
    assert (body["shipper"], body["shipper_display"]) == ("Colissimo", "Colissimo")
    assert parse_date(body["date_shipping"]) == clock.now
    assert parse_date(body["date_modification"]) == clock.now


def test_shipping_keeps_the_date_shipping_sent(api, find_order):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])

    body = _ship(api, order, date_shipping="2026-03-31T18:30:00+02:00").json()

    assert parse_date(body["date_shipping"]) == parse_date("2026-03-31T16:30:00Z")


@pytest.mark.parametrize("missing", ["tracking_number", "shipper"])
def test_shipping_needs_a_tracking_number_and_a_shipper(api, find_order, missing):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])

    response = _ship(api, order, **{missing: "  " if missing == "tracking_number" else ""})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "missing_field",
        "message": f"{missing} is required",
    }


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("tracking_number", 200),
        ("tracking_url", 300),
        ("shipper", 200),
        ("imei", 15),
        ("serial_number", 50),
    ],
)
def test_field_lengths_are_limited(sandbox, api, find_order, field, limit):
    # Given an accepted single-line order
    order = find_order(_single)
    accepted = _accept(api, order, order["orderlines"][0]).json()

    # When shipping with a field one character too long
    response = _ship(api, order, **{field: "1" * (limit + 1)})

    # Then it is refused and nothing changes
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_field",
        "message": f"{field} is longer than {limit} characters",
    }
    assert sandbox.state.order(order["order_id"]) == accepted


def test_a_tracking_number_of_200_characters_is_accepted(api, find_order):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])

    response = _ship(api, order, tracking_number="X" * 200)

    assert (response.status_code, response.json()["tracking_number"]) == (200, "X" * 200)


def test_refund_before_shipping(api, find_order):
    order = find_order(_single)
    line = order["orderlines"][0]
    _accept(api, order, line)

    body = _post(api, order, new_state=5, sku=line["listing"]).json()

    assert (body["state"], _line_states(body)) == (9, [5])


def test_refund_after_shipping_needs_a_return_reason(api, find_order):
    # Given a shipped order
    order = find_order(lambda o: o["state"] == 9 and _line_states(o) == [3])
    sku = order["orderlines"][0]["listing"]

    # When refunding without, then with, a return reason
    without = _post(api, order, new_state=6, sku=sku)
    refunded = _post(
        api, order, new_state=6, sku=sku, return_reason=21, return_message="Écran noir"
    ).json()

    # Then the reason is required and stored on the line
    assert (without.status_code, without.json()["error"]["code"]) == (400, "invalid_field")
    line = refunded["orderlines"][0]
    assert (line["state"], line["return_reason"], line["return_message"]) == (6, 21, "Écran noir")
    assert refunded["state"] == 9


def test_order_level_imei_is_stored_on_a_single_line_of_quantity_1(api, find_order):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])

    body = _ship(api, order, imei=VALID_IMEI, serial_number="F2LXK0ABCD12").json()

    line = body["orderlines"][0]
    assert (line["state"], line["imei"], line["serial_number"]) == (3, VALID_IMEI, "F2LXK0ABCD12")


def test_order_level_imei_counts_only_the_lines_not_cancelled(api, find_order):
    # Given a paid order of two lines of quantity 1: one cancelled, the other accepted
    order = find_order(
        lambda o: [(line["state"], line["quantity"]) for line in o["orderlines"]] == [(1, 1)] * 2
    )
    cancelled, kept = order["orderlines"]
    _post(api, order, new_state=4, sku=cancelled["listing"])
    _accept(api, order, kept)

    # When shipping it with an order-level IMEI
    response = _ship(api, order, imei=VALID_IMEI)

    # Then the IMEI goes on the line that ships
    assert response.status_code == 200
    lines = {line["id"]: line for line in response.json()["orderlines"]}
    assert (lines[kept["id"]]["state"], lines[kept["id"]]["imei"]) == (3, VALID_IMEI)
    assert (lines[cancelled["id"]]["state"], lines[cancelled["id"]]["imei"]) == (4, "")


@pytest.mark.parametrize(
    "predicate",
    [_multi, lambda o: o["state"] == 1 and [line["quantity"] for line in o["orderlines"]] == [2]],
    ids=["several lines", "quantity 2"],
)
def test_order_level_imei_is_refused_unless_single_line_of_quantity_1(
    sandbox, api, find_order, predicate
):
    # Given an order of several lines or of one line of quantity 2, accepted
    order = find_order(predicate)
    for line in order["orderlines"]:
        _accept(api, order, line)
    accepted = sandbox.state.order(order["order_id"])

    # When shipping it with an order-level IMEI
    response = _ship(api, order, imei=VALID_IMEI)

    # Then Back Market points to the per-line PATCH and nothing moves
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "multiple_lines"
    assert "PATCH /ws/orderlines/" in response.json()["error"]["message"]
    assert sandbox.state.order(order["order_id"]) == accepted


def test_order_level_imei_must_pass_the_luhn_check(api, find_order):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])

    response = _ship(api, order, imei="356938035643808")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_imei")


def _patch(api, line: dict, **body):
    return api.patch(f"/ws/orderlines/{line['id']}", json=body)


def test_patch_registers_identifiers_of_an_accepted_line(sandbox, api, clock, find_order):
    # Given an accepted line
    order = find_order(_multi)
    line = order["orderlines"][0]
    _accept(api, order, line)
    clock.advance(30)

    # When registering its IMEI and serial number
    response = _patch(api, line, imei=VALID_IMEI, serial_number="F2LXK0ABCD12")

    # Then they are echoed and stored, and the order counts as modified
    assert response.status_code == 200
    assert response.json() == {"imei": VALID_IMEI, "serial_number": "F2LXK0ABCD12"}
    stored = sandbox.state.order(order["order_id"])
    assert (stored["orderlines"][0]["imei"], stored["orderlines"][0]["serial_number"]) == (
        VALID_IMEI,
        "F2LXK0ABCD12",
    )
    assert parse_date(stored["date_modification"]) == clock.now


@pytest.mark.parametrize("imei", ["356938035643808", "35693803564380", "35693803564380A"])
def test_patch_refuses_an_invalid_imei(api, find_order, imei):
    order = find_order(_single)
    line = order["orderlines"][0]
    _accept(api, order, line)

    response = _patch(api, line, imei=imei)

    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_imei")


def test_patch_cannot_correct_a_registered_value(sandbox, api, find_order):
    # Given a line whose IMEI is registered
    order = find_order(_single)
    line = order["orderlines"][0]
    _accept(api, order, line)
    first = _patch(api, line, imei=VALID_IMEI)

    # When sending the same value again, then another one
    same = _patch(api, line, imei=VALID_IMEI)
    other = _patch(api, line, imei=OTHER_IMEI)

    # Then repeating is harmless but correcting is refused
    assert (first.status_code, same.status_code) == (200, 200)
    assert (other.status_code, other.json()["error"]["code"]) == (422, "already_registered")
    assert sandbox.state.order(order["order_id"])["orderlines"][0]["imei"] == VALID_IMEI


def test_patch_needs_an_accepted_line(api, find_order):
    order = find_order(_single)

    response = _patch(api, order["orderlines"][0], imei=VALID_IMEI)

    assert (response.status_code, response.json()["error"]["code"]) == (422, "line_not_accepted")


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "missing_field"), ({"serial_number": "S" * 51}, "invalid_field")],
)
def test_patch_refuses_empty_or_too_long_values(api, find_order, body, code):
    order = find_order(_single)
    line = order["orderlines"][0]
    _accept(api, order, line)

    response = _patch(api, line, **body)

    assert (response.status_code, response.json()["error"]["code"]) == (422, code)


def test_patch_refuses_an_imei_on_a_line_of_quantity_2(api, find_order):
    order = find_order(lambda o: o["state"] == 1 and o["orderlines"][0]["quantity"] == 2)
    line = order["orderlines"][0]
    _accept(api, order, line)

    response = _patch(api, line, imei=VALID_IMEI)

    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_quantity")


def test_patch_of_an_unknown_line_is_a_404(api):
    response = api.patch("/ws/orderlines/1", json={"imei": VALID_IMEI})

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_backship_label_appears_once_a_line_is_accepted(api, sandbox, clock, find_order):
    # Given a BackShip order awaiting acceptance
    order = find_order(lambda o: o["state"] == 1 and o["is_backship"])
    deliveries = f"/ws/shipping/v1/deliveries?order_id={order['order_id']}"
    before = api.get(deliveries).json()

    # When a line is accepted
    _accept(api, order, order["orderlines"][0])
    after = api.get(deliveries).json()

    # Then Back Market has issued a label with its tracking
    assert before == {"results": []}
    [label] = after["results"]
    assert label["orderId"] == order["order_id"]
    assert label["carrierName"] == order["orderlines"][0]["shipper"]
    assert label["labelUrl"].startswith(f"{sandbox.url}/backship/labels/")
    assert label["trackingNumber"] != ""
    assert label["trackingUrl"].endswith(label["trackingNumber"])
    assert parse_date(label["dateCreation"]) == clock.now
    # The label itself: a 10x15 cm PDF with the tracking number (text and barcode).
    served = api.get(label["labelUrl"])
    assert (served.status_code, served.headers["content-type"]) == (200, "application/pdf")
    [page] = PdfReader(io.BytesIO(served.content)).pages
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (283, 425)
    text = page.extract_text()
    assert label["trackingNumber"] in text and f"Back Market order {order['order_id']}" in text
    assert api.get(f"{sandbox.url}/backship/labels/0000.pdf").status_code == 404


def test_orders_not_shipped_with_backship_have_no_label(api, find_order):
    order = find_order(lambda o: _single(o) and not o["is_backship"])
    _accept(api, order, order["orderlines"][0])

    response = api.get("/ws/shipping/v1/deliveries", params={"order_id": order["order_id"]})

    assert (response.status_code, response.json()) == (200, {"results": []})


def test_a_second_ship_update_replaces_the_tracking_of_a_shipped_order(api, find_order):
    order = find_order(_single)
    _accept(api, order, order["orderlines"][0])
    assert _ship(api, order, tracking_number="6A111").status_code == 200

    reship = _ship(api, order, tracking_number="6A222", tracking_url="https://t.example/6A222")

    assert reship.status_code == 200
    assert reship.json()["tracking_number"] == "6A222"
    assert reship.json()["tracking_url"] == "https://t.example/6A222"
    assert [line["state"] for line in reship.json()["orderlines"]] == [3]
