"""Who shipdesk tells: webhook subscribers (and the batches announced to them), the seller's
customer email templates, and the local mailbox that keeps emails when no SMTP server is
configured. What is sent to them goes through the outbox (`shipdesk.outbox`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shipdesk.core import crypto
from shipdesk.orders.models import BUYER_LANGUAGES


class WebhookSubscription(models.Model):
    class Event(models.TextChoices):
        ORDER_NOTIFY = "ORDER_NOTIFY", "New orders"
        ITEM_ORDER_NOTIFY = "ITEM_ORDER_NOTIFY", "New orders (items)"
        SHIP_NOTIFY = "SHIP_NOTIFY", "New shipments"
        ITEM_SHIP_NOTIFY = "ITEM_SHIP_NOTIFY", "New shipments (items)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    target_url = models.URLField(max_length=1000)
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    friendly_name = models.CharField(max_length=200, blank=True)
    # The key of each delivery's HMAC signature, encrypted like store tokens: the subscriber
    # is shown it once, when subscribing.
    secret_encrypted = models.TextField(editable=False, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        db_table = "api_webhooksubscription"  # made by the REST API app, before it moved here

    def __str__(self) -> str:
        return f"{self.event} → {self.target_url}"

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)


class WebhookBatch(models.Model):
    """Orders one import created, or shipments created together: what one webhook announces."""

    class Kind(models.TextChoices):
        ORDERS = "orders", "Orders imported"
        SHIPMENTS = "shipments", "Shipments created"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        db_table = "api_webhookbatch"


class EmailKind(models.TextChoices):
    SHIPMENT_CONFIRMATION = "shipment_confirmation", "Shipment confirmation"
    DELIVERY_NOTIFICATION = "delivery_notification", "Delivery notification"


class EmailTemplate(models.Model):
    """The seller's own subject and text of one customer email, in one language; an empty
    subject or text uses the built-in one of that language (notifications.emails)."""

    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="email_templates"
    )
    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    language = models.CharField(max_length=2, choices=[(code, code) for code in BUYER_LANGUAGES])
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["store", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "language"], name="one_email_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.kind} · {self.language}"


class OutboxEmail(models.Model):
    """An email kept locally by LocalOutboxBackend instead of being sent."""

    to = models.TextField()
    from_email = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
