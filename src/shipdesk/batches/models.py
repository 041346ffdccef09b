"""Batches: many orders' labels bought in one go, and the one PDF printed from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shipdesk.carriers.models import CarrierAccount
from shipdesk.documents.labels import DEFAULT_LAYOUT
from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment


class Batch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be processed")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The service every order ships with; none: each order's own (chosen by the rules).
    account = models.ForeignKey(
        CarrierAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="batches"
    )
    service = models.CharField(max_length=100, blank=True)
    with_slips = models.BooleanField(default=False)
    # How the labels are laid out in the PDF: one of documents.labels' layouts but ZPL.
    layout = models.CharField(max_length=10, default=DEFAULT_LAYOUT)
    # Progress, saved after each order (pages poll it).
    total = models.PositiveIntegerField(default=0)
    shipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The labels (and slips) in pick order, kept from processing; reprint makes it again.
    pdf = models.BinaryField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    # Why the batch itself stopped (status failed); each order's reason is on its BatchOrder.
    error = models.TextField(blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    @property
    def done(self) -> int:
        """Orders processed so far, shipped or not."""
        return self.shipped + self.failed

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class BatchOrder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SHIPPED = "shipped", _("Label bought")
        FAILED = "failed", _("Not shipped")
        VOIDED = "voided", _("Label voided")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="batch_orders")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="batch_orders")
    # In pick order: by warehouse location, then SKU (see actions.pick_key).
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["batch_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "order"], name="one_order_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.position} {self.order}"
