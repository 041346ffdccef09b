"""Injected 429s: a share of requests refused by the edge, whatever the rate limit says."""


def test_throttle_rate_refuses_that_share_with_the_edge_429_and_applies_nothing(
    start_sandbox, connect
):
    # Given a sandbox without its rate limit but refusing 30 % of requests with a 429
    server = start_sandbox(rate_limit=False, throttle_rate=0.3)
    api = connect(server)
    order = next(
        server.state.order(i)
        for i in server.state.order_ids()
        if server.state.order(i)["state"] == 1
    )
    body = {"order_id": order["order_id"], "new_state": 2, "sku": order["orderlines"][0]["listing"]}

    # When reading 200 times, then sending one update until it goes through
    statuses = [api.get("/ws/orders/1").status_code for _ in range(200)]
    updates = []
    while not updates or updates[-1].status_code == 429:
        updates.append(api.post(f"/ws/orders/{order['order_id']}", json=body))

    # Then about 30 % are the edge's HTML 429 page, counted as rate limited, the rest answer
    refused = statuses.count(429)
    assert set(statuses) == {404, 429}
    assert 40 <= refused <= 80
    assert updates[-1].status_code == 200
    throttled = [r for r in updates if r.status_code == 429]
    assert all(r.headers["content-type"].startswith("text/html") for r in throttled)
    assert all("429 Too Many Requests" in r.text for r in throttled)
    assert server.state.stats()["rate_limited"] == refused + len(throttled)
    # And a refused update changed nothing: the line was accepted exactly once
    assert [u["status"] for u in server.state.updates] == [429] * len(throttled) + [200]
    assert server.state.order(order["order_id"])["orderlines"][0]["state"] == 2


def test_throttling_is_reproducible_and_leaves_the_5xx_draws_alone(start_sandbox, connect):
    # Given sandboxes with the same seed and 5xx faults, one of them also throttling
    plain, throttled, again = (
        start_sandbox(rate_limit=False, fault_rate=0.3, slow_seconds=(0.0, 0.0), **extra)
        for extra in ({}, {"throttle_rate": 0.2}, {"throttle_rate": 0.2})
    )
    runs = {
        name: [connect(server).get("/ws/orders/1").status_code for _ in range(60)]
        for name, server in (("plain", plain), ("throttled", throttled), ("again", again))
    }

    # Then the same requests are throttled each time, and the 5xx fall on the same draws
    assert runs["throttled"] == runs["again"]
    assert 429 in runs["throttled"]
    answered = [status for status in runs["throttled"] if status != 429]
    assert answered == runs["plain"][: len(answered)]


def test_the_faults_endpoint_sets_the_throttle_rate(sandbox, api):
    response = api.post("/_sandbox/faults", json={"throttle_rate": 0.05})
    out_of_range = api.post("/_sandbox/faults", json={"throttle_rate": 1.5})
    off = api.post("/_sandbox/faults", json={"throttle_rate": 0})

    assert response.json() == {
        "fault_rate": 0.0,
        "rate_limit": True,
        "fail_next": 0,
        "throttle_rate": 0.05,
    }
    assert out_of_range.status_code == 400
    assert out_of_range.json()["error"]["message"] == "throttle_rate must be a number from 0 to 1"
    assert off.json() == {"fault_rate": 0.0, "rate_limit": True, "fail_next": 0}
    assert sandbox.state.throttle_rate == 0.0
