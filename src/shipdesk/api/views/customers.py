"""/customers: one customer per buyer email per store, in ShipStation's customer shape, with
shipdesk's order count and every ship-to address (customers.refresh keeps them)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema

from shipdesk.api import dates, schemas
from shipdesk.api.shipstation import MARKETPLACES
from shipdesk.api.views import ERRORS, get_or_404, page_of, sort
from shipdesk.customers.models import Customer
from shipdesk.customers.refresh import refresh_customers

router = Router(tags=["customers"])

SORT_FIELDS = {"Name": "name", "ModifyDate": "modified_at", "CreateDate": "created_at"}


class MarketplaceUsername(Schema):
    customerUserId: int
    customerId: int
    marketplace: str
    marketplaceId: int
    createDate: str | None
    modifyDate: str | None
    username: str


class CustomerOut(Schema):
    customerId: int
    createDate: str | None
    modifyDate: str | None
    name: str
    company: str | None
    street1: str | None
    street2: str | None
    city: str | None
    state: str | None
    postalCode: str | None
    countryCode: str | None
    phone: str | None
    email: str
    addressVerified: str | None
    marketplaceUsernames: list[MarketplaceUsername]
    tags: list[dict] | None
    storeId: int = Field(description="shipdesk: the store whose buyer this is")
    orderCount: int = Field(description="shipdesk: their orders in this store (not deleted)")
    addresses: list[schemas.Address] = Field(
        description="shipdesk: every ship-to address of their orders, newest first"
    )


class CustomerPage(Schema):
    customers: list[CustomerOut]
    total: int
    page: int
    pages: int


class CustomerQuery(Schema):
    stateCode: schemas.text(100) | None = None
    countryCode: schemas.text(2) | None = Field(None, description="ISO-2")
    marketplaceId: int | None = Field(
        None, ge=0, le=schemas.MAX_ID, description="GET /stores/marketplaces' marketplaceId"
    )
    tagId: schemas.Id | None = Field(None, description="shipdesk's customers have no tags")
    sortBy: Literal["Name", "ModifyDate", "CreateDate"] | None = None
    sortDir: schemas.SortDir | None = None
    page: schemas.Page = 1
    pageSize: schemas.PageSize = 100


def _blank(value: str) -> str | None:
    return value or None


def customer(c: Customer) -> dict:
    marketplace = MARKETPLACES.get(c.store.channel, MARKETPLACES["backmarket"])
    usernames = []
    if c.username:
        usernames.append(
            {
                "customerUserId": c.pk,
                "customerId": c.pk,
                "marketplace": marketplace["name"],
                "marketplaceId": marketplace["marketplaceId"],
                "createDate": dates.to_text(c.created_at),
                "modifyDate": dates.to_text(c.modified_at),
                "username": c.username,
            }
        )
    return {
        "customerId": c.pk,
        "createDate": dates.to_text(c.created_at),
        "modifyDate": dates.to_text(c.modified_at),
        "name": c.name,
        "company": _blank(c.company),
        "street1": _blank(c.street1),
        "street2": _blank(c.street2),
        "city": _blank(c.city),
        "state": _blank(c.state),
        "postalCode": _blank(c.postal_code),
        "countryCode": _blank(c.country),
        "phone": _blank(c.phone),
        "email": c.email,
        "addressVerified": None,
        "marketplaceUsernames": usernames,
        "tags": None,
        "storeId": c.store_id,
        "orderCount": c.order_count,
        "addresses": [
            {
                "name": a["name"],
                "company": _blank(a["company"]),
                "street1": a["street1"],
                "street2": _blank(a["street2"]),
                "street3": _blank(a["street3"]),
                "city": a["city"],
                "state": _blank(a["state"]),
                "postalCode": a["postal_code"],
                "country": a["country"],
                "phone": _blank(a["phone"]),
                "residential": None,
                "addressVerified": None,
            }
            for a in c.addresses
        ],
    }


@router.get("", response={200: CustomerPage, **ERRORS}, summary="List customers")
def list_customers(request, q: Query[CustomerQuery]):
    """Filter (stateCode, countryCode, marketplaceId), sort (by name by default) and page
    the customers (pageSize up to 500); tagId selects none: customers have no tags."""
    refresh_customers()
    qs = Customer.objects.select_related("store")
    if q.stateCode:
        qs = qs.filter(state__iexact=q.stateCode)
    if q.countryCode:
        qs = qs.filter(country__iexact=q.countryCode)
    if q.marketplaceId is not None:
        channels = [k for k, m in MARKETPLACES.items() if m["marketplaceId"] == q.marketplaceId]
        qs = qs.filter(store__channel__in=channels)
    if q.tagId:
        qs = qs.none()
    qs = sort(qs, SORT_FIELDS[q.sortBy or "Name"], q.sortDir)
    return page_of(qs, key="customers", page=q.page, size=q.pageSize, shape=customer)


@router.get("/{int:customerId}", response={200: CustomerOut, **ERRORS}, summary="Get a customer")
def get_customer(request, customerId: schemas.Id):
    refresh_customers()
    return customer(get_or_404(Customer.objects.select_related("store"), "customer", customerId))
