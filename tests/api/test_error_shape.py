"""Every error the API answers is JSON `{"message": ...}` a person can act on, whatever
raised it: the body parser, field validation, authentication, a handler's refusal, an
unknown id or path, a method the path does not take, the body limit, the rate limit."""

import json

import pytest

from shipdesk.orders.models import Order
from shipdesk.stores.models import Warehouse
from tests.factories import make_order, make_store

from .conftest import basic

pytestmark = pytest.mark.django_db


def error(response) -> tuple[int, dict]:
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("call", "status", "message"),
    [
        (("post", "/orders/holduntil", "{not json"), 400, "the request body is not valid JSON"),
        (("post", "/orders/holduntil", "[1, 2]"), 400, "the request body must be a JSON object"),
        (
            ("get", "/stores/getrefreshstatus", {"storeId": "abc"}),
            400,
            "invalid request: storeId: Input should be a valid integer, unable to parse string "
            "as an integer",
        ),
        (
            ("get", "/shipments", {"orderId": "-1"}),
            400,
            "invalid request: orderId: Input should be greater than or equal to 1",
        ),
        (
            ("post", "/warehouses/createwarehouse", "{}"),
            400,
            "invalid request: originAddress: Field required",
        ),
        (("get", "/orders/424242", None), 404, "order 424242 not found"),
        (("get", "/stores/424242", None), 404, "store 424242 not found"),
        (("get", "/warehouses/424242", None), 404, "warehouse 424242 not found"),
        (("get", "/carriers/getcarrier", {"carrierCode": "x"}), 404, None),
        (("get", "/no/such/thing", None), 404, "no API endpoint at /ssapi/no/such/thing"),
        (("delete", "/warehouses/%0Ax", None), 404, "no API endpoint at /ssapi/warehouses/\nx"),
        (
            ("delete", "/stores", None),
            405,
            "DELETE is not allowed on /ssapi/stores: use GET",
        ),
    ],
)
def test_errors_are_json_messages(api, call, status, message):
    method, path, data = call
    if method == "get":
        response = api.get(path, data)
    elif method == "post":
        response = api.post(path, raw=data)
    else:
        response = api.delete(path)

    answered_status, body = error(response)

    assert answered_status == status
    assert list(body) == ["message"]
    if message is not None:
        assert body["message"] == message
    else:
        assert body["message"].startswith("carrier 'x' not found; expected one of ")


def test_a_refused_action_is_400_with_the_reason(api):
    lyon = Warehouse.objects.create(name="Lyon")
    order = make_order(make_store(), 1)
    Order.objects.filter(pk=order.pk).update(warehouse=lyon)

    assert error(api.delete(f"/warehouses/{lyon.pk}")) == (
        400,
        {"message": "warehouse 'Lyon' is used by 1 order: set another warehouse on them first"},
    )


def test_405_says_which_methods_the_path_takes(api):
    response = api.delete("/stores")

    assert response["Allow"] == "GET"


def test_unauthorized_is_401_json(client):
    response = client.get("/ssapi/stores")

    assert error(response) == (
        401,
        {"message": "unauthorized: give an API key and its secret with HTTP Basic authentication"},
    )
    assert response["WWW-Authenticate"] == 'Basic realm="shipdesk"'


def test_body_over_the_limit_is_413_json(api, settings):
    settings.SHIPDESK_API_MAX_BODY_BYTES = 1024

    response = api.post("/stores/refreshstore", {"refreshDate": "x" * 2000})

    assert error(response) == (
        413,
        {"message": "the request body is over the limit of 1024 bytes"},
    )


def test_rate_limit_is_429_json_with_retry_after_and_the_limit_headers(
    client, credentials, settings
):
    settings.SHIPDESK_API_RATE_LIMIT = 2
    auth = basic(*credentials)

    answers = [client.get("/ssapi/stores", HTTP_AUTHORIZATION=auth) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a["X-Rate-Limit-Remaining"] for a in answers] == ["1", "0", "0"]
    status, body = error(answers[2])
    assert status == 429
    assert list(body) == ["message"]
    assert answers[2]["X-Rate-Limit-Limit"] == "2"
    assert answers[2]["Retry-After"] == answers[2]["X-Rate-Limit-Reset"]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
