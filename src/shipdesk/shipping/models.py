"""Shipments: what left the warehouse, with which carrier and tracking number."""

from django.conf import settings
from django.db import models

from shipdesk.orders.models import Address, Order
from shipdesk.orders.quantities import ReadableDecimalField


class Shipment(models.Model):
    # None for a parcel that belongs to no order (a return, a replacement: the API's
    # createlabel); its recipient is then `ship_to`.
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="shipments", null=True, blank=True
    )
    ship_to = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    carrier_code = models.CharField(max_length=50)
    service_code = models.CharField(max_length=100, blank=True)
    package_code = models.CharField(max_length=50, blank=True)
    confirmation = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=200, db_index=True)
    tracking_url = models.CharField(max_length=300, blank=True)
    ship_date = models.DateField()
    # Back Market's API has no field for the service or the fee: they stay here. Readable:
    # older versions stored fees of Infinity (see ReadableDecimalField).
    shipment_cost = ReadableDecimalField(max_digits=10, decimal_places=2, default=0)
    insurance_cost = ReadableDecimalField(max_digits=10, decimal_places=2, default=0)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    width_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    height_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    notes_to_buyer = models.TextField(blank=True)
    notify_customer = models.BooleanField(default=False)
    notify_channel = models.BooleanField(default=True)
    label_pdf = models.BinaryField(null=True, blank=True)
    label_url = models.URLField(max_length=1000, blank=True)
    voided = models.BooleanField(default=False)
    void_date = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last line of defence behind ship_order's lock: an order leaves once at a time.
            # Orderless shipments (order NULL) are distinct from each other in SQL.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(voided=False), name="one_live_shipment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier_code} {self.tracking_number}"

    @property
    def recipient(self) -> Address:
        """Where the parcel goes: its order's ship-to address, else its own."""
        return self.order.ship_to if self.order_id else self.ship_to
