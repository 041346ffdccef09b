"""Labels for parcels that belong to no order: a return, a replacement, an ad-hoc parcel.

What ShipStation's `POST /shipments/createlabel` does: a label bought with a carrier account
for an address and a weight, recorded as a shipment without an order. Nobody is told: there
is no Back Market order to update, no customer email, no webhook. Voided and tracked like any
bought label (`services.void_label`, `services.track`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from shipdesk.carriers import gateway, mapping
from shipdesk.carriers.mapping import LabelResult
from shipdesk.carriers.models import CarrierAccount
from shipdesk.carriers.quotes import default_warehouse
from shipdesk.carriers.services import cancel_at_carrier, keep_label, refusals
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Address
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parcel:
    """What goes in the box, as the label needs it."""

    weight_grams: int
    dimensions_cm: tuple | None = None  # (length, width, height), all three or None
    package: str = ""
    confirmation: str = ""


def _shipper(ship_from: Warehouse | None) -> dict | None:
    """The carrier's shipper: `ship_from` (a warehouse, saved or not), else the default
    warehouse; None when there is no street, postal code and city to ship from."""
    warehouse = ship_from or default_warehouse()
    if warehouse is None or not (warehouse.street1 and warehouse.city and warehouse.postal_code):
        return None
    return mapping.shipper_address(
        warehouse, company=warehouse.company or warehouse.name, phone="", email=""
    )


def _rate_of(account: CarrierAccount, service: str, request: dict) -> tuple:
    """The service's price for this parcel, asked apart when the carrier's label answer
    carries none (karrio's UPS, the sandbox carrier's): (None, "") when it gives none."""
    asked = {k: request[k] for k in ("shipper", "recipient", "parcels")}
    details, _messages = gateway.get_rates(account, asked)
    rate = next((r for r in mapping.rates(details) if r.service == service), None)
    return (rate.cost, rate.currency) if rate else (None, "")


def buy_parcel_label(
    account: CarrierAccount,
    service: str,
    *,
    ship_to: Address,
    parcel: Parcel,
    ship_from: Warehouse | None = None,
    user=None,
) -> LabelResult:
    """Buy a PDF label for `parcel` from `ship_from` (by default the default warehouse) to
    `ship_to` (an unsaved Address: saved with the shipment), and record it as a shipment
    without an order (`result.shipment`).

    The carrier's refusal, an inactive account or nowhere to ship from come back in
    `messages` (`ok` False) and nothing is recorded.
    """
    shipper = _shipper(ship_from)
    problems = refusals(account, shipper)
    if problems:
        return LabelResult(service=service, messages=problems)
    package = mapping.parcel(parcel.weight_grams, parcel.dimensions_cm)
    request = {
        "service": service,
        "shipper": shipper,
        "recipient": mapping.recipient_address(ship_to),
        "parcels": [package],
        "label_type": mapping.LABEL_FORMATS["pdf"],
        "options": {"shipment_date": timezone.localdate().isoformat()},
    }
    details, messages = gateway.create_shipment(account, request)
    result = mapping.label_result(details, account.carrier_code, service, messages)
    if not result.ok:
        return result
    if result.cost is None:
        result.cost, result.currency = _rate_of(account, service, request)
    try:
        result.shipment = _record(account, service, ship_to, parcel, result, user)
    except DatabaseError as exc:
        # Bought but not recorded: nobody could void it later, so cancel it now.
        cancelled = cancel_at_carrier(account, result.shipment_identifier, service, result.meta)
        log.error("label %s bought but not recorded: %s", result.tracking_number, exc)
        raise OrderActionError(
            f"the label {result.tracking_number} was bought but could not be recorded "
            f"({type(exc).__name__}); "
            + (
                "it was cancelled at the carrier"
                if cancelled.approved
                else f"it could not be cancelled: {cancelled.message}"
            )
        ) from exc
    return result


def _record(account, service, ship_to, parcel, result, user) -> Shipment:
    with transaction.atomic():
        ship_to.pk = None  # always a new address, the shipment's own
        ship_to.save()
        sides = parcel.dimensions_cm or (None, None, None)
        shipment = Shipment.objects.create(
            order=None,
            ship_to=ship_to,
            carrier_code=account.carrier_code,
            service_code=service,
            package_code=parcel.package,
            confirmation=parcel.confirmation,
            tracking_number=result.tracking_number,
            tracking_url=result.tracking_url,
            ship_date=timezone.localdate(),
            shipment_cost=result.cost or 0,
            weight_grams=parcel.weight_grams,
            length_cm=sides[0],
            width_cm=sides[1],
            height_cm=sides[2],
            notify_channel=False,
            label_pdf=result.label_pdf,
            created_by=user,
        )
        keep_label(shipment, account, service, result)
    return shipment
