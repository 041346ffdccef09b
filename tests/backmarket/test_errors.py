import httpx
import pytest

from shipdesk.backmarket import (
    BackMarketError,
    Forbidden,
    NotFound,
    RateLimited,
    TokenRejected,
    TransientError,
    UpdateRejected,
    classify_response,
    classify_transport_error,
)

from .recorded import recorded_response

TOKEN = "c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5LW5vdC1hLXJlYWwtb25lLWF0LWFsbC0xMjM0NTY3ODkwYWJj"
REQUEST = httpx.Request(
    "GET",
    "https://www.backmarket.fr/ws/orders/78612345",
    headers={"Authorization": f"Basic {TOKEN}"},
)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_success_is_not_an_error(status):
    assert classify_response(httpx.Response(status, request=REQUEST)) is None


@pytest.mark.parametrize(
    ("status", "error_class", "retryable"),
    [
        (400, UpdateRejected, False),
        (401, TokenRejected, False),
        (403, Forbidden, False),
        (404, NotFound, False),
        (409, BackMarketError, False),
        (422, UpdateRejected, False),
        (429, RateLimited, True),
        (500, TransientError, True),
        (503, TransientError, True),
        (520, TransientError, True),
    ],
)
def test_status_maps_to_one_error_class(status, error_class, retryable):
    # given
    response = httpx.Response(status, text="", request=REQUEST)

    # when
    error = classify_response(response)

    # then
    assert type(error) is error_class
    assert (error.status, error.retryable) == (status, retryable)
    assert (error.method, error.url) == ("GET", "https://www.backmarket.fr/ws/orders/78612345")


def test_401_json_envelope_gives_message_code_and_request_id():
    # given
    response = recorded_response("response_401.json", REQUEST)

    # when
    error = classify_response(response)

    # then
    assert isinstance(error, TokenRejected)
    assert (error.message, error.code) == ("Invalid or expired token", "UNAUTHORIZED")
    assert error.request_id == "b1f0c2d4-7a51-4d5e-9c39-0e6b8e3a1f77"
    assert str(error) == (
        "Invalid or expired token (HTTP 401, GET https://www.backmarket.fr/ws/orders/78612345, "
        "request id b1f0c2d4-7a51-4d5e-9c39-0e6b8e3a1f77)"
    )


def test_403_cdn_html_page_keeps_cf_ray_and_page_title():
    # given
    response = recorded_response("response_403_cdn.json", REQUEST)

    # when
    error = classify_response(response)

    # then
    assert isinstance(error, Forbidden)
    assert (error.message, error.code) == ("Attention Required! | Cloudflare", None)
    assert error.cf_ray == "8a1f2c3b4d5e6f70-CDG"
    assert error.body.startswith("<!DOCTYPE html>")
    assert repr(error) == (
        "Forbidden(status=403, message='Attention Required! | Cloudflare', "
        "cf_ray='8a1f2c3b4d5e6f70-CDG', request_id=None)"
    )


def test_403_bot_challenge_json_gives_its_code():
    # given
    response = recorded_response("response_403_bot_challenge.json", REQUEST)

    # when
    error = classify_response(response)

    # then
    assert isinstance(error, Forbidden)
    assert error.code == "bot-need-challenge"
    assert error.message == "Request blocked, please provide a valid User-Agent"


def test_429_html_page_is_rate_limited_without_json():
    # given
    response = recorded_response("response_429_html.json", REQUEST)

    # when
    error = classify_response(response)

    # then
    assert isinstance(error, RateLimited)
    assert (error.message, error.cf_ray) == ("429 Too Many Requests", "8a1f2c3b4d5e6f71-CDG")


def test_422_message_is_back_markets_own():
    # given
    response = recorded_response("response_422.json", REQUEST)

    # when
    error = classify_response(response)

    # then
    assert isinstance(error, UpdateRejected)
    assert (error.message, error.code) == ("The IMEI 356938035643808 is not valid", "INVALID_IMEI")


def test_400_field_errors_are_joined_into_the_message():
    # given
    body = {"tracking_number": ["This field is required."], "shipper": ["Unknown carrier."]}
    response = httpx.Response(400, json=body, request=REQUEST)

    # when
    error = classify_response(response)

    # then
    assert error.message == "tracking_number: This field is required.; shipper: Unknown carrier."


def test_empty_error_body_falls_back_to_the_reason_phrase():
    # given
    response = httpx.Response(503, request=REQUEST)

    # when
    error = classify_response(response)

    # then
    assert (error.message, error.body) == ("503 Service Unavailable", "")


def test_body_is_truncated_to_2000_characters():
    # given
    response = httpx.Response(500, text="x" * 5000, request=REQUEST)

    # when
    error = classify_response(response)

    # then
    assert len(error.body) == 2000


def test_token_echoed_by_an_error_page_is_redacted():
    # given
    body = {"error": {"code": "BAD_AUTH", "message": f"Bad header Basic {TOKEN}"}}
    response = httpx.Response(401, json=body, request=REQUEST)

    # when
    error = classify_response(response)

    # then
    assert error.message == "Bad header Basic ***"
    assert TOKEN not in str(error) + repr(error) + error.body


def test_response_without_request_still_classifies():
    # given
    response = httpx.Response(404, json={"error": {"message": "Order 1 not found"}})

    # when
    error = classify_response(response)

    # then
    assert (type(error), error.message, error.method, error.url) == (
        NotFound,
        "Order 1 not found",
        "",
        "",
    )


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        (httpx.ConnectTimeout("timed out", request=REQUEST), TransientError),
        (httpx.ReadTimeout("timed out", request=REQUEST), TransientError),
        (httpx.ConnectError("connection refused", request=REQUEST), TransientError),
        (httpx.RemoteProtocolError("peer closed", request=REQUEST), TransientError),
        (httpx.DecodingError("bad gzip", request=REQUEST), BackMarketError),
    ],
)
def test_transport_errors_are_classified(exc, error_class):
    # when
    error = classify_transport_error(exc)

    # then
    assert type(error) is error_class
    assert error.message == f"{type(exc).__name__}: {exc}"
    assert (error.status, error.url) == (None, "https://www.backmarket.fr/ws/orders/78612345")
