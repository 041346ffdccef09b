"""/products: shipdesk's product catalogue (orders.Product) in ShipStation's product shape.

ShipStation's products are in ounces and inches; shipdesk keeps grams and centimetres, so
weights and sizes are converted both ways (a weight read back is the nearest gram's).
shipdesk has no product categories, types, tags, prices, customs value, tariff number or
country of origin, nor inactive products: those fields answer null (active: true), the
filters on them select nothing, and PUT ignores them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from shipdesk.api import dates, schemas
from shipdesk.api.views import ERRORS, date_range, get_or_404, page_of, sort
from shipdesk.orders import catalogue, quantities
from shipdesk.orders.models import Product

router = Router(tags=["products"])

SORT_FIELDS = {"SKU": "sku", "Name": "name", "ModifyDate": "modified_at", "CreateDate": "id"}
OUNCES = quantities.GRAMS_PER_UNIT["ounces"]
INCHES = quantities.CM_PER_UNIT["inches"]
CENT = Decimal("0.01")


class ProductTag(Schema):
    tagId: int
    name: str


class ProductOut(Schema):
    aliases: list[dict] | None
    productId: int
    sku: str
    name: str
    price: float | None
    defaultCost: float | None
    length: float | None = Field(description="inches")
    width: float | None = Field(description="inches")
    height: float | None = Field(description="inches")
    weightOz: float | None
    internalNotes: str | None
    fulfillmentSku: str | None
    createDate: str | None = Field(description="null: shipdesk does not keep it")
    modifyDate: str | None
    active: bool
    productCategory: dict | None
    productType: dict | None
    warehouseLocation: str | None
    defaultCarrierCode: str | None
    defaultServiceCode: str | None
    defaultPackageCode: str | None
    defaultIntlCarrierCode: str | None
    defaultIntlServiceCode: str | None
    defaultIntlPackageCode: str | None
    defaultConfirmation: str | None
    defaultIntlConfirmation: str | None
    customsDescription: str | None
    customsValue: float | None
    customsTariffNo: str | None
    customsCountryCode: str | None
    noCustomsInfo: bool | None
    tags: list[ProductTag] | None
    needsImei: bool | None = Field(
        description="shipdesk: the product needs an IMEI / serial number to ship; null: "
        "decided from its brand and title"
    )


class ProductPage(Schema):
    products: list[ProductOut]
    total: int
    page: int
    pages: int


class ProductQuery(Schema):
    sku: schemas.text(200) | None = Field(None, description="products whose SKU starts with this")
    name: schemas.text(300) | None = Field(None, description="products whose name has this")
    productCategoryId: schemas.Id | None = Field(None, description="shipdesk has none")
    productTypeId: schemas.Id | None = Field(None, description="shipdesk has none")
    tagId: schemas.Id | None = Field(None, description="shipdesk's products have no tags")
    startDate: schemas.DateText | None = Field(None, description="modified since")
    endDate: schemas.DateText | None = Field(None, description="modified until")
    showInactive: bool = Field(False, description="shipdesk's products are all active")
    sortBy: Literal["SKU", "ModifyDate", "CreateDate", "Name"] | None = None
    sortDir: schemas.SortDir | None = None
    page: schemas.Page = 1
    pageSize: schemas.PageSize = 100


Inches = Field(None, ge=0, allow_inf_nan=False, description="inches, at most 1000 cm")


class ProductIn(Schema):
    """The product as GET answers it; the fields below are read, the others ignored. A field
    left out or null clears shipdesk's value (ShipStation's PUT takes the whole product),
    but for sku and name, kept when left out."""

    productId: schemas.Id | None = None
    sku: schemas.text(200) | None = None
    name: schemas.text(300) | None = None
    length: float | None = Inches
    width: float | None = Inches
    height: float | None = Inches
    weightOz: float | None = Field(None, ge=0, allow_inf_nan=False, description="at most 1 t")
    warehouseLocation: schemas.text(100) | None = None
    defaultPackageCode: schemas.text(50) | None = None
    customsDescription: schemas.text(200) | None = None
    needsImei: bool | None = Field(None, description="shipdesk; null: from brand and title")


def _ounces(grams: int | None) -> float | None:
    if grams is None:
        return None
    return float((Decimal(grams) / OUNCES).quantize(CENT, ROUND_HALF_UP))


def _inches(cm: Decimal | None) -> float | None:
    return None if cm is None else float((Decimal(cm) / INCHES).quantize(CENT, ROUND_HALF_UP))


def product(p: Product) -> dict:
    return {
        "aliases": None,
        "productId": p.pk,
        "sku": p.sku,
        "name": p.name,
        "price": None,
        "defaultCost": None,
        "length": _inches(p.length_cm),
        "width": _inches(p.width_cm),
        "height": _inches(p.height_cm),
        "weightOz": _ounces(p.weight_grams),
        "internalNotes": None,
        "fulfillmentSku": None,
        "createDate": None,
        "modifyDate": dates.to_text(p.modified_at),
        "active": True,
        "productCategory": None,
        "productType": None,
        "warehouseLocation": p.warehouse_location or None,
        "defaultCarrierCode": None,
        "defaultServiceCode": None,
        "defaultPackageCode": p.package_code or None,
        "defaultIntlCarrierCode": None,
        "defaultIntlServiceCode": None,
        "defaultIntlPackageCode": None,
        "defaultConfirmation": None,
        "defaultIntlConfirmation": None,
        "customsDescription": p.customs_description or None,
        "customsValue": None,
        "customsTariffNo": None,
        "customsCountryCode": None,
        "noCustomsInfo": None,
        "tags": None,
        "needsImei": p.needs_imei,
    }


@router.get("", response={200: ProductPage, **ERRORS}, summary="List products")
def list_products(request, q: Query[ProductQuery]):
    """Filter, sort (by SKU by default) and page the catalogue (pageSize up to 500)."""
    qs = Product.objects.all()
    if q.productCategoryId or q.productTypeId or q.tagId:
        qs = qs.none()  # shipdesk's products have no category, type or tag
    if q.sku:
        qs = qs.filter(sku__istartswith=q.sku)
    if q.name:
        qs = qs.filter(Q(name__icontains=q.name))
    qs = date_range(qs, "modified_at", q.startDate, q.endDate)
    qs = sort(qs, SORT_FIELDS[q.sortBy or "SKU"], q.sortDir)
    return page_of(qs, key="products", page=q.page, size=q.pageSize, shape=product)


@router.get("/{int:productId}", response={200: ProductOut, **ERRORS}, summary="Get a product")
def get_product(request, productId: schemas.Id):
    return product(get_or_404(Product.objects.all(), "product", productId))


@router.put(
    "/{int:productId}", response={200: schemas.Success, **ERRORS}, summary="Update a product"
)
def update_product(request, productId: schemas.Id, body: ProductIn):
    """Set the catalogue's weight, sizes, warehouse location, package, customs description
    and needs-IMEI from the product ShipStation sends; 400 naming a wrong field, 404 for an
    unknown product."""
    found = get_or_404(Product.objects.all(), "product", productId)
    if body.productId is not None and body.productId != productId:
        raise catalogue.ProductRefused(
            f"productId {body.productId} in the body is not product {productId} of the URL"
        )
    try:
        sizes = {
            "weight_grams": quantities.grams_from(body.weightOz, "ounces", name="weightOz"),
            "length_cm": quantities.centimetres_from(body.length, "inches", name="length"),
            "width_cm": quantities.centimetres_from(body.width, "inches", name="width"),
            "height_cm": quantities.centimetres_from(body.height, "inches", name="height"),
        }
    except quantities.InvalidQuantity as exc:
        raise catalogue.ProductRefused(f"invalid request: {exc}") from None
    values = {
        **sizes,
        "warehouse_location": body.warehouseLocation or "",
        "package_code": body.defaultPackageCode or "",
        "customs_description": body.customsDescription or "",
        "needs_imei": body.needsImei,
    }
    for field, name in (("sku", "sku"), ("name", "name")):
        if getattr(body, field) is not None:
            values[name] = getattr(body, field)
    catalogue.update_product(found, **values)
    return {"success": True, "message": "The requested product has been updated"}
