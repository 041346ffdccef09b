"""/stores: list, get, refresh (import now) and refresh status."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from ninja import Body, Router

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.stores.models import Store
from shipdesk.sync.models import ImportRun

router = Router(tags=["stores"])


@router.get("", response={200: list[schemas.Store], **ERRORS}, summary="List stores")
def list_stores(request):
    return [shipstation.store(s) for s in Store.objects.all()]


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
    stores = (
        [get_or_404(Store.objects.all(), "store", store_id)]
        if store_id
        else list(Store.objects.all())
    )
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
