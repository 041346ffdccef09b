"""Back Market refunding a return (the sandbox's admin endpoint `/_sandbox/orders/{id}/return`):
shipped lines move to 6, refunded after shipping, with the return reason."""

from shipdesk.sandbox.generator import parse_date


def _shipped(sandbox, count: int) -> dict:
    return next(
        o
        for o in map(sandbox.state.order, sandbox.state.order_ids())
        if [line["state"] for line in o["orderlines"]] == [3] * count
    )


def test_a_return_refunds_the_shipped_lines_with_the_reason(sandbox, api, clock):
    # Given a shipped order
    order = _shipped(sandbox, 1)
    clock.advance(120)

    # When Back Market refunds it after a return
    response = api.post(
        f"/_sandbox/orders/{order['order_id']}/return",
        json={"return_reason": 21, "return_message": "Écran noir"},
    )

    # Then its line is refunded after shipping with the reason, and the change is listed
    fetched = api.get(f"/ws/orders/{order['order_id']}").json()
    assert response.status_code == 200
    line = fetched["orderlines"][0]
    assert (line["state"], line["return_reason"], line["return_message"]) == (6, 21, "Écran noir")
    assert fetched["state"] == 9
    assert parse_date(fetched["date_modification"]) == clock.now
    # (it is Back Market's doing, not a seller's update)
    assert api.get("/_sandbox/updates").json() == {"updates": []}


def test_a_return_of_one_line_names_its_sku(sandbox, api):
    order = _shipped(sandbox, 2)
    first, second = order["orderlines"]

    response = api.post(
        f"/_sandbox/orders/{order['order_id']}/return",
        json={"sku": second["listing"], "return_reason": 12},
    )

    lines = api.get(f"/ws/orders/{order['order_id']}").json()["orderlines"]
    assert response.status_code == 200
    assert [(line["state"], line["return_reason"]) for line in lines] == [
        (3, first["return_reason"]),
        (6, 12),
    ]


def test_a_return_is_refused_without_a_known_reason_or_a_shipped_line(sandbox, api):
    shipped = _shipped(sandbox, 1)["order_id"]
    unshipped = next(
        i
        for i in sandbox.state.order_ids()
        if [line["state"] for line in sandbox.state.order(i)["orderlines"]] == [1]
    )

    def refused(order_id: int, body) -> tuple[int, str]:
        response = api.post(f"/_sandbox/orders/{order_id}/return", json=body)
        return response.status_code, response.json()["error"]["code"]

    assert refused(shipped, {}) == (400, "invalid_field")
    assert refused(shipped, {"return_reason": 2}) == (400, "invalid_field")
    assert refused(shipped, {"return_reason": 21, "sku": "NOT-IN-ORDER"}) == (400, "unknown_sku")
    assert refused(shipped, {"return_reason": 21, "return_message": "x" * 501}) == (
        400,
        "invalid_field",
    )
    assert refused(shipped, []) == (400, "invalid_body")
    assert refused(unshipped, {"return_reason": 21}) == (409, "nothing_to_refund")
    # nothing changed
    assert [line["state"] for line in sandbox.state.order(shipped)["orderlines"]] == [3]
