"""/carriers, /warehouses and /accounts/listtags."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.orders.models import Tag
from shipdesk.shipping.carriers import CARRIERS, Carrier
from shipdesk.stores.models import Warehouse

carriers = Router(tags=["carriers"])
warehouses = Router(tags=["warehouses"])
accounts = Router(tags=["accounts"])

CarrierCode = schemas.text(50)


def _carrier(code: str) -> Carrier:
    carrier = CARRIERS.get(code)
    if carrier is None:
        raise Http404(f"carrier {code!r} not found; expected one of {', '.join(CARRIERS)}")
    return carrier


@carriers.get("", response={200: list[schemas.Carrier], **ERRORS}, summary="List carriers")
def list_carriers(request):
    return [shipstation.carrier(c) for c in CARRIERS.values()]


@carriers.get("/getcarrier", response={200: schemas.Carrier, **ERRORS}, summary="Get a carrier")
def get_carrier(request, carrierCode: CarrierCode):
    return shipstation.carrier(_carrier(carrierCode))


@carriers.get(
    "/listservices", response={200: list[schemas.CarrierService], **ERRORS}, summary="List services"
)
def list_services(request, carrierCode: CarrierCode):
    return shipstation.carrier_services(_carrier(carrierCode))


@warehouses.get("", response={200: list[schemas.Warehouse], **ERRORS}, summary="List warehouses")
def list_warehouses(request):
    return [shipstation.warehouse(w) for w in Warehouse.objects.order_by("id")]


@warehouses.get(
    "/{int:warehouseId}", response={200: schemas.Warehouse, **ERRORS}, summary="Get a warehouse"
)
def get_warehouse(request, warehouseId: schemas.Id):
    return shipstation.warehouse(get_or_404(Warehouse.objects.all(), "warehouse", warehouseId))


@accounts.get("/listtags", response={200: list[schemas.Tag], **ERRORS}, summary="List tags")
def list_tags(request):
    return [shipstation.tag(t) for t in Tag.objects.order_by("name")]
