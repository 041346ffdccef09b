"""/carriers (the seller's carrier accounts), /warehouses, /users and /accounts/listtags."""

from __future__ import annotations

from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from shipdesk.api import schemas, shipstation
from shipdesk.api.views import ERRORS, get_or_404
from shipdesk.carriers import quotes
from shipdesk.carriers.models import CarrierAccount
from shipdesk.orders.models import Tag
from shipdesk.shipping.carriers import CARRIERS, Carrier
from shipdesk.stores.models import Warehouse
from shipdesk.stores.warehouses import WarehouseInUse, delete_warehouse, save_warehouse

carriers = Router(tags=["carriers"])
warehouses = Router(tags=["warehouses"])
accounts = Router(tags=["accounts"])
users = Router(tags=["users"])

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


def _required(max_length: int):
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=schemas.NO_NUL)]


class WarehouseAddressIn(Schema):
    """A warehouse's address, as long as shipdesk keeps its fields."""

    name: schemas.text(100) | None = Field(
        None, description="the warehouse's name when warehouseName is not given"
    )
    company: schemas.text(100) | None = None
    street1: _required(200)
    street2: schemas.text(200) | None = None
    street3: schemas.text(200) | None = Field(None, description="accepted, not kept")
    city: _required(100)
    state: schemas.text(100) | None = Field(None, description="accepted, not kept")
    postalCode: _required(20)
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO-2")]
    phone: schemas.text(50) | None = None
    residential: bool | None = Field(None, description="accepted, not kept")


class WarehouseIn(Schema):
    """A warehouse as GET /warehouses returns it (warehouseId and createDate are ignored)."""

    warehouseName: schemas.text(100) | None = Field(
        None, description="by default originAddress.name"
    )
    originAddress: WarehouseAddressIn
    returnAddress: dict[str, Any] | None = Field(
        None, description="accepted, not kept: returns go to the origin address"
    )
    isDefault: bool | None = Field(
        None,
        description="true makes it the default ship-from warehouse (one at a time); "
        "omitted: unchanged (false for a new warehouse)",
    )


def _save_warehouse(warehouse: Warehouse, body: WarehouseIn) -> dict:
    address = body.originAddress
    name = (body.warehouseName or address.name or "").strip()
    if not name:
        raise HttpError(400, "warehouseName: give the warehouse a name")
    warehouse.name = name
    warehouse.company = address.company or ""
    warehouse.street1 = address.street1
    warehouse.street2 = address.street2 or ""
    warehouse.city = address.city
    warehouse.postal_code = address.postalCode
    warehouse.country = address.country.upper()
    warehouse.phone = address.phone or ""
    if body.isDefault is not None:
        warehouse.is_default = body.isDefault
    return shipstation.warehouse(save_warehouse(warehouse))


@warehouses.post(
    "/createwarehouse",
    response={200: schemas.Warehouse, **ERRORS},
    summary="Create a warehouse",
)
def create_warehouse(request, body: WarehouseIn):
    """A new ship-from warehouse; with isDefault true it becomes the default one."""
    return _save_warehouse(Warehouse(), body)


@warehouses.put(
    "/{int:warehouseId}", response={200: schemas.Warehouse, **ERRORS}, summary="Update a warehouse"
)
def update_warehouse(request, warehouseId: schemas.Id, body: WarehouseIn):
    """The whole warehouse, as GET /warehouses/{warehouseId} answers it, with changes."""
    warehouse = get_or_404(Warehouse.objects.all(), "warehouse", warehouseId)
    return _save_warehouse(warehouse, body)


@warehouses.delete(
    "/{int:warehouseId}", response={200: schemas.Success, **ERRORS}, summary="Delete a warehouse"
)
def remove_warehouse(request, warehouseId: schemas.Id):
    """Refused (400, saying what uses it) while orders or shipping rules ship from it."""
    warehouse = get_or_404(Warehouse.objects.all(), "warehouse", warehouseId)
    try:
        delete_warehouse(warehouse)
    except WarehouseInUse as exc:
        raise HttpError(400, str(exc)) from None
    return {"success": True, "message": f"Warehouse {warehouseId} deleted."}


@users.get("", response={200: list[schemas.User], **ERRORS}, summary="List users")
def list_users(request, showInactive: bool = False):
    """The account's users (shipdesk's user accounts), active ones unless showInactive."""
    people = get_user_model().objects.order_by("username")
    if not showInactive:
        people = people.filter(is_active=True)
    return [shipstation.user(u) for u in people]


@accounts.get("/listtags", response={200: list[schemas.Tag], **ERRORS}, summary="List tags")
def list_tags(request):
    return [shipstation.tag(t) for t in Tag.objects.order_by("name")]
