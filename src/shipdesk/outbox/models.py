"""The outbox: every side effect that leaves shipdesk, one row per message, one per try.

A message is written in the same transaction as the change it reports (a shipment, an
acceptance, new orders), so it exists exactly when the change does. Delivery reads the row,
never memory: what is left to do, how often it was tried, until when a worker holds it.
"""

from django.db import models
from django.utils import timezone


class MessageQuerySet(models.QuerySet):
    def with_attempts(self):
        """With their order, shipment and attempts (newest first): what a page shows."""
        return self.select_related("order", "shipment").prefetch_related(
            models.Prefetch("attempt_log", queryset=Attempt.objects.order_by("-at", "-id"))
        )


class Message(models.Model):
    class Kind(models.TextChoices):
        BACKMARKET = "backmarket", "Back Market update"
        WEBHOOK = "webhook", "Webhook"
        EMAIL = "email", "Customer email"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed — needs a person"
        DEAD = "dead", "Gave up after retrying"

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    # What to send, in the sender's words (ids, not copies: the sender reads the rows).
    payload = models.JSONField(default=dict)
    # One message per side effect: queueing the same key again returns the existing row.
    key = models.CharField(max_length=200, unique=True)
    # Messages of one series are delivered one after the other, oldest first (one order's
    # Back Market updates: an acceptance before the shipment).
    series = models.CharField(max_length=100, blank=True, db_index=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    shipment = models.ForeignKey(
        "shipping.Shipment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # Steps of a multi-call message that succeeded: a retry never repeats one.
    steps_done = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set while a worker delivers: another worker takes over only once it has passed.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Retriable failures after this give up (dead).
    deadline_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    # Not auto_now_add: the data migration keeps the old outboxes' dates.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.status}"


class Attempt(models.Model):
    """One request made for a message: what was sent (never a secret), the answer, the time."""

    class ErrorClass(models.TextChoices):
        OK = "ok", "OK"
        RETRIABLE = "retriable", "Will be retried"
        FINAL = "final", "Refused"
        INTERRUPTED = "interrupted", "Interrupted"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    # {"method", "url" or "path", "body", ...}: a summary for people, without credentials.
    request = models.JSONField(default=dict)
    status_code = models.IntegerField(null=True, blank=True)
    answer = models.TextField(blank=True)
    error_class = models.CharField(max_length=12, choices=ErrorClass.choices, default=ErrorClass.OK)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
