"""An example of each operation's request body and answer, shown by /ssapi/docs.

Taken from a real exchange with the Back Market sandbox and the sandbox carrier (numbers
and dates tidied); tests/api/test_openapi_examples.py checks that every operation has one
and that each matches its schema. `add_examples` puts them into the OpenAPI document.
"""

from __future__ import annotations

import copy

from shipdesk.api.shipstation import MARKETPLACES

ADDRESS = {
    "name": "Élodie Martin",
    "company": None,
    "street1": "12 rue des Lilas",
    "street2": "Bât. B",
    "street3": None,
    "city": "Lyon",
    "state": None,
    "postalCode": "69003",
    "country": "FR",
    "phone": "06 12 34 56 78",
    "residential": None,
    "addressVerified": None,
}
WAREHOUSE_ADDRESS = {
    "name": "Lyon",
    "company": "Refurb SAS",
    "street1": "12 rue Garibaldi",
    "street2": None,
    "street3": None,
    "city": "Lyon",
    "state": None,
    "postalCode": "69003",
    "country": "FR",
    "phone": "+33 4 78 00 00 00",
    "residential": False,
    "addressVerified": None,
}
WEIGHT = {"value": 450.0, "units": "grams", "WeightUnits": 2}
DIMENSIONS = {"length": 18.0, "width": 12.0, "height": 6.0, "units": "centimeters"}

ITEM = {
    "orderItemId": 136,
    "lineItemKey": "910000011",
    "sku": "IP13-128-BLK-GOOD",
    "name": "iPhone 13 128 Go - Noir - Débloqué",
    "imageUrl": None,
    "weight": WEIGHT,
    "quantity": 1,
    "unitPrice": 369.0,
    "taxAmount": 0.0,
    "shippingAmount": 0.0,
    "warehouseLocation": "A-03-2",
    "options": [
        {"name": "Grade", "value": "Good"},
        {"name": "Storage", "value": "128 GB"},
        {"name": "Colour", "value": "Noir"},
    ],
    "productId": 545001,
    "fulfillmentSku": None,
    "adjustment": False,
    "upc": None,
    "createDate": "2026-03-14T02:35:12.3398750",
    "modifyDate": "2026-03-14T02:35:12.3398750",
    "lineState": 3,
    "serialNumbers": [{"unit": 1, "imei": "356938035643809", "serialNumber": None}],
}

ORDER = {
    "orderId": 115,
    "orderNumber": "91000001",
    "orderKey": "bm-1-91000001",
    "orderDate": "2026-03-14T02:30:00.0000000",
    "createDate": "2026-03-14T02:35:12.3392790",
    "modifyDate": "2026-03-14T02:35:12.8644660",
    "paymentDate": "2026-03-14T02:32:00.0000000",
    "shipByDate": "2026-03-16T02:30:00.0000000",
    "orderStatus": "awaiting_shipment",
    "customerId": None,
    "customerUsername": "Élodie Martin",
    "customerEmail": "shipping_91000001@eu.perso-email.com",
    "billTo": ADDRESS,
    "shipTo": ADDRESS,
    "items": [ITEM],
    "orderTotal": 369.0,
    "amountPaid": 369.0,
    "taxAmount": 0.0,
    "shippingAmount": 0.0,
    "customerNotes": None,
    "internalNotes": "IMEI: 356938035643809",
    "gift": False,
    "giftMessage": None,
    "paymentMethod": "CARD",
    "requestedShippingService": "Colissimo — 48 h",
    "carrierCode": "sandbox",
    "serviceCode": "ups_standard_eu",
    "packageCode": "package",
    "confirmation": None,
    "shipDate": None,
    "holdUntilDate": None,
    "weight": WEIGHT,
    "dimensions": DIMENSIONS,
    "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
    "internationalOptions": {"contents": None, "customsItems": None, "nonDelivery": None},
    "advancedOptions": {
        "warehouseId": 1,
        "nonMachinable": False,
        "saturdayDelivery": False,
        "containsAlcohol": False,
        "mergedOrSplit": False,
        "mergedIds": [],
        "parentId": None,
        "storeId": 1,
        "customField1": None,
        "customField2": None,
        "customField3": None,
        "source": "Back Market",
        "billToParty": None,
        "billToAccount": None,
        "billToPostalCode": None,
        "billToCountryCode": None,
    },
    "tagIds": [1],
    "userId": None,
    "externallyFulfilled": False,
    "externallyFulfilledBy": None,
    "couponCode": None,
    "discountAmount": 0.0,
    "currency": "EUR",
    "awaitingAcceptance": False,
    "warning": None,
}

