"""Shipments in the shape of ShipStation's API v1."""

from shipdesk.orders.shipstation import address, dimensions, money, ss_datetime, weight
from shipdesk.shipping.models import Shipment


def shipment(s: Shipment, *, include_items: bool = True) -> dict:
    order = s.order
    # Reads the prefetched messages when the caller prefetched them.
    notification = max(
        (m for m in s.messages.all() if m.kind == "backmarket"), key=lambda m: m.pk, default=None
    )
    return {
        "shipmentId": s.pk,
        "orderId": order.pk,
        "orderKey": order.order_key,
        "userId": None,
        "customerEmail": order.customer_email or None,
        "orderNumber": order.order_number,
        "createDate": ss_datetime(s.created_at),
        "shipDate": s.ship_date.isoformat(),
        "shipmentCost": money(s.shipment_cost),
        "insuranceCost": money(s.insurance_cost),
        "trackingNumber": s.tracking_number,
        "trackingUrl": s.tracking_url or None,
        "isReturnLabel": False,
        "batchNumber": None,
        "carrierCode": s.carrier_code,
        "serviceCode": s.service_code or None,
        "packageCode": s.package_code or None,
        "confirmation": None,
        "warehouseId": order.warehouse_id,
        "voided": s.voided,
        "voidDate": ss_datetime(s.void_date),
        "marketplaceNotified": bool(notification and notification.status == "sent"),
        "notifyErrorMessage": (notification.last_error or None) if notification else None,
        "shipTo": address(order.ship_to),
        "weight": weight(s.weight_grams),
        "dimensions": dimensions(s.length_cm, s.width_cm, s.height_cm),
        "insuranceOptions": None,
        "advancedOptions": None,
        "shipmentItems": [
            {
                "orderItemId": i.pk,
                "lineItemKey": str(i.channel_line_id) if i.channel_line_id else None,
                "sku": i.sku,
                "name": i.name,
                "quantity": i.quantity,
                "unitPrice": money(i.unit_price),
                "warehouseLocation": i.warehouse_location or None,
                "options": i.options,
            }
            for i in order.items.all()
        ]
        if include_items
        else None,
        "labelData": None,
        "formData": None,
    }
