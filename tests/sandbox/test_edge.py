"""Auth, the CDN firewall, rate limits, fault injection and the /_sandbox/ admin endpoints."""

import time

import pytest

from shipdesk.sandbox.generator import parse_date
from tests.backmarket.recorded import load_json


def _listed_ids(api, **params) -> list[int]:
    return [order["order_id"] for order in api.get("/ws/orders", params=params).json()["results"]]


def test_an_unknown_token_gets_a_401_json_envelope(shared_sandbox, connect):
    # When calling with a token the account does not have
    response = connect(shared_sandbox, token="not-the-token").get("/ws/orders")

    # Then Back Market's error envelope comes back
    body = response.json()
    assert response.status_code == 401
    assert set(body) == {"error", "requestId"}
    assert body["error"]["code"] == "unauthorized"
    assert body["error"]["message"] == "Invalid, expired or revoked token"


def test_the_token_is_compared_verbatim(shared_sandbox, connect):
    # A client that base64-encodes the token again (a classic mistake) is rejected.
    client = connect(shared_sandbox)
    encoded = client.get("/ws/orders", auth=("sandbox-token", ""))
    bearer = client.get("/ws/orders", headers={"Authorization": "Bearer sandbox-token"})
    verbatim = client.get("/ws/orders")

    assert (encoded.status_code, bearer.status_code, verbatim.status_code) == (401, 401, 200)


@pytest.mark.parametrize(
    "user_agent", ["python-httpx/0.28.1", "BM-acme-shipdesk", "BM-acme;not-an-email", ""]
)
def test_a_request_without_a_proper_user_agent_is_blocked_by_the_cdn(shared_api, user_agent):
    # When the User-Agent is not `BM-<company>-<integration>;<email>`
    response = shared_api.get("/ws/orders", headers={"User-Agent": user_agent})

    # Then the firewall answers with an HTML page and a cf-ray header
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Sorry, you have been blocked" in response.text
    assert response.headers["cf-ray"].endswith("-CDG")
    assert response.headers["cf-ray"][:-4] in response.text


def test_over_200_requests_in_10_seconds_get_html_429_then_a_block(sandbox, api, clock):
    # Given 200 requests within one window
    statuses = [api.get("/ws/orders/1").status_code for _ in range(200)]

    # When one more comes, then others while blocked, then after the block
    over = api.get("/ws/orders")
    clock.advance(9)
    still_blocked = api.get("/ws/orders")
    clock.advance(1.5)
    after = api.get("/ws/orders")

    # Then the 201st is refused with an HTML page (no Retry-After), for ~10 seconds
    assert set(statuses) == {404}
    assert over.status_code == 429
    assert over.headers["content-type"].startswith("text/html")
    assert "429 Too Many Requests" in over.text
    assert "retry-after" not in over.headers
    assert still_blocked.status_code == 429
    assert after.status_code == 200
    assert sandbox.state.stats()["rate_limited"] == 2


def test_the_rate_limit_window_slides(start_sandbox, connect, clock):
    # Given a limit of 10 per 10 seconds, 6 requests at t=0 and 4 at t=6
    api = connect(start_sandbox(rate_limit_requests=10))
    early = [api.get("/ws/orders/1").status_code for _ in range(6)]
    clock.advance(6)
    late = [api.get("/ws/orders/1").status_code for _ in range(4)]

    # When t=10.5: the first 6 have left the window
    clock.advance(4.5)
    again = [api.get("/ws/orders/1").status_code for _ in range(6)]
    over = api.get("/ws/orders/1")

    # Then 6 more fit, the next one does not
    assert early + late + again == [404] * 16
    assert over.status_code == 429


def test_the_rate_limit_counts_per_token(start_sandbox, connect):
    server = start_sandbox(rate_limit_requests=3)
    seller, stranger = connect(server), connect(server, token="someone-else")

    strangers = [stranger.get("/ws/orders").status_code for _ in range(4)]
    sellers = [seller.get("/ws/orders").status_code for _ in range(3)]

    assert (strangers, sellers) == ([401, 401, 401, 429], [200, 200, 200])


def test_rate_limit_can_be_turned_off(start_sandbox, connect):
    api = connect(start_sandbox(rate_limit=False, rate_limit_requests=3))

    statuses = {api.get("/ws/orders/1").status_code for _ in range(10)}

    assert statuses == {404}


