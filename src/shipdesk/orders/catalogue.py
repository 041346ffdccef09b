"""The product catalogue: SKU defaults imported from CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.db import transaction

from shipdesk.orders.models import Product

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
    "needs_imei": "needs_imei",
    "customs_description": "customs_description",
}
_TRUE = {"1", "true", "yes", "y", "oui", "x"}
_FALSE = {"0", "false", "no", "n", "non"}


@dataclass
class CatalogueImport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _row_fields(row: dict) -> dict:
    fields = {}
    for column, value in row.items():
        key = COLUMNS.get((column or "").strip().lower())
        if key is None or value is None:
            continue
        value = value.strip()
        if key == "weight_grams":
            fields[key] = int(Decimal(value)) if value else None
            if fields[key] is not None and fields[key] < 0:
                raise ValueError("weight must be positive")
        elif key.endswith("_cm"):
            fields[key] = Decimal(value) if value else None
        elif key == "needs_imei":
            lowered = value.lower()
            if lowered and lowered not in _TRUE | _FALSE:
                raise ValueError(f"needs_imei must be yes or no, got {value!r}")
            fields[key] = None if not lowered else lowered in _TRUE
        else:
            fields[key] = value
    if not fields.get("sku"):
        raise ValueError("sku is empty")
    return fields


def import_products_csv(file: TextIO) -> CatalogueImport:
    """Create or update products; rows with errors are reported by line and skipped."""
    result = CatalogueImport()
    reader = csv.DictReader(file)
    if not reader.fieldnames or "sku" not in [c.strip().lower() for c in reader.fieldnames]:
        result.errors.append("the file has no 'sku' column")
        return result
    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            try:
                fields = _row_fields(row)
            except (ValueError, InvalidOperation) as exc:
                result.errors.append(f"line {line}: {exc}")
                continue
            sku = fields.pop("sku")
            _, created = Product.objects.update_or_create(sku=sku, defaults=fields)
            if created:
                result.created += 1
            else:
                result.updated += 1
    return result
