"""/stores: list, get, update, deactivate and reactivate, refresh (import now) and its
status, and the marketplaces stores come from."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from ninja import Body, Field, Router, Schema
from ninja.errors import HttpError

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.stores.editing import (
    StoreChangeRefused,
    StoreInactive,
    refuse_if_inactive,
    update_store,
)
from shipdesk.stores.models import DEFAULT_STATUS_MAPPING, Store
from shipdesk.sync.models import ImportRun

router = Router(tags=["stores"])


@router.get("", response={200: list[schemas.Store], **ERRORS}, summary="List stores")
def list_stores(request, showInactive: bool = False, marketplaceId: int | None = None):
    """The active stores (deactivated ones too with showInactive=true), of one marketplace
    with marketplaceId (GET /stores/marketplaces)."""
    stores = Store.objects.all()
    if not showInactive:
        stores = stores.filter(active=True)
    if marketplaceId is not None:
        channels = [
            channel
            for channel, marketplace in shipstation.MARKETPLACES.items()
            if marketplace["marketplaceId"] == marketplaceId
        ]
        stores = stores.filter(channel__in=channels)
    return [shipstation.store(s) for s in stores]


@router.get(
    "/marketplaces", response={200: list[schemas.Marketplace], **ERRORS}, summary="Marketplaces"
)
def list_marketplaces(request):
    """Where a store's orders can come from: Back Market, or orders entered by hand."""
    return list(shipstation.MARKETPLACES.values())


@router.get(
    "/getrefreshstatus", response={200: schemas.RefreshStatus, **ERRORS}, summary="Import status"
)
def refresh_status(request, storeId: schemas.Id):
    store = get_or_404(Store.objects.all(), "store", storeId)
    lease = store.import_lease_until
    running = (
        bool(lease and lease > timezone.now())
        and ImportRun.objects.filter(store=store, status=ImportRun.Status.RUNNING).exists()
    )
    return shipstation.refresh_status(store, running=running)


@router.get("/{int:storeId}", response={200: schemas.Store, **ERRORS}, summary="Get a store")
def get_store(request, storeId: schemas.Id):
    return shipstation.store(get_or_404(Store.objects.all(), "store", storeId))


def _refresh(request, body: schemas.RefreshStore | None, store_id: int | None):
    from shipdesk.sync.tasks import import_store

    store_id = (body.storeId if body else None) or store_id
    if store_id:
        stores = [get_or_404(Store.objects.all(), "store", store_id)]
        try:
            refuse_if_inactive(stores[0])
        except StoreInactive as exc:
            raise HttpError(400, str(exc)) from None
    else:
        stores = list(Store.objects.filter(active=True))
    for store in stores:
        pk = store.pk
        transaction.on_commit(lambda pk=pk: import_store(pk, trigger="api"))
    return {"success": True, "message": "A refresh has been requested."}


@router.post("/refreshstore", response={200: schemas.Success, **ERRORS}, summary="Import now")
def refresh_store(
    request, body: Body[schemas.RefreshStore | None] = None, storeId: schemas.Id | None = None
):
    """Queue an import of one store (storeId) or of every store; imports run in the worker."""
    return _refresh(request, body, storeId)


@router.post("/refresh", response={200: schemas.Success, **ERRORS}, summary="Import now (alias)")
def refresh(
    request, body: Body[schemas.RefreshStore | None] = None, storeId: schemas.Id | None = None
):
    """The spelling some clients use for /stores/refreshstore."""
    return _refresh(request, body, storeId)


class StatusMappingIn(Schema):
    orderStatus: schemas.OrderStatus
    statusKey: schemas.text(20) = Field(description="a Back Market order state, or 'cancelled'")


class StoreIn(Schema):
    """A store as GET /stores/{storeId} answers it; fields not below are read-only and ignored.

    companyName and accountName are one field in shipdesk, as are email and publicEmail:
    the one of the two that changed is kept."""

    storeName: schemas.text(100) | None = None
    companyName: schemas.text(200) | None = None
    accountName: schemas.text(200) | None = None
    email: schemas.text(254) | None = None
    publicEmail: schemas.text(254) | None = None
    phone: schemas.text(50) | None = None
    website: schemas.text(200) | None = None
    autoRefresh: bool | None = Field(None, description="automatic imports on or off")
    active: bool | None = Field(None, description="false deactivates the store (see /deactivate)")
    statusMappings: list[StatusMappingIn] | None = Field(
        None,
        max_length=20,
        description="Back Market states to import and their status; a state not listed is "
        "not imported",
    )


class StoreRef(Schema):
    storeId: schemas.Id


def _changed(current: str, fields: dict[str, str | None]) -> str | None:
    """The new value of a shipdesk field two ShipStation fields show: the one that differs."""
    new = {name: value for name, value in fields.items() if value is not None and value != current}
    if len(set(new.values())) > 1:
        raise HttpError(400, f"{' and '.join(new)} differ: shipdesk keeps one value for both")
    return next(iter(new.values()), None)


def _status_mapping(mappings: list[StatusMappingIn]) -> dict:
    mapping: dict = dict.fromkeys(DEFAULT_STATUS_MAPPING)
    for m in mappings:
        if m.statusKey in mapping and mapping[m.statusKey] is not None:
            raise HttpError(400, f"statusMappings: state {m.statusKey!r} is mapped twice")
        mapping[m.statusKey] = m.orderStatus
    return mapping


@router.put("/{int:storeId}", response={200: schemas.Store, **ERRORS}, summary="Update a store")
def put_store(request, storeId: schemas.Id, body: StoreIn):
    """Change a store's name, contact, automatic imports, status mapping or active state."""
    store = get_or_404(Store.objects.all(), "store", storeId)
    try:
        update_store(
            store,
            name=body.storeName,
            company_name=_changed(
                store.company_name,
                {"companyName": body.companyName, "accountName": body.accountName},
            ),
            email=_changed(store.email, {"email": body.email, "publicEmail": body.publicEmail}),
            phone=body.phone,
            website=body.website,
            auto_import=body.autoRefresh,
            status_mapping=_status_mapping(body.statusMappings)
            if body.statusMappings is not None
            else None,
            active=body.active,
        )
    except StoreChangeRefused as exc:
        raise HttpError(400, str(exc)) from None
    return shipstation.store(store)


def _set_active(store_id: int, active: bool) -> dict:
    store = get_or_404(Store.objects.all(), "store", store_id)
    update_store(store, active=active)
    said = "reactivated: its imports resume" if active else "deactivated: it imports no more"
    return {"success": True, "message": f"Store {store.name!r} {said}."}


@router.post("/deactivate", response={200: schemas.Success, **ERRORS}, summary="Deactivate a store")
def deactivate_store(request, body: StoreRef):
    """The store stops importing (scheduled and asked-for imports); its orders stay."""
    return _set_active(body.storeId, False)


@router.post("/reactivate", response={200: schemas.Success, **ERRORS}, summary="Reactivate a store")
def reactivate_store(request, body: StoreRef):
    """The store imports again, from where it stopped."""
    return _set_active(body.storeId, True)
