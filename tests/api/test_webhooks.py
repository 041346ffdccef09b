"""Webhooks: subscriptions, ORDER_NOTIFY / SHIP_NOTIFY batches, the outbox and its retries."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from shipdesk.notifications import webhooks
from shipdesk.notifications.models import WebhookBatch, WebhookSubscription
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.outbox.models import Attempt, Message
from shipdesk.shipping.actions import ship_order
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders

from .conftest import basic
from .helpers import IMEI, imported_phone_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_targets(settings):
    """The receivers of these tests listen on 127.0.0.1, which is refused by default."""
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def base_url(settings, live_server):
    settings.SHIPDESK_BASE_URL = live_server.url


def subscribe(api, **body) -> int:
    response = api.post("/webhooks/subscribe", body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_subscribe_list_and_unsubscribe(store, api):
    answer = api.post(
        "/webhooks/subscribe",
        {
            "target_url": "https://erp.example.com/hooks",
            "event": "ORDER_NOTIFY",
            "store_id": store.pk,
            "friendly_name": "ERP",
        },
    ).json()
    webhook_id = answer["id"]
    secret = WebhookSubscription.objects.get().secret

    listed = api.get("/webhooks").json()
    deleted = api.delete(f"/webhooks/{webhook_id}")
    again = api.delete(f"/webhooks/{webhook_id}")

    assert listed == {
        "webhooks": [
            {
                "IsLabelAPIHook": False,
                "WebHookID": webhook_id,
                "SellerID": None,
                "StoreID": store.pk,
                "HookType": "ORDER_NOTIFY",
                "MessageFormat": "Json",
                "Url": "https://erp.example.com/hooks",
                "Name": "ERP",
                "BulkCopyBatchID": None,
                "BulkCopyRecordID": None,
                "Active": True,
                "WebhookLogs": [],
                "Seller": None,
                "Store": None,
            }
        ]
    }
    # The signing secret: shown once in the subscribe answer, never listed.
    assert answer == {"id": webhook_id, "secret": secret}
    assert len(secret) == 43
    assert deleted.json() == {"success": True, "message": "Webhook unsubscribed."}
    assert (again.status_code, again.json()) == (
        404,
        {"message": f"webhook {webhook_id} not found"},
    )


def test_subscribe_refuses_bad_events_urls_and_stores(store, api):
    event = api.post("/webhooks/subscribe", {"target_url": "https://x.example", "event": "NOPE"})
    url = api.post("/webhooks/subscribe", {"target_url": "ftp://x", "event": "SHIP_NOTIFY"})
    other_store = api.post(
        "/webhooks/subscribe",
        {"target_url": "https://x.example", "event": "SHIP_NOTIFY", "store_id": store.pk + 1},
    )

    assert event.json() == {
        "message": "invalid request: event: Input should be 'ORDER_NOTIFY', "
        "'ITEM_ORDER_NOTIFY', 'SHIP_NOTIFY' or 'ITEM_SHIP_NOTIFY'"
    }
    assert url.json() == {
        "message": "invalid request: target_url: String should match pattern "
        "'^https?://[^\\s\\x00]+$'"
    }
    assert other_store.json() == {"message": f"no store {store.pk + 1}; see GET /stores"}
    assert {event.status_code, url.status_code, other_store.status_code} == {400}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8765/_sandbox/stats", "127.0.0.1"),
        ("http://[::1]:8000/", "::1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://2130706433/", "2130706433"),
        ("http://0x7f.1/", "0x7f.1"),
        ("https://192.168.1.20/erp", "192.168.1.20"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://0.0.0.0:22/", "0.0.0.0"),
        ("http://239.255.255.250:1900/", "239.255.255.250"),
        ("http://[fe80::1]/", "fe80::1"),
    ],
)
def test_subscribe_refuses_local_addresses(api, url, host):
    response = api.post("/webhooks/subscribe", {"target_url": url, "event": "SHIP_NOTIFY"})

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": f"the target URL's host {host} is not a public address (loopback, "
            "private, link-local, shared, multicast or reserved); set "
            "SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1 on the server to allow local targets"
        },
    )
    assert WebhookSubscription.objects.count() == 0


def test_subscribe_refuses_localhost_and_urls_without_a_host(api):
    localhost = api.post(
        "/webhooks/subscribe", {"target_url": "http://localhost:8000/", "event": "SHIP_NOTIFY"}
    )
    no_host = api.post("/webhooks/subscribe", {"target_url": "http:///h", "event": "SHIP_NOTIFY"})

    assert (localhost.status_code, localhost.json()) == (
        400,
        {
            "message": "the target URL's host localhost is the server itself; set "
            "SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1 on the server to allow local targets"
        },
    )
    assert (no_host.status_code, no_host.json()) == (
        400,
        {"message": "the target URL must be an http:// or https:// URL with a host"},
    )
    assert WebhookSubscription.objects.count() == 0


def test_subscribe_accepts_local_addresses_when_the_server_allows_them(api, local_targets):
    webhook_id = subscribe(api, target_url="http://127.0.0.1:9/hooks", event="SHIP_NOTIFY")

    assert WebhookSubscription.objects.get().pk == webhook_id


def test_a_user_sees_only_their_own_webhooks(api, django_user_model):
    from shipdesk.api.keys import create_key

    other = django_user_model.objects.create_user("warehouse")
    key, secret = create_key(other)
    theirs = api.client.post(
        "/ssapi/webhooks/subscribe",
        {"target_url": "https://other.example/h", "event": "SHIP_NOTIFY"},
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(key.key, secret),
    ).json()["id"]

    assert api.get("/webhooks").json() == {"webhooks": []}
    assert api.delete(f"/webhooks/{theirs}").status_code == 404


def test_announcing_is_a_no_op_without_subscribers(store):
    import_orders(store)
    order_ids = list(Order.objects.values_list("pk", flat=True)[:3])

    assert webhooks.orders_imported(store, order_ids) is None
    assert webhooks.shipments_created([1, 2]) is None
    assert webhooks.orders_imported(store, []) is None
    assert WebhookBatch.objects.count() == Message.objects.filter(kind="webhook").count() == 0


def test_a_subscription_for_another_store_is_not_notified(store, api):
    import_orders(store)
    other = Store.objects.create(name="Second", token_encrypted="x")
    subscribe(api, target_url="https://x.example/h", event="ORDER_NOTIFY", store_id=other.pk)

    batch = webhooks.orders_imported(store, list(Order.objects.values_list("pk", flat=True)[:2]))

    assert batch is None
    assert Message.objects.filter(kind="webhook").count() == 0


def test_an_import_with_new_orders_posts_one_order_notify_whose_url_answers_them(
    store, live_server, base_url, credentials, webhook_target, local_targets, no_rate_limit
):
    auth = {"Authorization": basic(*credentials)}
    httpx.post(
        f"{live_server.url}/ssapi/webhooks/subscribe",
        json={"target_url": webhook_target.url, "event": "ORDER_NOTIFY"},
        headers=auth,
    ).raise_for_status()
    HUEY.flush()

    run = import_orders(store)
    queued = [(t.name, t.args) for t in HUEY.pending()]
    counts = engine.deliver_due("webhook")["webhook"]

    batch = WebhookBatch.objects.get()
    delivery = Message.objects.filter(kind="webhook").get()
    assert queued == [("deliver_message", (delivery.pk,))]
    assert counts == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    resource_url = f"{live_server.url}/ssapi/orders?importBatch={batch.uuid}"
    assert webhook_target.received == [
        {"resource_url": resource_url, "resource_type": "ORDER_NOTIFY"}
    ]
    resource = httpx.get(resource_url, params={"pageSize": 500}, headers=auth).json()
    assert resource["total"] == run.created == Order.objects.count()
    assert sorted(o["orderId"] for o in resource["orders"]) == sorted(batch.object_ids)
    assert httpx.get(resource_url).status_code == 401
    attempt = Attempt.objects.get()
    assert (attempt.status_code, attempt.answer, attempt.error) == (200, "thanks", "")
    HUEY.flush()


def test_orders_imported_announces_exactly_the_given_orders_at_the_configured_address(
    store, api, settings
):
    # Not the request's Host header ("testserver" here): a client could point links anywhere.
    settings.SHIPDESK_BASE_URL = "https://ship.example.com"
    import_orders(store)
    subscribe(api, target_url="https://erp.example.com/hooks", event="ITEM_ORDER_NOTIFY")
    new = list(Order.objects.order_by("-id").values_list("pk", flat=True)[:3])

    batch = webhooks.orders_imported(store, new)

    delivery = Message.objects.filter(kind="webhook").get()
    assert (batch.kind, batch.store, batch.object_ids) == ("orders", store, sorted(new))
    assert delivery.payload["resource_url"] == (
        f"https://ship.example.com/ssapi/orders?importBatch={batch.uuid}"
    )
    assert delivery.status == "pending"
    resource = api.get(f"/orders?importBatch={batch.uuid}").json()
    assert sorted(o["orderId"] for o in resource["orders"]) == sorted(new)


def test_item_ship_notify_announces_a_shipment_batch_with_items(
    store, live_server, base_url, credentials, webhook_target, local_targets, no_rate_limit
):
    order = imported_phone_order(store)
    auth = {"Authorization": basic(*credentials)}
    httpx.post(
        f"{live_server.url}/ssapi/webhooks/subscribe",
        json={"target_url": webhook_target.url, "event": "ITEM_SHIP_NOTIFY", "store_id": store.pk},
        headers=auth,
    ).raise_for_status()
    order.items.get().units.update(imei=IMEI)

    shipment = ship_order(
        order, carrier_code="gls", tracking_number="GLS1", notify_backmarket=False
    )
    engine.deliver_due("webhook")["webhook"]

    batch = WebhookBatch.objects.get()
    assert (batch.kind, batch.object_ids) == ("shipments", [shipment.pk])
    [received] = webhook_target.received
    assert received == {
        "resource_url": f"{live_server.url}/ssapi/shipments?batchId={batch.pk}"
        f"&includeShipmentItems=True&storeId={store.pk}",
        "resource_type": "ITEM_SHIP_NOTIFY",
    }
    resource = httpx.get(received["resource_url"], headers=auth).json()
    [listed] = resource["shipments"]
    assert (listed["shipmentId"], listed["trackingNumber"]) == (shipment.pk, "GLS1")
    assert [i["sku"] for i in listed["shipmentItems"]] == [order.items.get().sku]
    HUEY.flush()


def test_a_failing_target_is_retried_with_backoff_and_every_attempt_is_recorded(
    store, api, webhook_target, local_targets
):
    import_orders(store)
    subscribe(api, target_url=webhook_target.url, event="SHIP_NOTIFY")
    order = imported_phone_order(store)
    order.items.get().units.update(imei=IMEI)
    webhook_target.status = 503
    ship_order(order, carrier_code="ups", tracking_number="1Z9", notify_backmarket=False)

    first = engine.deliver_due("webhook")["webhook"]
    delivery = Message.objects.filter(kind="webhook").get()
    not_due_yet = engine.deliver_due("webhook")["webhook"]
    webhook_target.status = 200
    Message.objects.filter(kind="webhook").update(next_attempt_at=timezone.now())  # time passes
    second = engine.deliver_due("webhook")["webhook"]

    assert first == not_due_yet == {"pending": 1, "sent": 0, "failed": 0, "dead": 0}
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=10)
    assert delivery.last_error == "the target answered HTTP 503"
    assert second == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    assert len(webhook_target.received) == 2
    assert list(Attempt.objects.values_list("status_code", "answer")) == [
        (503, "busy"),
        (200, "thanks"),
    ]
    assert Message.objects.filter(kind="webhook").get().attempts == 2
    logs = api.get("/webhooks").json()["webhooks"][0]["WebhookLogs"]
    assert [log["statusCode"] for log in logs] == [200, 503]


def test_an_unreachable_target_gives_up_after_24_hours(store, api, local_targets):
    import_orders(store)
    subscribe(api, target_url="http://127.0.0.1:9/closed", event="ORDER_NOTIFY")
    webhooks.orders_imported(store, list(Order.objects.values_list("pk", flat=True)[:1]))
    Message.objects.filter(kind="webhook").update(deadline_at=timezone.now() - timedelta(hours=1))

    counts = engine.deliver_due("webhook")["webhook"]

    assert counts == {"pending": 0, "sent": 0, "failed": 0, "dead": 1}
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    # Not the system's "[Errno 111] Connection refused": the list must not be a port scanner.
    assert attempt.error == "could not connect to the target"
    assert Message.objects.filter(kind="webhook").get().last_error == attempt.error
    [logged] = api.get("/webhooks").json()["webhooks"][0]["WebhookLogs"]
    assert logged["error"] == "could not connect to the target"
