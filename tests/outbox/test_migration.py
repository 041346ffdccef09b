"""Upgrading a database with the three old outboxes: every row becomes an outbox message with
its attempts, pending ones stay pending where they were, and the engine then delivers them."""

from datetime import date, timedelta

import pytest

from tests.upgrade import AT, latest, migrate, old_order

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("outbox", "0001_initial")]  # the old outboxes still there


def old_rows(apps) -> dict:
    """One of each: a shipment notification half done (accept made, ship retried), a sent
    webhook and a pending one, and customer emails sent, failed and caught while sending."""
    order = old_order(apps, customer_email="lea@example.com")
    shipment = apps.get_model("shipping", "Shipment").objects.create(
        order=order, carrier_code="colissimo", tracking_number="6A1", ship_date=date(2026, 3, 14)
    )
    notification = apps.get_model("sync", "Notification").objects.create(
        order=order,
        shipment=shipment,
        status="pending",
        steps_done=["accept:10011"],
        attempts=2,
        next_attempt_at=AT + timedelta(minutes=2),
        last_error="Back Market is unavailable (503)",
    )
    apps.get_model("sync", "NotificationAttempt").objects.create(
        notification=notification,
        step="ship",
        method="POST",
        path="/ws/orders/1001",
        request_body={"order_id": 1001, "new_state": 3, "tracking_number": "6A1"},
        status_code=503,
        response_body="busy",
        duration_ms=120,
        error="Back Market is unavailable (503)",
    )
    user = apps.get_model("auth", "User").objects.create(username="erp")
    subscription = apps.get_model("api", "WebhookSubscription").objects.create(
        user=user,
        event="SHIP_NOTIFY",
        target_url="https://erp:pw@erp.example.com:8443/hooks?token=t0k3n",
        secret_encrypted="s",
    )
    Batch = apps.get_model("api", "WebhookBatch")
    Delivery = apps.get_model("api", "WebhookDelivery")
    sent_batch, later_batch = (
        Batch.objects.create(kind="shipments", object_ids=[shipment.pk]) for _ in range(2)
    )
    sent = Delivery.objects.create(
        subscription=subscription,
        batch=sent_batch,
        resource_url="https://ship.example.com/ssapi/shipments?batchId=1",
        status="sent",
        attempts=1,
        next_attempt_at=AT,
        sent_at=AT,
    )
    apps.get_model("api", "WebhookAttempt").objects.create(
        delivery=sent, status_code=200, response_body="thanks", duration_ms=80
    )
    Delivery.objects.create(
        subscription=subscription,
        batch=later_batch,
        resource_url="https://ship.example.com/ssapi/shipments?batchId=2",
        next_attempt_at=AT,
    )
    Email = apps.get_model("notifications", "CustomerEmail")
    common = {"order": order, "shipment": shipment, "to": "lea@example.com", "next_attempt_at": AT}
    Email.objects.create(
        kind="shipment_confirmation",
        status="sent",
        attempts=1,
        subject="Votre commande 1001 a été expédiée",
        message_id="<1@shop>",
        sent_at=AT,
        **common,
    )
    Email.objects.create(
        kind="delivery_notification", status="sending", attempts=1, claimed_at=AT, **common
    )
    return {
        "order": order.pk,
        "shipment": shipment.pk,
        "subscription": subscription.pk,
        "batches": (sent_batch.pk, later_batch.pk),
    }


def test_the_old_outboxes_become_messages_and_pending_ones_stay_pending():
    try:
        ids = old_rows(migrate(BEFORE))
    finally:
        apps = migrate(latest())

    Message = apps.get_model("outbox", "Message")
    rows = list(
        Message.objects.order_by("pk").values_list(
            "kind", "key", "status", "attempts", "steps_done", "next_attempt_at", "last_error"
        )
    )
    shipment, subscription = ids["shipment"], ids["subscription"]
    sent_batch, later_batch = ids["batches"]
    assert rows == [
        (
            "backmarket",
            f"backmarket:ship:{shipment}",
            "pending",
            2,
            ["accept:10011"],
            AT + timedelta(minutes=2),
            "Back Market is unavailable (503)",
        ),
        ("webhook", f"webhook:{subscription}:{sent_batch}", "sent", 1, [], AT, ""),
        ("webhook", f"webhook:{subscription}:{later_batch}", "pending", 0, [], AT, ""),
        ("email", f"email:{shipment}:shipment_confirmation", "sent", 1, [], AT, ""),
        ("email", f"email:{shipment}:delivery_notification", "pending", 1, [], AT, ""),
    ]
    ship, _, _, _, sending = Message.objects.order_by("pk")
    assert (ship.order_id, ship.shipment_id, ship.series) == (
        ids["order"],
        shipment,
        f"backmarket:order:{ids['order']}",
    )
    assert ship.payload == {"action": "ship", "user": None, "source": "user"}
    # Caught sending: its lease runs out where the old timeout did, then it is failed.
    assert sending.lease_until == AT + timedelta(minutes=15)
    assert sending.payload == {"email_kind": "delivery_notification", "to": "lea@example.com"}

    Attempt = apps.get_model("outbox", "Attempt")
    attempts = list(
        Attempt.objects.order_by("pk").values_list(
            "message__key", "request", "status_code", "answer", "error_class", "error"
        )
    )
    assert attempts == [
        (
            f"backmarket:ship:{shipment}",
            {
                "step": "ship",
                "method": "POST",
                "path": "/ws/orders/1001",
                "body": {"order_id": 1001, "new_state": 3, "tracking_number": "6A1"},
            },
            503,
            "busy",
            "retriable",
            "Back Market is unavailable (503)",
        ),
        (
            f"webhook:{subscription}:{sent_batch}",
            {
                # Without the subscriber's user, password and query: they may be credentials.
                "method": "POST",
                "url": "https://erp.example.com:8443/hooks",
                "body": {
                    "resource_url": "https://ship.example.com/ssapi/shipments?batchId=1",
                    "resource_type": "SHIP_NOTIFY",
                },
            },
            200,
            "thanks",
            "ok",
            "",
        ),
        (
            f"email:{shipment}:shipment_confirmation",
            {
                "to": "lea@example.com",
                "email": "shipment_confirmation",
                "subject": "Votre commande 1001 a été expédiée",
                "message_id": "<1@shop>",
            },
            None,
            "sent",
            "ok",
            "",
        ),
    ]
    # The subscription and its batches kept their rows, now the notifications app's.
    assert apps.get_model("notifications", "WebhookSubscription").objects.count() == 1
    assert apps.get_model("notifications", "WebhookBatch").objects.count() == 2


def test_the_engine_takes_over_the_migrated_messages():
    from django.utils import timezone

    from shipdesk.outbox import engine
    from shipdesk.outbox.models import Message

    try:
        old_rows(migrate(BEFORE))
    finally:
        migrate(latest())
    # Time passes: the ship's retry and the emailing worker's lease both run out.
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    sending = Message.objects.get(key__endswith="delivery_notification")
    assert engine.deliver(sending.pk) == "failed"

    sending.refresh_from_db()
    assert sending.last_error == (
        "interrupted while sending; not resent, as the customer may have it already"
    )
