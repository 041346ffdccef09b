"""What the REST API keeps: API keys, rate-limit counters, webhook subscriptions and their outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shipdesk.core import crypto


class ApiKey(models.Model):
    """One user's credentials for the ShipStation-compatible API (HTTP Basic: key, secret).

    Only a SHA-256 digest of the secret is kept: the secret is 192 random bits, so a fast
    hash is as safe as a slow one and costs nothing on every request.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key


class RateLimitWindow(models.Model):
    """Requests made with one key in one minute: the counter every process shares."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField()  # Unix time of the minute's start
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "window"], name="unique_rate_window")
        ]


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


class WebhookDelivery(models.Model):
    """The outbox row: one POST to one subscriber for one batch. Retries read this row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DEAD = "dead", "Gave up after retrying"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    batch = models.ForeignKey(WebhookBatch, on_delete=models.CASCADE, related_name="deliveries")
    resource_url = models.CharField(max_length=1000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "batch"], name="unique_webhook_delivery"
            )
        ]


class WebhookAttempt(models.Model):
    """One POST to the subscriber: the response (truncated) or the error, and its duration."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.IntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
