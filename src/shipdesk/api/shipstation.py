"""shipdesk's data in the shape of ShipStation's API v1: orders, shipments, stores, carriers,
warehouses, tags and webhooks.

The one place that knows ShipStation's JSON: the REST API answers with it and the command
line's `--json` output prints it (both interfaces; the domain never imports this).
"""

from __future__ import annotations

import base64
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower, Trim

from shipdesk.api import dates
from shipdesk.carriers.mapping import Rate
from shipdesk.carriers.models import CarrierAccount
from shipdesk.customers.models import Customer
from shipdesk.notifications.models import WebhookSubscription
from shipdesk.notifications.webhooks import attempts_of
from shipdesk.orders.models import Address, Order, OrderItem, Tag
from shipdesk.orders.status import SHIPPED
from shipdesk.shipping.carriers import PACKAGES, Carrier
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import DEFAULT_STATUS_MAPPING, Store, Warehouse
from shipdesk.sync.models import ImportRun

MARKETPLACE_NAME = "Back Market"
# The marketplaces a store's orders come from (Store.channel), with shipdesk's numbers for
# them: manual orders have ShipStation's 0 ("ShipStation", its manual store's marketplace).
MARKETPLACES = {
    "backmarket": {
        "name": MARKETPLACE_NAME,
        "marketplaceId": 1,
        "canRefresh": True,
        "supportsCustomMappings": True,
        "supportsCustomStatuses": True,
        "canConfirmShipments": True,
    },
    "manual": {
        "name": "Manual orders",
        "marketplaceId": 0,
        "canRefresh": False,
        "supportsCustomMappings": False,
        "supportsCustomStatuses": False,
        "canConfirmShipments": False,
    },
}
REFRESH_UPDATING = (2, "Updating orders")
REFRESH_IDLE = (4, "Idle")


# Values


# ShipStation's `yyyy-mm-ddThh:mm:ss.fffffff`, in the API's time zone (api/dates.py).
ss_datetime = dates.to_text


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


# Orders


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
    """An order; `with_related` prefetches what this reads."""
    items = list(o.items.all())
    shipments = getattr(o, "live_shipments", None)
    if shipments is None:  # not prefetched
        shipments = list(o.shipments.filter(voided=False))
    live = shipments[0] if shipments else None
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
        "customerId": getattr(o, "customer_pk", None),
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
        "shipDate": live.ship_date.isoformat() if live else None,
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
        "userId": str(o.assigned_user_id) if o.assigned_user_id else None,
        # Back Market says shipped, and shipdesk recorded no shipment: shipped elsewhere.
        "externallyFulfilled": o.status == SHIPPED and live is None,
        "externallyFulfilledBy": None,
        # shipdesk extras.
        "couponCode": o.coupon_code or None,
        "discountAmount": money(o.discount_amount),
        "currency": o.currency,
        "awaitingAcceptance": o.awaiting_acceptance,
        "warning": o.warning or None,
    }