def test_token_rotation_and_revocation(sandbox, api, connect):
    # When the seller regenerates the token
    rotated = api.post("/_sandbox/token", json={"token": "new-token"})
    old = api.get("/ws/orders")
    new = connect(sandbox, token="new-token").get("/ws/orders")
    # And then revokes it
    api.post("/_sandbox/revoke")
    revoked = connect(sandbox, token="new-token").get("/ws/orders")

    # Then only the current token works, and none after revocation
    assert rotated.json() == {"token": "new-token"}
    assert (old.status_code, new.status_code, revoked.status_code) == (401, 200, 401)


def test_full_fault_rate_answers_5xx_and_applies_no_update(start_sandbox, connect):
    # Given a sandbox failing every request
    server = start_sandbox(fault_rate=1.0)
    api = connect(server)
    order = next(
        server.state.order(i)
        for i in server.state.order_ids()
        if server.state.order(i)["state"] == 1
    )
    sku = order["orderlines"][0]["listing"]

    # When reading and updating
    reads = [api.get("/ws/orders") for _ in range(20)]
    update = api.post(f"/ws/orders/{order['order_id']}", json={"new_state": 2, "sku": sku})

    # Then every answer is a 5xx, JSON or HTML, and the order did not change
    assert {response.status_code for response in reads} == {500, 502, 503, 504}
    for response in reads:
        if response.status_code == 500:
            assert response.json()["error"]["code"] == "internal_error"
        else:
            assert response.headers["content-type"].startswith("text/html")
    assert update.status_code >= 500
    assert server.state.order(order["order_id"]) == order
    assert server.state.stats()["faults"] == 21


def test_fault_injection_is_reproducible_per_seed(start_sandbox, connect):
    # Given two sandboxes with the same seed and fault rate
    servers = [start_sandbox(fault_rate=0.3, slow_seconds=(0.0, 0.0)) for _ in range(2)]
    clients = [connect(server) for server in servers]

    # When the same requests are sent to both
    runs = [[client.get("/ws/orders/1").status_code for _ in range(40)] for client in clients]

    # Then the same requests fail
    assert runs[0] == runs[1]
    assert {404, 500, 502, 503, 504} >= set(runs[0]) > {404}


def test_malformed_records_are_always_the_same_orders(start_sandbox, connect):
    # Given a sandbox with faults, slow answers shortened for the test
    server = start_sandbox(fault_rate=0.8, rate_limit=False, slow_seconds=(0.0, 0.01))
    api = connect(server)
    visible = [i for i in server.state.order_ids() if server.state.order(i)["state"] not in (0, 8)]
    expected = {
        i: server.state.malformed_kind(i) for i in visible if server.state.malformed_kind(i)
    }

    def malformed_psp_references() -> set[str]:
        found, url = set(), "/ws/orders?page-size=50"
        while url:
            response = api.get(url)
            if response.status_code >= 500:
                continue  # injected outage: retry the same page
            body = response.json()
            for record in body["results"]:
                if not isinstance(record["order_id"], int) or record["orderlines"] is None:
                    found.add(record["psp_reference"])
            url = body["next"]
        return found

    # When listing everything twice
    first, second = malformed_psp_references(), malformed_psp_references()

    # Then the same orders are malformed each time, as many as the state says
    references = {server.state.order(i)["psp_reference"] for i in expected}
    assert first == second == references
    assert len(expected) == 13  # seed 7, 400 orders, fault_rate 0.8 -> 4 % of orders
    assert set(expected.values()) == {"order_id", "orderlines"}


def test_slow_answers_still_answer(start_sandbox, connect):
    # Given 40 % of 5xx and 10 % of slow answers (0.3 s here)
    api = connect(start_sandbox(fault_rate=0.4, slow_seconds=(0.3, 0.3)))

    # When sending requests
    responses = [api.get("/ws/orders/1") for _ in range(30)]

    # Then the slow ones (as many as seed 7 draws) arrive late but complete
    slow = [r for r in responses if r.elapsed.total_seconds() >= 0.3]
    assert [r.status_code for r in slow] == [404, 404]
    assert len([r for r in responses if r.status_code >= 500]) == 16