SHIPMENT = {
    "shipmentId": 1,
    "orderId": 115,
    "orderKey": "bm-1-91000001",
    "userId": None,
    "customerEmail": "shipping_91000001@eu.perso-email.com",
    "orderNumber": "91000001",
    "createDate": "2026-03-14T09:12:40.8629040",
    "shipDate": "2026-03-14",
    "shipmentCost": 6.9,
    "insuranceCost": 0.0,
    "trackingNumber": "1ZSBX0011142678544",
    "trackingUrl": "https://www.ups.com/track?tracknum=1ZSBX0011142678544",
    "isReturnLabel": False,
    "batchNumber": None,
    "carrierCode": "sandbox",
    "serviceCode": "ups_standard_eu",
    "packageCode": "package",
    "confirmation": None,
    "warehouseId": 1,
    "voided": False,
    "voidDate": None,
    "marketplaceNotified": True,
    "notifyErrorMessage": None,
    "shipTo": ADDRESS,
    "weight": WEIGHT,
    "dimensions": DIMENSIONS,
    "insuranceOptions": None,
    "advancedOptions": None,
    "shipmentItems": None,
    "labelData": None,
    "formData": None,
}
LABELLED = {
    **SHIPMENT,
    "marketplaceNotified": False,
    "labelData": "JVBERi0xLjQKJZOMi54gUmVwb3J0TGFi...",
}

STORE = {
    "storeId": 1,
    "storeName": "Refurb FR",
    "marketplaceId": 1,
    "marketplaceName": "Back Market",
    "accountName": "Refurb SAS",
    "email": "shop@refurb.example",
    "integrationUrl": None,
    "active": True,
    "companyName": "Refurb SAS",
    "phone": "+33 4 78 00 00 00",
    "publicEmail": "shop@refurb.example",
    "website": "https://refurb.example",
    "refreshDate": "2026-03-14T09:10:57.2901580",
    "lastRefreshAttempt": "2026-03-14T09:10:56.9831010",
    "createDate": "2026-01-05T10:00:00.0000000",
    "modifyDate": "2026-03-01T17:45:12.0000000",
    "autoRefresh": True,
    "statusMappings": [
        {"orderStatus": "awaiting_shipment", "statusKey": "1"},
        {"orderStatus": "awaiting_shipment", "statusKey": "3"},
        {"orderStatus": "shipped", "statusKey": "9"},
        {"orderStatus": "cancelled", "statusKey": "cancelled"},
    ],
    "region": "eu",
    "health": "ok",
}
WAREHOUSE = {
    "warehouseId": 1,
    "warehouseName": "Lyon",
    "originAddress": WAREHOUSE_ADDRESS,
    "returnAddress": WAREHOUSE_ADDRESS,
    "createDate": "2026-01-05T10:02:00.0000000",
    "isDefault": True,
}
CARRIER = {
    "name": "Colissimo",
    "code": "colissimo",
    "accountNumber": None,
    "requiresFundedAccount": False,
    "balance": 0.0,
    "nickname": "Colissimo Lyon",
    "shippingProviderId": 1,
    "primary": True,
}
WEBHOOK = {
    "IsLabelAPIHook": False,
    "WebHookID": 3,
    "SellerID": None,
    "StoreID": 1,
    "HookType": "SHIP_NOTIFY",
    "MessageFormat": "Json",
    "Url": "https://erp.example.com/hooks/shipdesk",
    "Name": "ERP",
    "BulkCopyBatchID": None,
    "BulkCopyRecordID": None,
    "Active": True,
    "WebhookLogs": [
        {
            "date": "2026-03-14T09:12:41.0000000",
            "statusCode": 200,
            "resourceUrl": "https://shipdesk.example.com/ssapi/shipments?batchId=1",
            "error": None,
        }
    ],
    "Seller": None,
    "Store": None,
}


