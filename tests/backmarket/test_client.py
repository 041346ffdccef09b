import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from shipdesk.backmarket import (
    BackMarketClient,
    BackMarketError,
    Delivery,
    Forbidden,
    NotFound,
    NullPacer,
    RateLimited,
    RetryPolicy,
    TokenRejected,
    TransientError,
    UpdateRejected,
)

from .recorded import FakeClock, load_json, recorded_response

TOKEN = "c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5LW5vdC1hLXJlYWwtb25lLWF0LWFsbC0xMjM0NTY3ODkwYWJj"
PARIS = timezone(timedelta(hours=1))


class Recorder:
    """A MockTransport handler: answers in order (the last one repeats), keeps requests.

    An answer is an httpx.Response, an exception to raise, or a recorded response's file name.
    """

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, str):
            return recorded_response(answer, request)
        return answer

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.requests]


class RecordingPacer:
    def __init__(self):
        self.keys: list[str] = []

    def acquire(self, key: str) -> None:
        self.keys.append(key)


def make_client(handler, clock=None, **kwargs):
    clock = clock or FakeClock()
    kwargs.setdefault("pacer", NullPacer())
    # rand() = 1 makes full jitter pick the top of each backoff interval: exact sleeps.
    kwargs.setdefault("retry", RetryPolicy(sleep=clock.sleep, clock=clock, rand=lambda: 1.0))
    return BackMarketClient(TOKEN, transport=httpx.MockTransport(handler), **kwargs)


def order_json(**changes):
    return httpx.Response(200, json={**load_json("order_normal.json"), **changes})


def test_every_request_sends_the_back_market_headers_exactly():
    # given
    recorder = Recorder(order_json())
    client = make_client(recorder, country_code="de-de", user_agent="BM-Acme-shipdesk;ops@acme.fr")

    # when
    client.get_order(78612345)

    # then
    [request] = recorder.requests
    sent = dict(request.headers)
    ours = ["authorization", "accept", "content-type", "accept-language", "user-agent"]
    assert {name: sent.pop(name) for name in ours} == {
        "authorization": f"Basic {TOKEN}",
        "accept": "application/json",
        "content-type": "application/json",
        "accept-language": "de-de",
        "user-agent": "BM-Acme-shipdesk;ops@acme.fr",
    }
    assert sorted(sent) == ["accept-encoding", "connection", "host"]  # httpx's own
    assert (request.method, str(request.url)) == (
        "GET",
        "https://www.backmarket.fr/ws/orders/78612345",
    )


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("eu", "https://www.backmarket.fr/ws/orders?page-size=1"),
        ("us", "https://www.backmarket.com/ws/orders?page-size=1"),
        ("ap", "https://www.backmarket.co.jp/ws/orders?page-size=1"),
    ],
)
def test_region_picks_the_platform_host(region, url):
    # given
    recorder = Recorder(httpx.Response(200, json={"count": 0, "next": None, "results": []}))
    client = make_client(recorder, region=region)

    # when
    client.check_token()

    # then
    assert recorder.urls == [url]


def test_unknown_region_is_refused():
    with pytest.raises(ValueError, match="unknown region 'uk'"):
        BackMarketClient(TOKEN, region="uk")


def test_client_repr_hides_the_token():
    # given
    client = make_client(Recorder(order_json()))

    # when
    text = repr(client)

    # then
    assert text == "BackMarketClient(base_url='https://www.backmarket.fr', country_code='fr-fr')"


def test_accept_and_cancel_post_one_line_transition():
    # given
    recorder = Recorder(order_json(state=3))
    client = make_client(recorder)

    # when
    accepted = client.accept_line(78612345, "IP13-128-BLK-GOOD")
    client.cancel_line(78612345, "IP13-128-BLK-GOOD")

    # then
    assert accepted["state"] == 3
    assert [(r.method, r.url.path, json.loads(r.content)) for r in recorder.requests] == [
        (
            "POST",
            "/ws/orders/78612345",
            {"order_id": 78612345, "new_state": 2, "sku": "IP13-128-BLK-GOOD"},
        ),
        (
            "POST",
            "/ws/orders/78612345",
            {"order_id": 78612345, "new_state": 4, "sku": "IP13-128-BLK-GOOD"},
        ),
    ]


