import math
from datetime import UTC, datetime

import pytest

from shipdesk.sandbox.generator import parse_date


# Listing tests only read: one sandbox serves the whole module.
@pytest.fixture
def sandbox(shared_sandbox):
    return shared_sandbox


@pytest.fixture
def api(shared_api):
    return shared_api


def _orders(sandbox) -> list[dict]:
    return [sandbox.state.order(order_id) for order_id in sandbox.state.order_ids()]


def _visible_ids(sandbox, keep=lambda order: True) -> list[int]:
    return sorted(
        order["order_id"]
        for order in _orders(sandbox)
        if order["state"] not in (0, 8) and keep(order)
    )


def _all_ids(api, **params) -> list[int]:
    ids, url = [], "/ws/orders"
    params = {"page-size": 50, **params}
    while url:
        body = api.get(url, params=params).json()
        ids += [order["order_id"] for order in body["results"]]
        url, params = body["next"], None  # `next` carries the query already
    return sorted(ids)


def test_first_page_has_ten_orders_and_absolute_links(sandbox, api):
    # When listing without parameters
    response = api.get("/ws/orders")

    # Then the default page size is 10, `next` is absolute and there is no previous page
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == len(_visible_ids(sandbox))
    assert len(body["results"]) == 10
    assert body["next"] == f"{sandbox.url}/ws/orders?page=2"
    assert body["previous"] is None


@pytest.mark.parametrize(
    ("params", "size"),
    [({"page-size": 7}, 7), ({"page-size": 200}, 50), ({"page_size": 30}, 10), ({"limit": 30}, 10)],
)
def test_page_size_is_capped_at_50_and_other_spellings_are_ignored(api, params, size):
    # When asking for a page size
    results = api.get("/ws/orders", params=params).json()["results"]

    # Then only `page-size` counts, up to 50
    assert len(results) == size


def test_following_next_returns_every_order_once_newest_pages_first(sandbox, api):
    # Given the orders that are listed by default (states 0 and 8 left out)
    visible = _visible_ids(sandbox)

    # When following `next` to the end
    pages, url = [], "/ws/orders?page-size=50"
    while url:
        body = api.get(url).json()
        pages.append([order["order_id"] for order in body["results"]])
        url = body["next"]

    # Then every order came once; pages run newest first, each sorted by order_id
    ids = [order_id for page in pages for order_id in page]
    assert sorted(ids) == visible
    assert len(pages) == math.ceil(len(visible) / 50)
    assert all(page == sorted(page) for page in pages)
    assert all(min(newer) > max(older) for newer, older in zip(pages, pages[1:], strict=False))


def test_previous_goes_back_one_page_keeping_the_query(sandbox, api):
    # When reading page 3 and going back
    page3 = api.get("/ws/orders", params={"page-size": 5, "page": 3}).json()
    page2 = api.get(page3["previous"]).json()

    # Then previous/next move one page; page 1 is the URL without `page`
    assert page3["previous"] == f"{sandbox.url}/ws/orders?page-size=5&page=2"
    assert page2["previous"] == f"{sandbox.url}/ws/orders?page-size=5"
    assert page2["next"] == f"{sandbox.url}/ws/orders?page-size=5&page=3"


def test_links_use_the_host_the_request_was_sent_to(api):
    # When the client reached the sandbox under another name
    body = api.get("/ws/orders", headers={"Host": "preprod.backmarket.test:8443"}).json()

    # Then `next` points there
    assert body["next"] == "http://preprod.backmarket.test:8443/ws/orders?page=2"


@pytest.mark.parametrize("state", [0, 8, 10])
def test_state_filter_lists_orders_of_that_state_even_hidden_ones(sandbox, api, state):
    # Given the orders in a state
    expected = sorted(o["order_id"] for o in _orders(sandbox) if o["state"] == state)

    # When filtering on it
    ids = _all_ids(api, state=state)

    # Then exactly those come back
    assert ids == expected
    assert len(expected) > 0


def test_state_and_country_filters_combine(sandbox, api):
    expected = _visible_ids(sandbox, lambda o: o["state"] == 1 and o["country_code"] == "de-de")

    ids = _all_ids(api, state=1, country_code="de-de")

    assert ids == expected
    assert len(expected) > 0


SINCE = datetime(2026, 3, 30, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "url",
    [
        "/ws/orders?page-size=50&date_modification=2026-03-30T12:00:00Z",
        "/ws/orders?page-size=50&date_modification=2026-03-30%2012:00:00",
        "/ws/orders?page-size=50&date_modification=2026-03-30T14:00:00%2B02:00",
        # An unencoded `+` reaches the server as a space; Back Market copes, so does the sandbox.
        "/ws/orders?page-size=50&date_modification=2026-03-30T14:00:00+02:00",
    ],
)
def test_date_modification_since_accepts_rfc3339_and_plain_datetimes(sandbox, api, url):
    # Given the orders modified since 2026-03-30 12:00 UTC
    expected = _visible_ids(sandbox, lambda o: parse_date(o["date_modification"]) >= SINCE)

    # When filtering with each date spelling
    body = api.get(url).json()
    ids = sorted(order["order_id"] for order in body["results"])
    while body["next"]:
        body = api.get(body["next"]).json()
        ids += [order["order_id"] for order in body["results"]]

    # Then the same orders come back
    assert sorted(ids) == expected
    assert 0 < len(expected) < len(_visible_ids(sandbox))


def test_date_creation_filter(sandbox, api):
    expected = _visible_ids(sandbox, lambda o: parse_date(o["date_creation"]) >= SINCE)

    ids = _all_ids(api, date_creation="2026-03-30 12:00:00")

    assert ids == expected
    assert 0 < len(expected) < len(_visible_ids(sandbox))


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"page": 9999}, 404, "invalid_page"),
        ({"page": "x"}, 404, "invalid_page"),
        ({"state": "paid"}, 400, "invalid_field"),
        ({"date_modification": "yesterday"}, 400, "invalid_field"),
    ],
)
def test_bad_listing_parameters_get_json_errors(api, params, status, code):
    response = api.get("/ws/orders", params=params)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_one_order_by_id(sandbox, api):
    order_id = sandbox.state.order_ids()[5]

    response = api.get(f"/ws/orders/{order_id}")

    assert response.status_code == 200
    assert response.json() == sandbox.state.order(order_id)


def test_unknown_order_is_a_json_404(api):
    response = api.get("/ws/orders/12345")

    body = response.json()
    assert response.status_code == 404
    assert body["error"] == {"code": "not_found", "message": "order 12345 not found"}
    assert set(body) == {"error", "requestId"}
