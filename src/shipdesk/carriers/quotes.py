"""Carrier accounts by carrier code, and rates for a parcel that is not an order yet.

What ShipStation's API asks by carrier code (`GET /carriers`, `POST /shipments/getrates`,
`POST /orders/createlabelfororder`): the seller's active account for a carrier, the first
one added being the carrier's primary account; and a rate quote from a postal code to a
postal code for a weight, without an order.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipdesk.carriers import gateway, mapping
from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.carriers.models import CarrierAccount
from shipdesk.carriers.services import RatesResult
from shipdesk.stores.models import Warehouse


class NoAccount(LookupError):
    """No active account answers to this carrier code (or account id)."""


def active_accounts() -> list[CarrierAccount]:
    """The seller's active accounts, each carrier's primary one (the first added) first."""
    return list(CarrierAccount.objects.filter(active=True).order_by("carrier_code", "id"))


def primary_ids(accounts: list[CarrierAccount]) -> set[int]:
    """The primary account of each carrier among `accounts`."""
    first: dict[str, int] = {}
    for account in sorted(accounts, key=lambda a: a.pk):
        first.setdefault(account.carrier_code, account.pk)
    return set(first.values())


def account_for_carrier(carrier_code: str, account_id: int | None = None) -> CarrierAccount:
    """The active account `account_id` of this carrier, else the carrier's primary one."""
    accounts = CarrierAccount.objects.filter(active=True, carrier_code=carrier_code)
    if account_id is not None:
        accounts = accounts.filter(pk=account_id)
    account = accounts.order_by("id").first()
    if account is None:
        if account_id is not None:
            raise NoAccount(f"no active {carrier_code} carrier account {account_id}")
        raise NoAccount(
            f"no active carrier account for {carrier_code!r}; GET /carriers lists the accounts"
        )
    return account


def default_warehouse() -> Warehouse | None:
    """Where a parcel leaves from unless told: the default warehouse, else the first one."""
    return (
        Warehouse.objects.filter(is_default=True).order_by("id").first()
        or Warehouse.objects.order_by("id").first()
    )


@dataclass(frozen=True)
class Destination:
    country: str
    postal_code: str
    city: str = ""
    state: str = ""
    residential: bool | None = None


def parcel_rates(
    account: CarrierAccount,
    *,
    to: Destination,
    weight_grams: int,
    dimensions_cm: tuple | None = None,
    from_postal_code: str = "",
    warehouse: Warehouse | None = None,
) -> RatesResult:
    """The account's services and prices for a parcel from a warehouse (the default one
    unless given; `from_postal_code` replaces its postal code) to a destination."""
    warehouse = warehouse or default_warehouse()
    if warehouse is None:
        return RatesResult(
            messages=[CarrierMessage("NO_SHIP_FROM", "add a ship-from warehouse first")]
        )
    shipper = mapping.shipper_address(
        warehouse, company=warehouse.company or warehouse.name, phone="", email=""
    )
    if from_postal_code:
        shipper["postal_code"] = from_postal_code
    recipient = {
        # A quote has no street; carriers' requests need an address line (karrio-ups).
        "address_line1": to.city or to.postal_code,
        "postal_code": to.postal_code,
        "country_code": to.country.upper(),
        "city": to.city or None,
        "state_code": to.state or None,
        "residential": True if to.residential is None else to.residential,
    }
    request = {
        "shipper": shipper,
        "recipient": {k: v for k, v in recipient.items() if v is not None},
        "parcels": [mapping.parcel(weight_grams, dimensions_cm)],
    }
    details, messages = gateway.get_rates(account, request)
    return RatesResult(rates=mapping.rates(details), messages=messages)
