"""The three outboxes of before become outbox messages, with their attempts.

Back Market notifications (sync), webhook deliveries (api) and customer emails
(notifications) are copied with their status, attempts, steps done, next attempt, lease and
dates: a pending one stays pending and is delivered by the new engine as the old one would
have been. An email caught "sending" keeps a lease that runs out where its old timeout did,
so it is then failed, never resent. The old tables are dropped by the next migrations.
Going back leaves the messages in place: the old tables come back empty.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.db import migrations

GIVE_UP_AFTER = timedelta(hours=24)
EMAIL_SENDING_TIMEOUT = timedelta(minutes=15)


def _error_class(status_code, error: str) -> str:
    if not error:
        return "ok"
    return "final" if status_code in (400, 404, 422) else "retriable"


def _shown_url(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


def _message(Message, key: str, row, **fields):
    if Message.objects.filter(key=key).exists():  # never twice in the old tables, but safe
        key = f"{key}:{row.pk}"
    return Message.objects.create(
        key=key,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        deadline_at=row.created_at + GIVE_UP_AFTER,
        created_at=row.created_at,
        sent_at=row.sent_at,
        **fields,
    )


def backmarket_notifications(apps, Message, Attempt) -> None:
    Notification = apps.get_model("sync", "Notification")
    NotificationAttempt = apps.get_model("sync", "NotificationAttempt")
    for row in Notification.objects.order_by("created_at", "pk").iterator():
        message = _message(
            Message,
            f"backmarket:ship:{row.shipment_id}",
            row,
            kind="backmarket",
            payload={"action": "ship", "user": None, "source": "user"},
            series=f"backmarket:order:{row.order_id}",
            order_id=row.order_id,
            shipment_id=row.shipment_id,
            steps_done=row.steps_done,
            lease_until=row.lease_until,
            last_error=row.last_error,
        )
        Attempt.objects.bulk_create(
            Attempt(
                message=message,
                at=a.at,
                request={
                    "step": a.step,
                    "method": a.method,
                    "path": a.path,
                    "body": a.request_body,
                },
                status_code=a.status_code,
                answer=a.response_body,
                error=a.error,
                error_class=_error_class(a.status_code, a.error),
                duration_ms=a.duration_ms,
            )
            for a in NotificationAttempt.objects.filter(notification=row).order_by("at", "pk")
        )


def webhook_deliveries(apps, Message, Attempt) -> None:
    WebhookDelivery = apps.get_model("api", "WebhookDelivery")
    WebhookAttempt = apps.get_model("api", "WebhookAttempt")
    rows = WebhookDelivery.objects.select_related("subscription").order_by("created_at", "pk")
    for row in rows.iterator():
        message = _message(
            Message,
            f"webhook:{row.subscription_id}:{row.batch_id}",
            row,
            kind="webhook",
            payload={
                "subscription": row.subscription_id,
                "batch": row.batch_id,
                "resource_url": row.resource_url,
            },
            lease_until=row.lease_until,
            last_error=row.last_error,
        )
        request = {
            "method": "POST",
            "url": _shown_url(row.subscription.target_url),
            "body": {"resource_url": row.resource_url, "resource_type": row.subscription.event},
        }
        Attempt.objects.bulk_create(
            Attempt(
                message=message,
                at=a.at,
                request=request,
                status_code=a.status_code,
                answer=a.response_body,
                error=a.error,
                error_class="retriable" if a.error else "ok",
                duration_ms=a.duration_ms,
            )
            for a in WebhookAttempt.objects.filter(delivery=row).order_by("at", "pk")
        )


def customer_emails(apps, Message, Attempt) -> None:
    CustomerEmail = apps.get_model("notifications", "CustomerEmail")
    for row in CustomerEmail.objects.order_by("created_at", "pk").iterator():
        sending = row.status == "sending"
        if sending:  # interrupted, or still going: failed once the old timeout has passed
            row.status = "pending"
        claimed = row.claimed_at or row.created_at
        message = _message(
            Message,
            f"email:{row.shipment_id}:{row.kind}",
            row,
            kind="email",
            payload={"email_kind": row.kind, "to": row.to},
            order_id=row.order_id,
            shipment_id=row.shipment_id,
            lease_until=claimed + EMAIL_SENDING_TIMEOUT if sending else None,
            last_error=row.error,
        )
        request = {"to": row.to, "email": row.kind}
        if row.status == "sent":
            request.update(subject=row.subject, message_id=row.message_id)
            Attempt.objects.create(
                message=message, at=row.sent_at or claimed, request=request, answer="sent"
            )
        elif row.error:
            Attempt.objects.create(
                message=message,
                at=claimed,
                request=request,
                error=row.error,
                error_class="final" if row.status == "failed" else "retriable",
            )


def move(apps, schema_editor):
    Message = apps.get_model("outbox", "Message")
    Attempt = apps.get_model("outbox", "Attempt")
    backmarket_notifications(apps, Message, Attempt)
    webhook_deliveries(apps, Message, Attempt)
    customer_emails(apps, Message, Attempt)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("sync", "0002_pacing"),
        ("api", "0002_webhook_secret"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
