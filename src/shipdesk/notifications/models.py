"""Customer emails: one row per (shipment, event), so an email is never sent twice; and the
local outbox that keeps emails when no SMTP server is configured."""

from django.db import models
from django.utils import timezone

from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment


class CustomerEmail(models.Model):
    class Kind(models.TextChoices):
        SHIPMENT_CONFIRMATION = "shipment_confirmation", "Shipment confirmation"
        DELIVERY_NOTIFICATION = "delivery_notification", "Delivery notification"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="customer_emails")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="customer_emails")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the current send began: a row "sending" for long was interrupted.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "kind"], name="one_email_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.order_id}: {self.status}"


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