def test_faults_endpoint_switches_fault_rate_and_rate_limit(sandbox, api):
    response = api.post("/_sandbox/faults", json={"fault_rate": 0.5, "rate_limit": False})
    out_of_range = api.post("/_sandbox/faults", json={"fault_rate": 2})
    misspelt = api.post("/_sandbox/faults", json={"faultrate": 0.1})

    assert response.json() == {"fault_rate": 0.5, "rate_limit": False, "fail_next": 0}
    assert (sandbox.state.fault_rate, sandbox.state.rate_limit) == (0.5, False)
    assert (out_of_range.status_code, misspelt.status_code) == (400, 400)
    assert misspelt.json()["error"]["message"] == "unknown settings: ['faultrate']"


def test_fail_next_fails_exactly_the_next_requests_before_applying_them(sandbox, api):
    # Given the next two requests set to fail
    order = next(o for o in map(sandbox.state.order, sandbox.state.order_ids()) if o["state"] == 1)
    body = {"order_id": order["order_id"], "new_state": 2, "sku": order["orderlines"][0]["listing"]}
    api.post("/_sandbox/faults", json={"fail_next": 2})

    # When the seller sends the same update until it goes through
    statuses = [
        api.post(f"/ws/orders/{order['order_id']}", json=body).status_code for _ in range(3)
    ]

    # Then the failures applied nothing, so the retry succeeds once
    assert statuses == [503, 503, 200]
    assert sandbox.state.order(order["order_id"])["orderlines"][0]["state"] == 2
    assert [u["status"] for u in api.get("/_sandbox/updates").json()["updates"]] == [503, 503, 200]


def test_stats_count_requests_per_path(sandbox, api):
    # Given a few requests, one refused by the rate limiter
    sandbox.state.rate_limit_requests = 4
    api.get("/ws/orders")
    api.get("/ws/orders")
    api.get(f"/ws/orders/{sandbox.state.order_ids()[0]}")
    api.patch("/ws/orderlines/1", json={"imei": "356938035643809"})
    api.get("/ws/orders")

    # When reading the stats
    stats = api.get("/_sandbox/stats").json()

    # Then every /ws/ request is counted, admin calls are not
    assert stats == {
        "requests": 5,
        "orders": 400,
        "paths": {
            "GET /ws/orders": 3,
            "GET /ws/orders/{order_id}": 1,
            "PATCH /ws/orderlines/{orderline_id}": 1,
        },
        "rate_limited": 1,
        "faults": 0,
        "updates": 1,
    }


def test_updates_log_records_every_post_and_patch(sandbox, api, clock):
    # Given an accepted order, a refused PATCH and a GET
    order = next(
        sandbox.state.order(i)
        for i in sandbox.state.order_ids()
        if sandbox.state.order(i)["state"] == 1
    )
    body = {"order_id": order["order_id"], "new_state": 2, "sku": order["orderlines"][0]["listing"]}
    api.post(f"/ws/orders/{order['order_id']}", json=body)
    api.patch("/ws/orderlines/1", json={"imei": "1"})
    api.get("/ws/orders")

    # When reading the log
    updates = api.get("/_sandbox/updates").json()["updates"]

    # Then both updates are there with their outcome, the GET is not
    at = "2026-03-31T23:33:20+00:00"
    assert updates == [
        {
            "method": "POST",
            "path": f"/ws/orders/{order['order_id']}",
            "body": body,
            "status": 200,
            "at": at,
        },
        {
            "method": "PATCH",
            "path": "/ws/orderlines/1",
            "body": {"imei": "1"},
            "status": 404,
            "at": at,
        },
    ]


def test_customer_cancel_cancels_unshipped_lines(sandbox, api, clock):
    # Given a multi-line paid order with its first line accepted
    order = next(
        o
        for o in map(sandbox.state.order, sandbox.state.order_ids())
        if len(o["orderlines"]) > 1 and all(line["state"] == 1 for line in o["orderlines"])
    )
    first = order["orderlines"][0]
    api.post(f"/ws/orders/{order['order_id']}", json={"new_state": 2, "sku": first["listing"]})
    clock.advance(120)

    # When the buyer cancels
    response = api.post(f"/_sandbox/orders/{order['order_id']}/customer-cancel")

    # Then the accepted line is refunded, the others cancelled, and the change is visible
    fetched = api.get(f"/ws/orders/{order['order_id']}").json()
    assert response.status_code == 200
    assert [line["state"] for line in fetched["orderlines"]] == [5] + [4] * (
        len(order["orderlines"]) - 1
    )
    assert fetched["state"] == 9
    assert parse_date(fetched["date_modification"]) == clock.now
    assert order["order_id"] in _listed_ids(api, date_modification="2026-03-31 23:35:00")


