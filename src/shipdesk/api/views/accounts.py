"""/carriers (the seller's carrier accounts), /warehouses and /accounts/listtags."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.carriers import quotes
from shipdesk.carriers.models import CarrierAccount
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


def carrier_account(code: str, account_id: int | None = None) -> CarrierAccount:
    """The active account a carrier code (and shippingProviderId) names, else a 404."""
    _carrier(code)
    try:
        return quotes.account_for_carrier(code, account_id)
    except quotes.NoAccount as exc:
        raise Http404(str(exc)) from None


@carriers.get("", response={200: list[schemas.Carrier], **ERRORS}, summary="List carrier accounts")
def list_carriers(request):
    """The seller's active carrier accounts (`shipdesk carrier add`); a carrier's first
    account is its primary one, the one a carrier code alone names."""
    accounts = quotes.active_accounts()
    primary = quotes.primary_ids(accounts)
    return [shipstation.carrier(a, primary=a.pk in primary) for a in accounts]


@carriers.get("/getcarrier", response={200: schemas.Carrier, **ERRORS}, summary="Get a carrier")
def get_carrier(request, carrierCode: CarrierCode):
    """The carrier's primary account."""
    return shipstation.carrier(carrier_account(carrierCode), primary=True)


@carriers.get(
    "/listservices", response={200: list[schemas.CarrierService], **ERRORS}, summary="List services"
)
def list_services(request, carrierCode: CarrierCode):
    return shipstation.carrier_services(_carrier(carrierCode))


@carriers.get(
    "/listpackages", response={200: list[schemas.CarrierPackage], **ERRORS}, summary="List packages"
)
def list_packages(request, carrierCode: CarrierCode):
    """The package codes a label or a shipment is recorded with."""
    return shipstation.carrier_packages(_carrier(carrierCode))


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
