"""ITEM_ORDER_NOTIFY and ITEM_SHIP_NOTIFY as ShipStation has them, beside ORDER_NOTIFY and
SHIP_NOTIFY: the same events, whose resource URL lists the orders' items and the shipments'
items (`includeShipmentItems=True`; SHIP_NOTIFY's answers `shipmentItems: null`)."""

import json

import httpx
import pytest
from huey.contrib.djhuey import HUEY
from shipstation.api import ShipStation

from shipdesk.notifications.models import WebhookBatch
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.shipping.models import Shipment
from shipdesk.sync.importer import import_orders

from .conftest import basic
from .test_labels import label_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiving(settings, live_server, credentials, webhook_target, no_rate_limit):
    """Webhooks allowed to the local target, links built from the live server's address."""
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    settings.SHIPDESK_BASE_URL = live_server.url
    yield {"Authorization": basic(*credentials)}
    HUEY.flush()


def subscribe(live_server, auth, target, *events):
    for event in events:
        httpx.post(
            f"{live_server.url}/ssapi/webhooks/subscribe",
            json={"target_url": target.url, "event": event},
            headers=auth,
        ).raise_for_status()


def test_item_order_notify_posts_each_import_whose_url_lists_the_orders_items(
    store, live_server, webhook_target, receiving
):
    subscribe(live_server, receiving, webhook_target, "ORDER_NOTIFY", "ITEM_ORDER_NOTIFY")

    import_orders(store)
    engine.deliver_due("webhook")

    batch = WebhookBatch.objects.get()
    url = f"{live_server.url}/ssapi/orders?importBatch={batch.uuid}"
    assert sorted(webhook_target.received, key=lambda r: r["resource_type"]) == [
        {"resource_url": url, "resource_type": "ITEM_ORDER_NOTIFY"},
        {"resource_url": url, "resource_type": "ORDER_NOTIFY"},
    ]
    listed = httpx.get(url, params={"pageSize": 500}, headers=receiving).json()["orders"]
    expected = {
        o.pk: sorted(o.items.values_list("pk", "sku"))
        for o in Order.objects.filter(pk__in=batch.object_ids)
    }
    assert len(listed) == len(batch.object_ids) == Order.objects.count()
    assert {
        o["orderId"]: sorted((i["orderItemId"], i["sku"]) for i in o["items"]) for o in listed
    } == (expected)
    assert all(o["items"] for o in listed)


def test_item_ship_notify_lists_the_shipment_items_and_ship_notify_does_not(
    store, live_server, webhook_target, receiving, credentials, account, phone_order
):
    """The label is bought through the second third-party client (natecox/pyshipstation's
    `post`); the notifications' resource URLs are read back over HTTP."""
    subscribe(live_server, receiving, webhook_target, "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY")
    client = ShipStation(*credentials)
    client.url = f"{live_server.url}/ssapi"

    client.post("/orders/createlabelfororder", data=json.dumps(label_request(phone_order)))
    engine.deliver_due("webhook")

    shipment = Shipment.objects.get(order=phone_order)
    batch = WebhookBatch.objects.get(kind="shipments")
    url = f"{live_server.url}/ssapi/shipments?batchId={batch.pk}"
    received = {r["resource_type"]: r["resource_url"] for r in webhook_target.received}
    assert received == {
        "SHIP_NOTIFY": f"{url}&includeShipmentItems=False",
        "ITEM_SHIP_NOTIFY": f"{url}&includeShipmentItems=True",
    }
    plain = httpx.get(received["SHIP_NOTIFY"], headers=receiving).json()["shipments"]
    items = httpx.get(received["ITEM_SHIP_NOTIFY"], headers=receiving).json()["shipments"]
    item = phone_order.items.get()
    assert [(s["shipmentId"], s["shipmentItems"]) for s in plain] == [(shipment.pk, None)]
    assert [s["shipmentId"] for s in items] == [shipment.pk]
    assert items[0]["shipmentItems"] == [
        {
            "orderItemId": item.pk,
            "lineItemKey": str(item.channel_line_id),
            "sku": item.sku,
            "name": item.name,
            "quantity": item.quantity,
            "unitPrice": float(item.unit_price),
            "warehouseLocation": None,
            "options": item.options,
        }
    ]
