"""The optional invoice at shipping: when a store says so (`InvoiceSettings.auto_upload`),
an order that ships gets its invoice generated and its upload queued.

Done after the shipment commits, in its own transaction: an invoice that cannot be written
(the store's legal details incomplete) never stops a shipment; the order's history says
why instead. Connected to the shipment's creation, so shipping does not know invoices.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from shipdesk.invoices.actions import InvoiceError, invoice_and_upload
from shipdesk.invoices.models import InvoiceSettings
from shipdesk.orders.history import record
from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment

log = logging.getLogger(__name__)


@receiver(post_save, sender=Shipment, dispatch_uid="invoices.at_shipping")
def _shipment_created(sender, instance: Shipment, created: bool, **kwargs) -> None:
    if not created or not instance.notify_channel:
        return
    order_id = instance.order_id
    if InvoiceSettings.objects.filter(store__orders=order_id, auto_upload=True).exists():
        transaction.on_commit(lambda: invoice_at_shipping(order_id), robust=True)


def invoice_at_shipping(order_id: int) -> None:
    order = Order.objects.select_related("store", "bill_to", "ship_to").get(pk=order_id)
    try:
        invoice_and_upload(order, source="system")
    except InvoiceError as exc:
        log.warning("order %s: no invoice at shipping: %s", order.order_number, exc)
        record(order, "invoice_failed", source="system", error=str(exc))
