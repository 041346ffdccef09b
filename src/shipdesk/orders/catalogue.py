"""The product catalogue: SKU defaults imported from CSV.

All or nothing: every row is checked first, and if any is wrong nothing is saved and each
wrong row is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from shipdesk.orders import quantities
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.csv_files import read_csv
from shipdesk.orders.models import Product, VatType

COLUMNS = {
    "sku": "sku",
    "name": "name",
    "weight_grams": "weight_grams",
    "weight": "weight_grams",
    "length_cm": "length_cm",
    "width_cm": "width_cm",
    "height_cm": "height_cm",
    "warehouse_location": "warehouse_location",
    "location": "warehouse_location",
    "package_code": "package_code",
    "package": "package_code",
    "needs_imei": "needs_imei",
    "customs_description": "customs_description",
    "vat_type": "vat_type",
}
_TRUE = {"1", "true", "yes", "y", "oui", "x"}
_FALSE = {"0", "false", "no", "n", "non"}


@dataclass
class CatalogueImport:
    created: int = 0
    updated: int = 0
    # "line N: what is wrong", one per wrong row; when there are any, nothing was saved.
    errors: list[str] = field(default_factory=list)


def _value(key: str, column: str, value: str):
    if key == "weight_grams":
        return quantities.grams(value, name=column)
    if key.endswith("_cm"):
        return quantities.centimetres(value, name=column)
    if key == "needs_imei":
        lowered = value.lower()
        if lowered and lowered not in _TRUE | _FALSE:
            raise ValueError(
                _("%(column)s must be yes or no, not %(value)s")
                % {"column": column, "value": value[:20]}
            )
        return None if not lowered else lowered in _TRUE
    if key == "vat_type":
        if value.upper() not in ("", *VatType.values):
            raise ValueError(
                _("%(column)s must be REGULAR or MARGINAL (or empty), not %(value)s")
                % {"column": column, "value": value[:20]}
            )
        return value.upper()
    longest = Product._meta.get_field(key).max_length
    if len(value) > longest:
        raise ValueError(
            _("%(column)s is longer than %(length)s characters")
            % {"column": column, "length": longest}
        )
    return value


def _row_fields(values: dict[str, str]) -> dict:
    fields = {}
    for column, value in values.items():
        key = COLUMNS.get(column)
        if key is not None:
            fields[key] = _value(key, column, value)
    if not fields.get("sku"):
        raise ValueError(_("sku is empty"))
    return fields


def import_products_csv(file: BinaryIO) -> CatalogueImport:
    """Create or update the file's products, or none of them if a row is wrong.

    A file that cannot be read at all raises CsvFileError.
    """
    result = CatalogueImport()
    products: dict[str, dict] = {}
    lines: dict[str, int] = {}
    for row in read_csv(file, required=["sku"]):
        try:
            fields = _row_fields(row.values)
        except ValueError as exc:  # InvalidQuantity included
            result.errors.append(
                _("line %(line)s: %(problem)s") % {"line": row.line, "problem": exc}
            )
            continue
        sku = fields.pop("sku")
        if sku in lines:
            result.errors.append(
                _("line %(line)s: sku %(sku)s is also on line %(first)s")
                % {"line": row.line, "sku": sku, "first": lines[sku]}
            )
            continue
        products[sku], lines[sku] = fields, row.line
    if result.errors:
        return result
    with transaction.atomic():
        for sku, fields in products.items():
            _product, created = Product.objects.update_or_create(sku=sku, defaults=fields)
            result.created += created
            result.updated += not created
    return result


class ProductRefused(OrderActionError):
    """A change the catalogue cannot take; the message says which field and why."""


def update_product(product: Product, **values) -> Product:
    """Set the product's fields (already converted and bounded); a SKU is refused when empty
    or another product's."""
    sku = values.get("sku", product.sku).strip()
    if not sku:
        raise ProductRefused(_("sku is empty"))
    other = Product.objects.filter(sku=sku).exclude(pk=product.pk).first()
    if other is not None:
        raise ProductRefused(
            _("sku %(sku)s is product %(id)s's already") % {"sku": sku, "id": other.pk}
        )
    values["sku"] = sku
    for name, value in values.items():
        setattr(product, name, value)
    product.save()
    return product
