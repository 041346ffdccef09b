"""POST /ssapi/orders/refundline (shipdesk's): a line refunded on Back Market once, through the
outbox; against the sandbox over HTTP."""

import pytest

from tests.factories import PHONE, sandbox_order
from tests.sync.returns import refunds_sent, shipped_order

pytestmark = pytest.mark.django_db


def test_a_shipped_line_is_refunded_after_its_return(api, store, sandbox):
    order = shipped_order(store)
    body = {"orderId": order.pk, "sku": PHONE.sku}

    refused = api.post("/orders/refundline", body)
    unknown = api.post("/orders/refundline", {**body, "returnReason": 2})
    out_of_bounds = api.post("/orders/refundline", {**body, "returnReason": 10**30})
    assert refunds_sent(sandbox, order) == []
    done = api.post("/orders/refundline", {**body, "returnReason": 12, "returnMessage": "Jamais"})

    assert refused.status_code == 400
    assert refused.json()["message"].startswith(
        "IP13-128-BLK-GOOD was shipped: give Back Market's return reason (0 stock mistake, "
    )
    assert unknown.status_code == 400
    assert unknown.json()["message"].startswith("unknown return reason 2; use one of: ")
    assert out_of_bounds.status_code == 400
    assert (done.status_code, done.json()) == (
        200,
        {"success": True, "message": "Line refunded successfully."},
    )
    sent = {"order_id": order.channel_order_id, "new_state": 6, "return_reason": 12}
    assert refunds_sent(sandbox, order) == [
        ({**sent, "return_message": "Jamais", "sku": PHONE.sku}, 200)
    ]
    order.refresh_from_db()
    assert (order.status, order.return_reason) == ("shipped", 12)
    assert order.events.get(kind="line_refunded").source == "api"
    # still shipped for ShipStation clients
    listed = api.get("/orders", {"orderStatus": "shipped", "orderNumber": order.order_number})
    assert [o["orderStatus"] for o in listed.json()["orders"]] == ["shipped"]


def test_an_accepted_line_is_refunded_before_shipping(api, store, sandbox):
    order = sandbox_order(store)

    done = api.post("/orders/refundline", {"orderId": order.pk, "sku": PHONE.sku})
    missing = api.post("/orders/refundline", {"orderId": 10**9, "sku": PHONE.sku})

    assert done.status_code == 200
    assert refunds_sent(sandbox, order) == [
        ({"order_id": order.channel_order_id, "new_state": 5, "sku": PHONE.sku}, 200)
    ]
    order.refresh_from_db()
    assert (order.status, order.returned_at) == ("cancelled", None)
    assert missing.status_code == 404
