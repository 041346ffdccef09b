"""Carrier accounts (credentials encrypted at rest) and the carrier's side of a shipment."""

from __future__ import annotations

import json

from django.db import models

from shipdesk.core import crypto
from shipdesk.orders.quantities import ReadableDecimalField
from shipdesk.shipping.carriers import LABEL_CARRIERS, Carrier, label_carrier
from shipdesk.shipping.models import Shipment


class CarrierAccount(models.Model):
    name = models.CharField(max_length=100, unique=True)
    carrier_code = models.CharField(
        max_length=50, choices=[(c.code, c.name) for c in LABEL_CARRIERS.values()]
    )
    karrio_carrier = models.CharField(max_length=50, editable=False)
    credentials_encrypted = models.TextField(editable=False)
    test_mode = models.BooleanField(
        default=False, help_text="Use the carrier's test (sandbox) servers."
    )
    active = models.BooleanField(default=True)
    # karrio refuses to ship from another country than the account's, when it is set.
    country_code = models.CharField(max_length=2, blank=True)
    # The sandbox carrier's simulator, e.g. http://127.0.0.1:8765/carrier/ups/l150-f0.1
    # (latency and failure rate in the path); blank: the carrier's own servers.
    server_url = models.URLField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.karrio_carrier = self.carrier.karrio.carrier
        super().save(*args, **kwargs)

    @property
    def carrier(self) -> Carrier:
        return label_carrier(self.carrier_code)

    @property
    def credentials(self) -> dict[str, str]:
        return json.loads(crypto.decrypt(self.credentials_encrypted) or "{}")

    @credentials.setter
    def credentials(self, values: dict[str, str]) -> None:
        cleaned = self.carrier.clean_credentials(values)
        self.credentials_encrypted = crypto.encrypt(json.dumps(cleaned))

    def masked_credentials(self) -> dict[str, str]:
        """For pages and the CLI: secrets hidden, other values shortened."""
        values = self.credentials
        shown = {}
        for field in self.carrier.karrio.credentials:
            value = values.get(field.name, "")
            if not value:
                shown[field.name] = ""
            elif field.secret or len(value) <= 4:
                shown[field.name] = "••••"
            else:
                shown[field.name] = "••••" + value[-4:]
        return shown


class CarrierShipment(models.Model):
    """A shipment as the carrier knows it: the bought label, and the tracking seen so far.

    Created when a label is bought, or at the first tracking of a shipment whose tracking
    number was typed (manual carrier) for a carrier that has an active account.
    """

    shipment = models.OneToOneField(
        Shipment, on_delete=models.CASCADE, related_name="carrier_shipment"
    )
    account = models.ForeignKey(CarrierAccount, on_delete=models.PROTECT, related_name="shipments")
    label_bought = models.BooleanField(default=False)
    service = models.CharField(max_length=100, blank=True)
    # The label in ZPL, when it was bought for a thermal printer (the PDF is on the Shipment).
    label_zpl = models.TextField(blank=True)
    shipment_identifier = models.CharField(max_length=200, blank=True)
    # Readable: older versions stored whatever amount the carrier answered.
    label_cost = ReadableDecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    label_voided_at = models.DateTimeField(null=True, blank=True)

    tracking_status = models.CharField(max_length=50, blank=True)
    tracking_events = models.JSONField(default=list, blank=True)
    last_tracked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    tracking_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.account} {self.shipment.tracking_number}"
