"""Stores, carriers, warehouses, tags and webhooks in the shape of ShipStation's API v1.

Orders and shipments have theirs in shipdesk.orders.shipstation and shipdesk.shipping.shipstation.
"""

from __future__ import annotations

from shipdesk.notifications.models import WebhookSubscription
from shipdesk.notifications.webhooks import attempts_of
from shipdesk.orders.models import Tag
from shipdesk.orders.shipstation import ss_datetime
from shipdesk.shipping.carriers import Carrier
from shipdesk.stores.models import DEFAULT_STATUS_MAPPING, Store, Warehouse
from shipdesk.sync.models import ImportRun

MARKETPLACE_NAME = "Back Market"
REFRESH_UPDATING = (2, "Updating orders")
REFRESH_IDLE = (4, "Idle")


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
        "marketplaceId": None,
        "marketplaceName": MARKETPLACE_NAME,
        "accountName": s.company_name or None,
        "email": s.email or None,
        "integrationUrl": s.base_url or None,
        "active": True,
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


def carrier(c: Carrier) -> dict:
    return {
        "name": c.name,
        "code": c.code,
        "accountNumber": None,
        "requiresFundedAccount": False,
        "balance": 0.0,
        "nickname": None,
        "shippingProviderId": None,
        "primary": True,
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