def test_ship_order_strips_tracking_spaces_and_sends_utc_date():
    # given
    recorder = Recorder(httpx.Response(200, json={}))
    client = make_client(recorder)

    # when
    client.ship_order(
        78612345,
        tracking_number=" 6A 1234 5678 901 ",
        shipper="Colissimo",
        tracking_url="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        date_shipping=datetime(2026, 3, 23, 9, 30, tzinfo=PARIS),
        imei="356938035643809",
    )

    # then
    assert json.loads(recorder.requests[0].content) == {
        "order_id": 78612345,
        "new_state": 3,
        "tracking_number": "6A12345678901",
        "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        "shipper": "Colissimo",
        "date_shipping": "2026-03-23T08:30:00Z",
        "imei": "356938035643809",
    }


def test_ship_order_without_tracking_number_sends_nothing():
    # given
    recorder = Recorder(httpx.Response(200, json={}))
    client = make_client(recorder)

    # when / then
    with pytest.raises(ValueError, match="tracking_number is required"):
        client.ship_order(78612345, tracking_number="  ", shipper="Colissimo")
    assert recorder.requests == []


def test_update_success_relies_on_status_not_body():
    # given
    recorder = Recorder(httpx.Response(204))
    client = make_client(recorder)

    # when
    result = client.accept_line(78612345, "IP13-128-BLK-GOOD")

    # then
    assert result == {}


def test_orderline_identifiers_are_patched_on_the_line():
    # given
    recorder = Recorder(httpx.Response(200, json={"serial_number": "F2LXK0ABHG7F"}))
    client = make_client(recorder)

    # when
    echoed = client.set_orderline_identifiers(78645002, serial_number="F2LXK0ABHG7F")

    # then
    [request] = recorder.requests
    assert (request.method, request.url.path) == ("PATCH", "/ws/orderlines/78645002")
    assert json.loads(request.content) == {"serial_number": "F2LXK0ABHG7F"}
    assert echoed == {"serial_number": "F2LXK0ABHG7F"}


def test_orderline_identifiers_need_a_value():
    with pytest.raises(ValueError, match="imei or serial_number is required"):
        make_client(Recorder(order_json())).set_orderline_identifiers(78645002)


def test_list_deliveries_parses_backship_results():
    # given
    recorder = Recorder(httpx.Response(200, json=load_json("deliveries.json")))
    client = make_client(recorder)

    # when
    deliveries = client.list_deliveries(78619877)

    # then
    assert recorder.urls == [
        "https://www.backmarket.fr/ws/shipping/v1/deliveries?order_id=78619877"
    ]
    assert [(d.carrierName, d.trackingNumber) for d in deliveries] == [
        ("Colissimo", "6A98765432109")
    ]
    assert isinstance(deliveries[0], Delivery)


def test_check_token_raises_token_rejected_on_401_without_retry():
    # given
    recorder = Recorder("response_401.json")
    client = make_client(recorder)

    # when
    with pytest.raises(TokenRejected) as caught:
        client.check_token()

    # then
    assert caught.value.message == "Invalid or expired token"
    assert caught.value.url == "https://www.backmarket.fr/ws/orders?page-size=1"
    assert len(recorder.requests) == 1
    assert TOKEN not in str(caught.value) + repr(caught.value)


def test_403_cdn_page_keeps_cf_ray_and_is_not_retried():
    # given
    recorder = Recorder("response_403_cdn.json")
    client = make_client(recorder)

    # when
    with pytest.raises(Forbidden) as caught:
        client.get_order(78612345)

    # then
    assert caught.value.cf_ray == "8a1f2c3b4d5e6f70-CDG"
    assert len(recorder.requests) == 1