def test_customer_cancel_of_a_shipped_order_is_refused(sandbox, api):
    shipped = next(
        i
        for i in sandbox.state.order_ids()
        if [line["state"] for line in sandbox.state.order(i)["orderlines"]] == [3]
    )

    response = api.post(f"/_sandbox/orders/{shipped}/customer-cancel")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "nothing_to_cancel")


def test_created_orders_arrive_paid_and_first_in_the_listing(sandbox, api, clock):
    # When three orders are created
    response = api.post("/_sandbox/orders", json={"count": 3})

    # Then they await acceptance and head the first page
    order_ids = response.json()["order_ids"]
    assert len(order_ids) == 3
    assert order_ids == sorted(order_ids)
    assert order_ids[0] > max(sandbox.state.order_ids()[:-3])
    assert [api.get(f"/ws/orders/{i}").json()["state"] for i in order_ids] == [1, 1, 1]
    assert _listed_ids(api, **{"page-size": 3}) == order_ids


def test_orders_arrive_over_time_at_the_arrival_rate(start_sandbox, connect, clock):
    # Given a sandbox receiving 6 orders a minute
    server = start_sandbox(arrival_rate=6)
    api = connect(server)
    before = set(server.state.order_ids())
    started = clock.now

    # When 90 seconds pass and a request comes in
    clock.advance(90)
    count = api.get("/ws/orders").json()["count"]

    # Then 9 new paid orders were placed during those 90 seconds, each after a short checkout
    new = [server.state.order(i) for i in server.state.order_ids() if i not in before]
    assert count == len([i for i in before if server.state.order(i)["state"] not in (0, 8)]) + 9
    assert [order["state"] for order in new] == [1] * 9
    payments = [parse_date(order["date_payment"]) for order in new]
    assert all(started - 600 <= paid <= clock.now for paid in payments)


def test_unknown_ws_paths_are_json_404s(shared_api):
    response = shared_api.get("/ws/listings")

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_latency_delays_every_ws_answer_but_not_the_admin_endpoints(start_sandbox, connect):
    # Given a sandbox set to answer /ws/ after a 500 ms round trip
    server = start_sandbox(rate_limit=False, latency_s=0.5)
    api = connect(server)

    # When reading an order, then the admin stats
    started = time.perf_counter()
    order = api.get("/ws/orders/1")
    ws_s = time.perf_counter() - started
    started = time.perf_counter()
    stats = api.get("/_sandbox/stats")
    admin_s = time.perf_counter() - started

    # Then only the /ws/ answer waited (sleeps never end early: a lower bound is safe)
    assert order.status_code == 404
    assert ws_s >= 0.5
    assert stats.status_code == 200
    assert admin_s < 0.5


def test_a_given_order_is_served_as_given_and_its_ids_stay_unique(shared_sandbox, shared_api):
    # Given an order a test needs exactly (the shape of a recorded Back Market order)
    order = {**load_json("order_normal.json"), "order_id": 92_000_001}
    order["orderlines"] = [{**order["orderlines"][0], "id": 920_000_011}]

    # When giving it to the sandbox, then giving it again, then giving a broken one
    given = shared_api.post("/_sandbox/orders", json={"order": order})
    again = shared_api.post("/_sandbox/orders", json={"order": order})
    broken = shared_api.post("/_sandbox/orders", json={"order": {**order, "orderlines": []}})

    # Then Back Market's API serves it as given; the others are refused with the reason
    assert given.json() == {"order_ids": [92_000_001]}
    assert shared_api.get("/ws/orders/92000001").json() == order
    assert (again.status_code, again.json()["error"]["message"]) == (
        400,
        "order 92000001 exists already",
    )
    assert (broken.status_code, broken.json()["error"]["message"]) == (
        400,
        "orderlines must be a list of objects",
    )
