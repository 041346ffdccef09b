"""New orders arriving continuously: dated when they arrive, so "changed since" finds them."""

from shipdesk.sandbox.generator import format_date, parse_date


def test_an_arriving_order_is_paid_and_changed_when_it_arrives(start_sandbox, connect, clock):
    # Given a sandbox receiving 6 orders a minute, asked a first time now
    server = start_sandbox(arrival_rate=6)
    api = connect(server)
    api.get("/ws/orders", params={"page-size": 1})
    before = set(server.state.order_ids())
    asked_at = clock.now

    # When 30 seconds pass and a client asks what changed since just after it last asked
    clock.advance(30)
    page = api.get(
        "/ws/orders",
        params={"date_modification": format_date(asked_at + 1, paris=False), "page-size": 50},
    ).json()

    # Then the 3 orders that arrived meanwhile are listed, paid and changed at 10, 20 and 30 s,
    # each placed a few minutes before its payment
    new = sorted(i for i in server.state.order_ids() if i not in before)
    assert sorted(order["order_id"] for order in page["results"]) == new
    assert page["count"] == 3
    orders = [server.state.order(i) for i in new]
    paid = [parse_date(order["date_payment"]) for order in orders]
    assert paid == [asked_at + 10, asked_at + 20, asked_at + 30]
    assert [parse_date(order["date_modification"]) for order in orders] == paid
    assert all(
        at - 600 <= parse_date(order["date_creation"]) <= at - 120
        for order, at in zip(orders, paid, strict=True)
    )
    assert [order["state"] for order in orders] == [1, 1, 1]