def _success(message: str) -> dict:
    return {"success": True, "message": message}


def _page(key: str, row: dict) -> dict:
    return {key: [row], "total": 1, "page": 1, "pages": 1}


ADDRESS_IN = {k: v for k, v in ADDRESS.items() if k != "addressVerified"}
WAREHOUSE_IN = {
    "warehouseName": "Lyon",
    "originAddress": {k: v for k, v in WAREHOUSE_ADDRESS.items() if k != "addressVerified"},
    "isDefault": True,
}
LABEL_IN = {
    "carrierCode": "sandbox",
    "serviceCode": "ups_standard_eu",
    "packageCode": "package",
    "confirmation": "none",
    "shipDate": "2026-03-14",
    "weight": {"value": 450, "units": "grams"},
    "dimensions": {"length": 18, "width": 12, "height": 6, "units": "centimeters"},
    "testLabel": False,
}

MARK_SHIPPED = (
    {
        "orderId": 115,
        "carrierCode": "colissimo",
        "shipDate": "2026-03-14",
        "trackingNumber": "6A12345678901",
        "notifyCustomer": False,
        "notifySalesChannel": True,
    },
    {"orderId": 115, "orderNumber": "91000001"},
)

MANUAL_ORDER_IN = {
    "orderNumber": "R-1042",
    "orderKey": "replacement-1042",
    "orderDate": "2026-03-14T09:00:00.0000000",
    "orderStatus": "awaiting_shipment",
    "customerEmail": "elodie.martin@example.com",
    "billTo": ADDRESS_IN,
    "shipTo": ADDRESS_IN,
    "items": [{"sku": "IP13-128-BLK-GOOD", "name": "iPhone 13 128 Go - Noir", "quantity": 1}],
    "internalNotes": "Replacement for order 91000001",
}

PRODUCT = {
    "aliases": None,
    "productId": 1,
    "sku": "IP13-128-BLK-GOOD",
    "name": "iPhone 13 128 Go - Noir",
    "price": None,
    "defaultCost": None,
    "length": 7.09,
    "width": 4.72,
    "height": 2.36,
    "weightOz": 15.87,
    "internalNotes": None,
    "fulfillmentSku": None,
    "createDate": None,
    "modifyDate": "2026-03-14T09:35:29.5198030",
    "active": True,
    "productCategory": None,
    "productType": None,
    "warehouseLocation": "A-03-2",
    "defaultCarrierCode": None,
    "defaultServiceCode": None,
    "defaultPackageCode": "package",
    "defaultIntlCarrierCode": None,
    "defaultIntlServiceCode": None,
    "defaultIntlPackageCode": None,
    "defaultConfirmation": None,
    "defaultIntlConfirmation": None,
    "customsDescription": "Refurbished smartphone",
    "customsValue": None,
    "customsTariffNo": None,
    "customsCountryCode": None,
    "noCustomsInfo": None,
    "tags": None,
    "needsImei": True,
}
FULFILLMENT = {
    "fulfillmentId": -3,
    "orderId": 3,
    "orderNumber": "71297004",
    "userId": None,
    "customerEmail": "shipping_71297004@eu.perso-email.com",
    "trackingNumber": "6A93944166650",
    "createDate": "2026-03-14T09:35:29.4659830",
    "shipDate": "2026-03-13T09:20:27.0000000",
    "voidDate": None,
    "deliveryDate": None,
    "carrierCode": "Colissimo",
    "fulfillmentProviderCode": None,
    "fulfillmentServiceCode": None,
    "fulfillmentFee": 0.0,
    "voidRequested": False,
    "voided": False,
    "marketplaceNotified": True,
    "notifyErrorMessage": None,
    "shipTo": {**ADDRESS, "name": "Anaïs Mercier", "city": "Orléans", "postalCode": "45000"},
}

