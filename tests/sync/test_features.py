"""Every feature of ShipStation's Back Market integration, populated or editable after import."""

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from shipdesk.api.shipstation import order as ss_order
from shipdesk.orders.models import Order, Product
from shipdesk.outbox import engine
from shipdesk.sync.importer import import_orders

from .oracle import admin

pytestmark = pytest.mark.django_db


def test_feature_table_rows_are_populated_or_editable(store, sandbox):
    Product.objects.create(sku="CATALOGUE-SKU", weight_grams=1)  # unrelated row
    raw = httpx.get(
        f"{sandbox.url}/ws/orders?page-size=50",
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    ).json()["results"]
    first = next(o for o in raw if o["state"] == 3 and o["shipping_address"])
    for line in first["orderlines"]:
        Product.objects.create(sku=line["listing"], weight_grams=310, warehouse_location="A-01-02")

    import_orders(store)
    order = Order.objects.get(channel_order_id=first["order_id"])
    data = ss_order(order)

    # Populated from Back Market.
    assert data["orderStatus"] == "awaiting_shipment"  # custom statuses: the store's mapping
    assert data["customerEmail"] == first["shipping_address"]["email"]
    assert data["shipTo"]["phone"] == first["shipping_address"]["phone"]
    assert data["requestedShippingService"].startswith(first["orderlines"][0]["shipper"])
    assert data["paymentMethod"] == first["payment_method"]
    # From the product catalogue.
    assert {i["warehouseLocation"] for i in data["items"]} == {"A-01-02"}
    assert {i["weight"]["value"] for i in data["items"]} == {310}
    units = sum(line["quantity"] for line in first["orderlines"])
    assert data["weight"] == {"value": 310 * units, "units": "grams", "WeightUnits": 2}
    assert all(i["options"][0]["name"] == "Grade" for i in data["items"])
    # Not in Back Market's API: empty on import, editable by the seller.
    assert (data["gift"], data["giftMessage"], data["couponCode"]) == (False, None, None)
    assert (data["customerNotes"], data["internalNotes"]) == (None, None)
    order.gift, order.gift_message, order.coupon_code = True, "Joyeux anniversaire", "NOEL10"
    order.customer_notes, order.internal_notes = "Sonnez deux fois", "IMEI: 356938035643809"
    order.save()
    again = ss_order(Order.objects.get(pk=order.pk))
    assert (again["gift"], again["giftMessage"], again["couponCode"]) == (
        True,
        "Joyeux anniversaire",
        "NOEL10",
    )
    assert (again["customerNotes"], again["internalNotes"]) == (
        "Sonnez deux fois",
        "IMEI: 356938035643809",
    )


def test_auto_accept_accepts_paid_orders_on_import(store, sandbox):
    store.auto_accept = True
    store.save()

    run = import_orders(store)
    queued = httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
    counts = engine.deliver_due()["backmarket"]  # the outbox sends what the import queued

    paid = Order.objects.filter(channel_state=3, events__kind="accepted").distinct()
    assert run.accepted == paid.count() > 0
    assert queued == []  # the import itself sends no update to Back Market
    assert Order.objects.filter(awaiting_acceptance=True).count() == 0
    accepts = [
        u
        for u in httpx.get(f"{sandbox.url}/_sandbox/updates").json()["updates"]
        if u["body"].get("new_state") == 2
    ]
    assert {u["status"] for u in accepts} == {200}
    assert counts == {"pending": 0, "sent": len(accepts), "failed": 0, "dead": 0}


def test_a_rejected_token_emails_the_admins_when_email_is_configured(store, sandbox, settings):
    settings.SHIPDESK_EMAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    admin(sandbox.url, "revoke")

    import_orders(store)

    [message] = mail.outbox
    assert message.to == ["boss@example.com"]
    assert message.subject == "[shipdesk] Back Market token rejected for Test store"
    assert f"shipdesk store set-token {store.pk} --token NEW_TOKEN" in message.body
    assert "sandbox-token" not in message.body
