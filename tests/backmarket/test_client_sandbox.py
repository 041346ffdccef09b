"""The Back Market client against the sandbox, over real HTTP on 127.0.0.1."""

import pytest

from shipdesk.backmarket import (
    BackMarketClient,
    NullPacer,
    RateLimited,
    RetryPolicy,
    TokenRejected,
    UpdateRejected,
)

UA = "BM-shipdesk-tests;tests@example.com"


def client(sandbox, token="sandbox-token", **kwargs) -> BackMarketClient:
    kwargs.setdefault("pacer", NullPacer())
    return BackMarketClient(token, base_url=sandbox.url, user_agent=UA, **kwargs)


def test_listing_follows_next_urls_across_every_page(sandbox):
    with client(sandbox) as bm:
        pages = list(bm.iter_order_pages(page_size=50))

    ids = [o["order_id"] for p in pages for o in p.results]
    assert len(pages) == 3
    assert len(ids) == len(set(ids)) == pages[0].count
    assert pages[-1].next is None


def test_accept_then_ship_with_imei_then_read_back(sandbox):
    with client(sandbox) as bm:
        order = next(
            o
            for p in bm.iter_order_pages()
            for o in p.results
            if o["state"] == 1
            and len(o["orderlines"]) == 1
            and o["orderlines"][0]["quantity"] == 1
            and not o["is_backship"]
        )
        bm.accept_line(order["order_id"], order["orderlines"][0]["listing"])
        bm.ship_order(
            order["order_id"],
            tracking_number="6A 123 45",
            shipper="Colissimo",
            imei="356938035643809",
        )
        shipped = bm.get_order(order["order_id"])

    assert shipped.state == 9
    assert shipped.tracking_number == "6A12345"
    assert shipped.orderlines[0].imei == "356938035643809"
    assert shipped.date_shipping is not None


def test_shipping_before_acceptance_is_rejected_with_back_markets_message(sandbox):
    with client(sandbox) as bm:
        order = next(o for p in bm.iter_order_pages() for o in p.results if o["state"] == 1)
        with pytest.raises(UpdateRejected) as error:
            bm.ship_order(order["order_id"], tracking_number="X1", shipper="Colissimo")

    assert error.value.status == 400
    assert error.value.message


def test_unknown_token_is_rejected(sandbox):
    with client(sandbox, token="not-the-token") as bm, pytest.raises(TokenRejected) as error:
        bm.check_token()

    assert error.value.status == 401
    assert "not-the-token" not in str(error.value)


def test_rate_limit_answers_html_429_and_the_client_reports_it(sandbox_factory):
    sandbox = sandbox_factory(orders=10, seed=1, rate_limit=True, rate_limit_requests=5)
    no_retry = RetryPolicy(max_attempts=1)

    with client(sandbox, retry=no_retry) as bm:
        for _ in range(5):
            bm.check_token()
        with pytest.raises(RateLimited) as error:
            bm.check_token()

    assert error.value.status == 429


def test_backship_deliveries_once_accepted(sandbox):
    with client(sandbox) as bm:
        order = next(
            (
                o
                for p in bm.iter_order_pages()
                for o in p.results
                if o["is_backship"] and o["state"] == 1
            ),
            None,
        )
        if order is None:
            pytest.fail("seed 7 has no BackShip order awaiting acceptance")
        assert bm.list_deliveries(order["order_id"]) == []
        for line in order["orderlines"]:
            bm.accept_line(order["order_id"], line["listing"])
        [delivery] = bm.list_deliveries(order["order_id"])

    assert delivery.trackingNumber and delivery.labelUrl.startswith("http")