CUSTOMER = {
    "customerId": 109,
    "createDate": "2026-03-14T02:35:12.2833040",
    "modifyDate": "2026-03-14T02:35:12.2833200",
    "name": "Élodie Martin",
    "company": None,
    "street1": "12 rue des Lilas",
    "street2": "Bât. B",
    "city": "Lyon",
    "state": None,
    "postalCode": "69003",
    "countryCode": "FR",
    "phone": "06 12 34 56 78",
    "email": "shipping_91000001@eu.perso-email.com",
    "addressVerified": None,
    "marketplaceUsernames": [
        {
            "customerUserId": 109,
            "customerId": 109,
            "marketplace": "Back Market",
            "marketplaceId": 1,
            "createDate": "2026-03-14T02:35:12.2833040",
            "modifyDate": "2026-03-14T02:35:12.2833200",
            "username": "Élodie Martin",
        }
    ],
    "tags": None,
    "storeId": 1,
    "orderCount": 2,
    "addresses": [ADDRESS],
}

# operationId -> (request body or None, answer)
EXAMPLES: dict[str, tuple[dict | list | None, object]] = {
    "list_orders": (None, _page("orders", ORDER)),
    "get_order": (None, ORDER),
    "delete_order": (None, _success("The requested order has been deleted.")),
    "create_order": (
        {
            "orderKey": "bm-1-91000001",
            "internalNotes": "IMEI: 356938035643809",
            "weight": {"value": 450, "units": "grams"},
            "advancedOptions": {"warehouseId": 1},
            "items": [{"lineItemKey": "910000011", "warehouseLocation": "A-03-2"}],
        },
        ORDER,
    ),
    "mark_as_shipped": MARK_SHIPPED,
    "mark_shipped": MARK_SHIPPED,
    "create_label_for_order": ({"orderId": 115, **LABEL_IN}, LABELLED),
    "hold_until": (
        {"orderId": 115, "holdUntilDate": "2026-03-20"},
        _success("Order held successfully."),
    ),
    "restore_from_hold": ({"orderId": 115}, _success("Order restored successfully.")),
    "refund_line": (
        {"orderId": 115, "sku": "IP13-128-BLK-GOOD", "returnReason": 1, "returnMessage": ""},
        _success("Line refunded successfully."),
    ),
    "add_order_tag": ({"orderId": 115, "tagId": 1}, _success("Tag added successfully.")),
    "remove_order_tag": ({"orderId": 115, "tagId": 1}, _success("Tag removed successfully.")),
    "list_by_tag": (None, _page("orders", ORDER)),
    "assign_user": (
        {"orderIds": [115, 116], "userId": "2"},
        _success("User assigned successfully."),
    ),
    "unassign_user": ({"orderIds": [115, 116]}, _success("User unassigned successfully.")),
    "create_orders": (
        [
            MANUAL_ORDER_IN,
            {**MANUAL_ORDER_IN, "orderNumber": "R-1043", "orderKey": None, "shipTo": None},
        ],
        {
            "hasErrors": True,
            "results": [
                {
                    "orderId": 4120,
                    "orderNumber": "R-1042",
                    "orderKey": "replacement-1042",
                    "success": True,
                    "errorMessage": None,
                },
                {
                    "orderId": None,
                    "orderNumber": "R-1043",
                    "orderKey": None,
                    "success": False,
                    "errorMessage": "invalid request: shipTo: required to create an order",
                },
            ],
        },
    ),
    "list_products": (None, _page("products", PRODUCT)),
    "get_product": (None, PRODUCT),
    "update_product": (
        {**PRODUCT, "warehouseLocation": "B-01-4", "weightOz": 16.0},
        _success("The requested product has been updated"),
    ),
    "list_fulfillments": (None, _page("fulfillments", FULFILLMENT)),
    "list_customers": (None, _page("customers", CUSTOMER)),
    "get_customer": (None, CUSTOMER),
    "list_shipments": (None, _page("shipments", SHIPMENT)),
    "create_label": (
        {**LABEL_IN, "shipTo": ADDRESS_IN, "advancedOptions": {"warehouseId": 1}},
        {**LABELLED, "orderId": None, "orderKey": None, "orderNumber": None},
    ),
    "void_label": (
        {"shipmentId": 1},
        {"approved": True, "message": "Label voided successfully: label cancelled at the carrier."},
    ),
    "get_rates": (
        {
            "carrierCode": "colissimo",
            "fromPostalCode": "69003",
            "toCountry": "FR",
            "toPostalCode": "75011",
            "toCity": "Paris",
            "weight": {"value": 450, "units": "grams"},
        },
        [
            {
                "serviceName": "Colissimo Domicile sans signature",
                "serviceCode": "colissimo_home",
                "shipmentCost": 6.9,
                "otherCost": 0.0,
                "transitDays": 2,
            }
        ],
    ),
    "list_stores": (None, [STORE]),
    "list_marketplaces": (None, list(MARKETPLACES.values())),
    "refresh_status": (
        None,
        {
            "storeId": 1,
            "refreshStatusId": 4,
            "refreshStatus": "Idle",
            "lastRefreshAttempt": "2026-03-14T09:10:56.9831010",
            "refreshDate": "2026-03-14T09:10:57.2901580",
            "lastError": None,
        },
    ),
    "get_store": (None, STORE),
    "put_store": (
        {
            **{k: v for k, v in STORE.items() if k not in ("region", "health")},
            "autoRefresh": False,
        },
        {**STORE, "autoRefresh": False},
    ),
    "refresh_store": ({"storeId": 1}, _success("A refresh has been requested.")),
    "refresh": ({"storeId": 1}, _success("A refresh has been requested.")),
    "deactivate_store": (
        {"storeId": 1},
        _success("Store 'Refurb FR' deactivated: it imports no more."),
    ),
    "reactivate_store": (
        {"storeId": 1},
        _success("Store 'Refurb FR' reactivated: its imports resume."),
    ),
    "list_carriers": (None, [CARRIER]),
    "get_carrier": (None, CARRIER),
    "list_services": (
        None,
        [
            {
                "carrierCode": "colissimo",
                "code": "colissimo_home",
                "name": "Colissimo Domicile sans signature",
                "domestic": True,
                "international": True,
            }
        ],
    ),
    "list_packages": (
        None,
        [
            {
                "carrierCode": "colissimo",
                "code": "package",
                "name": "Package",
                "domestic": True,
                "international": True,
            }
        ],
    ),
    "list_warehouses": (None, [WAREHOUSE]),
    "get_warehouse": (None, WAREHOUSE),
    "create_warehouse": (WAREHOUSE_IN, WAREHOUSE),
    "update_warehouse": (WAREHOUSE_IN, WAREHOUSE),
    "remove_warehouse": (None, _success("Warehouse 1 deleted.")),
    "list_tags": (None, [{"tagId": 1, "name": "Fragile", "color": "#ff0000"}]),
    "list_users": (None, [{"userId": "2", "userName": "marie", "name": "Marie Curie"}]),
    "list_webhooks": (None, {"webhooks": [WEBHOOK]}),
    "subscribe": (
        {
            "target_url": "https://erp.example.com/hooks/shipdesk",
            "event": "SHIP_NOTIFY",
            "store_id": 1,
            "friendly_name": "ERP",
        },
        {"id": 3, "secret": "whsec_5c1d2e0f4b3a49b8a7e6d5c4b3a29180"},
    ),
    "unsubscribe": (None, _success("Webhook unsubscribed.")),
}


def add_examples(document: dict) -> dict:
    """Put each operation's example body and answer into the OpenAPI document."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            example = EXAMPLES.get(operation.get("operationId"))
            if example is None:
                continue
            body, answer = example
            if body is not None and "requestBody" in operation:
                for content in operation["requestBody"].get("content", {}).values():
                    content["example"] = copy.deepcopy(body)
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith("2"):
                    for content in response.get("content", {}).values():
                        content["example"] = copy.deepcopy(answer)
    return document