def with_related(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Everything `order()` reads, in a fixed number of queries; its customer as last
    refreshed (customers.refresh: one per buyer email, case-insensitive, per store)."""
    customer = Customer.objects.filter(
        store=OuterRef("store"), email=Lower(Trim(OuterRef("customer_email")))
    ).values("pk")[:1]
    return (
        qs.annotate(customer_pk=Subquery(customer))
        .select_related("ship_to", "bill_to")
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.prefetch_related("units")),
            "tags",
            Prefetch("shipments", Shipment.objects.filter(voided=False), to_attr="live_shipments"),
        )
    )


# Shipments


def marketplace_notice(s: Shipment) -> dict:
    """Whether Back Market was told of the shipment, and why not (the last update's error);
    reads the prefetched messages when the caller prefetched them."""
    notification = max(
        (m for m in s.messages.all() if m.kind == "backmarket"), key=lambda m: m.pk, default=None
    )
    return {
        "marketplaceNotified": bool(notification and notification.status == "sent"),
        "notifyErrorMessage": (notification.last_error or None) if notification else None,
    }


def shipment(s: Shipment, *, include_items: bool = True) -> dict:
    """A shipment; one bought without an order (createlabel) has no order fields or items."""
    order = s.order
    items = order.items.all() if order is not None else []
    return {
        "shipmentId": s.pk,
        "orderId": order.pk if order else None,
        "orderKey": order.order_key if order else None,
        "userId": None,
        "customerEmail": (order.customer_email or None) if order else None,
        "orderNumber": order.order_number if order else None,
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
        "confirmation": s.confirmation or None,
        "warehouseId": order.warehouse_id if order else None,
        "voided": s.voided,
        "voidDate": ss_datetime(s.void_date),
        **marketplace_notice(s),
        "shipTo": address(s.recipient),
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
            for i in items
        ]
        if include_items
        else None,
        "labelData": None,
        "formData": None,
    }


# Stores, carriers, warehouses, tags, webhooks


def status_mappings(store: Store) -> list[dict]:
    mapping = {**DEFAULT_STATUS_MAPPING, **(store.status_mapping or {})}
    return [
        {"orderStatus": status, "statusKey": key}
        for key, status in sorted(mapping.items())
        if status is not None
    ]


def last_successful_import(store: Store) -> ImportRun | None:
    return (
        ImportRun.objects.filter(store=store, status=ImportRun.Status.OK)
        .order_by("-finished_at")
        .first()
    )


def store(s: Store) -> dict:
    success = last_successful_import(s)
    return {
        "storeId": s.pk,
        "storeName": s.name,
        "marketplaceId": MARKETPLACES.get(s.channel, {}).get("marketplaceId"),
        "marketplaceName": MARKETPLACES.get(s.channel, {}).get("name", s.channel),
        "accountName": s.company_name or None,
        "email": s.email or None,
        "integrationUrl": s.base_url or None,
        "active": s.active,
        "companyName": s.company_name or None,
        "phone": s.phone or None,
        "publicEmail": s.email or None,
        "website": s.website or None,
        "refreshDate": ss_datetime(success.finished_at) if success else None,
        "lastRefreshAttempt": ss_datetime(s.last_import_at),
        "createDate": ss_datetime(s.created_at),
        "modifyDate": ss_datetime(s.modified_at),
        "autoRefresh": s.auto_import,
        "statusMappings": status_mappings(s),
        "region": s.region,
        "health": s.health,
    }


def refresh_status(s: Store, *, running: bool) -> dict:
    success = last_successful_import(s)
    status_id, label = REFRESH_UPDATING if running else REFRESH_IDLE
    return {
        "storeId": s.pk,
        "refreshStatusId": status_id,
        "refreshStatus": label,
        "lastRefreshAttempt": ss_datetime(s.last_import_at),
        "refreshDate": ss_datetime(success.finished_at) if success else None,
        "lastError": s.last_error or None,
    }


def carrier(account: CarrierAccount, *, primary: bool) -> dict:
    """One of the seller's carrier accounts; its credentials never leave shipdesk."""
    return {
        "name": account.carrier.name,
        "code": account.carrier_code,
        "accountNumber": None,
        "requiresFundedAccount": False,
        "balance": 0.0,
        "nickname": account.name,
        "shippingProviderId": account.pk,
        "primary": primary,
    }


def carrier_services(c: Carrier) -> list[dict]:
    return [
        {
            "carrierCode": c.code,
            "code": code,
            "name": name,
            "domestic": "international" not in code,
            "international": True,
        }
        for code, name in c.services.items()
    ]


def carrier_packages(c: Carrier) -> list[dict]:
    return [
        {
            "carrierCode": c.code,
            "code": code,
            "name": str(name),
            "domestic": True,
            "international": True,
        }
        for code, name in PACKAGES.items()
    ]


def rate(r: Rate, c: Carrier) -> dict:
    return {
        "serviceName": c.services.get(r.service, r.service),
        "serviceCode": r.service,
        "shipmentCost": money(r.cost),
        "otherCost": 0.0,
        "transitDays": r.transit_days,
    }


def labelled_shipment(s: Shipment) -> dict:
    """A shipment whose label was just bought: ShipStation sends its PDF in `labelData`."""
    return {
        **shipment(s),
        "labelData": base64.b64encode(bytes(s.label_pdf or b"")).decode() or None,
    }


def warehouse(w: Warehouse) -> dict:
    address = {
        "name": w.name,
        "company": w.company or None,
        "street1": w.street1,
        "street2": w.street2 or None,
        "street3": None,
        "city": w.city,
        "state": None,
        "postalCode": w.postal_code,
        "country": w.country,
        "phone": w.phone or None,
        "residential": False,
        "addressVerified": None,
    }
    return {
        "warehouseId": w.pk,
        "warehouseName": w.name,
        "originAddress": address,
        "returnAddress": address,
        "createDate": ss_datetime(w.created_at),
        "isDefault": w.is_default,
    }


def tag(t: Tag) -> dict:
    return {"tagId": t.pk, "name": t.name, "color": t.color}


def user(u) -> dict:
    """A user account as ShipStation lists it: no email, no password, no role."""
    return {
        "userId": str(u.pk),
        "userName": u.get_username(),
        "name": u.get_full_name() or u.get_username(),
    }


def webhook(w: WebhookSubscription) -> dict:
    return {
        "IsLabelAPIHook": False,
        "WebHookID": w.pk,
        "SellerID": None,
        "StoreID": w.store_id,
        "HookType": w.event,
        "MessageFormat": "Json",
        "Url": w.target_url,
        "Name": w.friendly_name or None,
        "BulkCopyBatchID": None,
        "BulkCopyRecordID": None,
        "Active": w.active,
        "WebhookLogs": [
            {
                "date": ss_datetime(a.at),
                "statusCode": a.status_code,
                "resourceUrl": a.message.payload["resource_url"],
                "error": a.error or None,
            }
            for a in attempts_of(w).select_related("message")[:10]
        ],
        "Seller": None,
        "Store": None,
    }
