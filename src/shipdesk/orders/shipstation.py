"""Orders in the shape of ShipStation's API v1, for the REST API and `--json` output."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from shipdesk.orders.models import Address, Order, OrderItem


def ss_datetime(value: datetime | date | None) -> str | None:
    """ShipStation's `yyyy-mm-ddThh:mm:ss.fffffff`, here in UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0"
    return f"{value.isoformat()}T00:00:00.0000000"


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def address(a: Address) -> dict:
    return {
        "name": a.name,
        "company": a.company or None,
        "street1": a.street1,
        "street2": a.street2 or None,
        "street3": a.street3 or None,
        "city": a.city,
        "state": a.state or None,
        "postalCode": a.postal_code,
        "country": a.country,
        "phone": a.phone or None,
        "residential": a.residential,
        "addressVerified": None,
    }


def weight(grams: int | None) -> dict | None:
    if grams is None:
        return None
    return {"value": grams, "units": "grams", "WeightUnits": 2}


def dimensions(length, width, height) -> dict | None:
    if length is None and width is None and height is None:
        return None
    return {
        "length": money(length),
        "width": money(width),
        "height": money(height),
        "units": "centimeters",
    }


def item(i: OrderItem) -> dict:
    return {
        "orderItemId": i.pk,
        "lineItemKey": str(i.channel_line_id) if i.channel_line_id else None,
        "sku": i.sku,
        "name": i.name,
        "imageUrl": i.image_url or None,
        "weight": weight(i.weight_grams),
        "quantity": i.quantity,
        "unitPrice": money(i.unit_price),
        "taxAmount": money(i.tax_amount),
        "shippingAmount": money(i.shipping_amount),
        "warehouseLocation": i.warehouse_location or None,
        "options": i.options,
        "productId": i.channel_product_id,
        "fulfillmentSku": None,
        "adjustment": i.adjustment,
        "upc": i.upc or None,
        "createDate": ss_datetime(i.created_at),
        "modifyDate": ss_datetime(i.modified_at),
        # shipdesk extras: Back Market's line state and the units' IMEI / serial numbers.
        "lineState": i.channel_state,
        "serialNumbers": [
            {"unit": u.index + 1, "imei": u.imei or None, "serialNumber": u.serial_number or None}
            for u in i.units.all()
        ],
    }


def order(o: Order) -> dict:
    items = list(o.items.all())
    return {
        "orderId": o.pk,
        "orderNumber": o.order_number,
        "orderKey": o.order_key,
        "orderDate": ss_datetime(o.order_date),
        "createDate": ss_datetime(o.created_at),
        "modifyDate": ss_datetime(o.modified_at),
        "paymentDate": ss_datetime(o.payment_date),
        "shipByDate": ss_datetime(o.ship_by_date),
        "orderStatus": o.status,
        "customerId": None,
        "customerUsername": o.customer_username or None,
        "customerEmail": o.customer_email or None,
        "billTo": address(o.bill_to),
        "shipTo": address(o.ship_to),
        "items": [item(i) for i in items],
        "orderTotal": money(o.order_total),
        "amountPaid": money(o.amount_paid),
        "taxAmount": money(o.tax_amount),
        "shippingAmount": money(o.shipping_amount),
        "customerNotes": o.customer_notes or None,
        "internalNotes": o.internal_notes or None,
        "gift": o.gift,
        "giftMessage": o.gift_message or None,
        "paymentMethod": o.payment_method or None,
        "requestedShippingService": o.requested_shipping_service or None,
        "carrierCode": o.carrier_code or None,
        "serviceCode": o.service_code or None,
        "packageCode": o.package_code or None,
        "confirmation": o.confirmation or None,
        "shipDate": None,
        "holdUntilDate": ss_datetime(o.hold_until_date),
        "weight": weight(o.total_weight_grams),
        "dimensions": dimensions(o.length_cm, o.width_cm, o.height_cm),
        "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
        "internationalOptions": {"contents": None, "customsItems": None, "nonDelivery": None},
        "advancedOptions": {
            "warehouseId": o.warehouse_id,
            "nonMachinable": False,
            "saturdayDelivery": False,
            "containsAlcohol": False,
            "mergedOrSplit": False,
            "mergedIds": [],
            "parentId": None,
            "storeId": o.store_id,
            "customField1": o.custom_field1 or None,
            "customField2": o.custom_field2 or None,
            "customField3": o.custom_field3 or None,
            "source": "Back Market",
            "billToParty": None,
            "billToAccount": None,
            "billToPostalCode": None,
            "billToCountryCode": None,
        },
        "tagIds": [t.pk for t in o.tags.all()] or None,
        "userId": None,
        "externallyFulfilled": False,
        "externallyFulfilledBy": None,
        # shipdesk extras.
        "couponCode": o.coupon_code or None,
        "discountAmount": money(o.discount_amount),
        "currency": o.currency,
        "awaitingAcceptance": o.awaiting_acceptance,
        "warning": o.warning or None,
    }


def with_related(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Everything `order()` reads, in a fixed number of queries."""
    return qs.select_related("ship_to", "bill_to").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")), "tags"
    )
