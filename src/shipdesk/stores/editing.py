"""Changing a store from outside its web forms (the ShipStation API): its name, contact,
automatic imports and status mapping, each checked; deactivating and reactivating it.

A deactivated store keeps its orders and everything else; it only stops importing: scheduled
imports and polls skip it, and an import asked for by hand is refused with StoreInactive.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from shipdesk.stores.models import Store, validate_status_mapping


class StoreInactive(Exception):
    """An import was asked of a deactivated store."""


class StoreChangeRefused(ValueError):
    """A change the store cannot take; the message names the field."""


def refuse_if_inactive(store: Store) -> None:
    """Raise StoreInactive unless the store (as saved now) is active."""
    if not Store.objects.filter(pk=store.pk, active=True).exists():
        raise StoreInactive(
            f"store {store.name!r} is deactivated: reactivate it to import its orders"
        )


def _checked(field: str, value: str, validator) -> str:
    if value:
        try:
            validator(value)
        except ValidationError:
            raise StoreChangeRefused(f"{field}: {value!r} is not valid") from None
    return value


def update_store(
    store: Store,
    *,
    name: str | None = None,
    company_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    auto_import: bool | None = None,
    status_mapping: dict | None = None,
    active: bool | None = None,
) -> Store:
    """Change the fields given (None: unchanged), all or none; StoreChangeRefused says why not.

    `active` False deactivates the store (its orders stay), True reactivates it."""
    changes: dict = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise StoreChangeRefused("storeName: a store needs a name")
        if Store.objects.filter(name=name).exclude(pk=store.pk).exists():
            raise StoreChangeRefused(f"storeName: another store is named {name!r}")
        changes["name"] = name
    if company_name is not None:
        changes["company_name"] = company_name
    if email is not None:
        changes["email"] = _checked("email", email, validate_email)
    if phone is not None:
        changes["phone"] = phone
    if website is not None:
        changes["website"] = _checked("website", website, URLValidator())
    if auto_import is not None:
        changes["auto_import"] = auto_import
    if status_mapping is not None:
        try:
            changes["status_mapping"] = validate_status_mapping(status_mapping)
        except ValueError as exc:
            raise StoreChangeRefused(f"statusMappings: {exc}") from None
    if active is not None:
        changes["active"] = active
    with transaction.atomic():
        for field, value in changes.items():
            setattr(store, field, value)
        store.save(update_fields=[*changes, "modified_at"])
    return store