def test_404_is_not_found_and_not_retried():
    # given
    recorder = Recorder("response_404.json")
    client = make_client(recorder)

    # when
    with pytest.raises(NotFound) as caught:
        client.get_order(99999999)

    # then
    assert caught.value.message == "Order 99999999 not found"
    assert len(recorder.requests) == 1


def test_422_is_not_retried_and_carries_back_markets_message():
    # given
    clock = FakeClock()
    recorder = Recorder("response_422.json")
    client = make_client(recorder, clock)

    # when
    with pytest.raises(UpdateRejected) as caught:
        client.set_orderline_identifiers(78638901, imei="356938035643808")

    # then
    assert caught.value.message == "The IMEI 356938035643808 is not valid"
    assert (len(recorder.requests), clock.sleeps) == (1, [])


def test_html_429_waits_out_the_block_then_succeeds():
    # given
    clock = FakeClock()
    recorder = Recorder("response_429_html.json", order_json())
    client = make_client(recorder, clock)

    # when
    order = client.get_order(78612345)

    # then
    assert order.order_id == 78612345
    assert len(recorder.requests) == 2
    assert clock.sleeps == [10.5]  # the ~10 s block, then the first backoff step


def test_5xx_then_success_is_retried_to_success():
    # given
    clock = FakeClock()
    recorder = Recorder("response_502_html.json", "response_502_html.json", order_json())
    client = make_client(recorder, clock)

    # when
    order = client.get_order(78612345)

    # then
    assert order.order_id == 78612345
    assert len(recorder.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_timeout_is_transient_and_retried():
    # given
    clock = FakeClock()
    recorder = Recorder(httpx.ReadTimeout("timed out"), order_json())
    client = make_client(recorder, clock)

    # when
    order = client.get_order(78612345)

    # then
    assert order.order_id == 78612345
    assert clock.sleeps == [0.5]


def test_retries_stop_at_max_attempts_and_raise_the_last_error():
    # given
    clock = FakeClock()
    recorder = Recorder("response_502_html.json")
    client = make_client(recorder, clock)

    # when
    with pytest.raises(TransientError) as caught:
        client.get_order(78612345)

    # then
    assert (caught.value.status, caught.value.cf_ray) == (502, "8a1f2c3b4d5e6f73-CDG")
    assert len(recorder.requests) == 5
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_retries_stop_when_the_time_budget_would_be_exceeded():
    # given
    clock = FakeClock()
    retry = RetryPolicy(budget_s=3.0, sleep=clock.sleep, clock=clock, rand=lambda: 1.0)
    recorder = Recorder(httpx.ConnectError("connection refused"))
    client = make_client(recorder, clock, retry=retry)

    # when
    with pytest.raises(TransientError) as caught:
        client.get_order(78612345)

    # then: a third wait of 2 s would end at 3.5 s
    assert caught.value.message == "ConnectError: connection refused"
    assert len(recorder.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_rate_limits_exhausting_the_budget_raise_rate_limited():
    # given
    clock = FakeClock()
    recorder = Recorder("response_429_html.json")
    client = make_client(recorder, clock)

    # when
    with pytest.raises(RateLimited):
        client.get_order(78612345)

    # then: 10.5 + 11 + 12 + 14 = 47.5 s of waiting fits the 60 s budget
    assert len(recorder.requests) == 5
    assert clock.sleeps == [10.5, 11.0, 12.0, 14.0]


def test_pacer_is_acquired_before_every_attempt_with_a_key_free_of_the_token():
    # given
    pacer = RecordingPacer()
    recorder = Recorder("response_502_html.json", order_json())
    client = make_client(recorder, pacer=pacer)

    # when
    client.get_order(78612345)

    # then
    token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()[:16]
    assert pacer.keys == [f"https://www.backmarket.fr#{token_hash}"] * 2


def test_on_request_hook_sees_every_attempt():
    # given
    calls = []
    recorder = Recorder(httpx.ConnectError("refused"), "response_502_html.json", order_json())
    client = make_client(recorder, on_request=lambda *call: calls.append(call))

    # when
    client.get_order(78612345)

    # then
    url = "https://www.backmarket.fr/ws/orders/78612345"
    assert [call[:3] for call in calls] == [
        ("GET", url, None),
        ("GET", url, 502),
        ("GET", url, 200),
    ]
    assert all(duration >= 0 for *_, duration in calls)


def page(results, next_url=None):
    return httpx.Response(
        200, json={"count": 3, "next": next_url, "previous": None, "results": results}
    )


def test_pagination_follows_next_until_null_with_filters():
    # given
    normal, multi = load_json("order_normal.json"), load_json("order_multi_line.json")
    recorder = Recorder(
        page([normal, multi], "https://www.backmarket.fr/ws/orders?page=2&page-size=50&state=1"),
        page([load_json("order_gdpr_deleted.json")]),
    )
    client = make_client(recorder)

    # when
    pages = list(
        client.iter_order_pages(
            state=1,
            date_modification=datetime(2026, 3, 22, 20, 14, 18, 999999, tzinfo=PARIS),
            country_code="fr-fr",
        )
    )

    # then
    assert [[raw["order_id"] for raw in p.results] for p in pages] == [
        [78612345, 78619877],
        [71234567],
    ]
    assert recorder.urls == [
        "https://www.backmarket.fr/ws/orders?page-size=50&state=1"
        "&date_modification=2026-03-22+19%3A14%3A18&country_code=fr-fr",
        "https://www.backmarket.fr/ws/orders?page=2&page-size=50&state=1",
    ]


def test_pagination_raises_when_next_comes_back_twice():
    # given
    again = "https://www.backmarket.fr/ws/orders?page=2&page-size=50"
    recorder = Recorder(page([], again), page([], again))
    client = make_client(recorder)
    pages = client.iter_order_pages()

    # when
    next(pages)
    next(pages)
    with pytest.raises(BackMarketError) as caught:
        next(pages)

    # then
    assert caught.value.message == "pagination loop: Back Market returned the same next URL twice"
    assert caught.value.url == again
    assert len(recorder.requests) == 2


def test_next_on_another_host_is_followed_on_the_configured_host_only():
    # given: a proxy-built next URL in plain http, on another host
    recorder = Recorder(page([], "http://internal.example/ws/orders?page=2&page-size=50"), page([]))
    client = make_client(recorder)

    # when
    list(client.iter_order_pages())

    # then
    assert recorder.urls[1] == "https://www.backmarket.fr/ws/orders?page=2&page-size=50"


def test_relative_next_is_resolved_against_the_current_page():
    # given
    recorder = Recorder(page([], "?page=2&page-size=50"), page([]))
    client = make_client(recorder)

    # when
    list(client.iter_order_pages())

    # then
    assert recorder.urls[1] == "https://www.backmarket.fr/ws/orders?page=2&page-size=50"


def test_html_page_with_200_is_an_error_not_a_crash():
    # given
    recorder = Recorder(httpx.Response(200, text="<html><title>Maintenance</title></html>"))
    client = make_client(recorder)

    # when
    with pytest.raises(BackMarketError) as caught:
        list(client.iter_order_pages())

    # then
    assert (caught.value.message, caught.value.status) == ("expected a JSON body", 200)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_modification": datetime(2026, 3, 22)}, "aware datetime"),
        ({"page_size": 51}, "page_size must be between 1 and 50"),
    ],
)
def test_invalid_order_filters_are_refused_before_any_request(kwargs, message):
    # given
    recorder = Recorder(page([]))
    client = make_client(recorder)

    # when / then
    with pytest.raises(ValueError, match=message):
        client.iter_order_pages(**kwargs)
    assert recorder.requests == []


def test_date_creation_filter_is_sent_in_utc():
    # given
    recorder = Recorder(page([]))
    client = make_client(recorder)

    # when
    list(client.iter_order_pages(date_creation=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)))

    # then
    assert recorder.requests[0].url.params["date_creation"] == "2026-01-02 03:04:05"
