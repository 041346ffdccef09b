"""Pure functions between shipdesk's orders and karrio's requests and results."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils import timezone

from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.orders import quantities
from shipdesk.orders.models import Address, Order
from shipdesk.shipping.carriers import CARRIERS, EU
from shipdesk.stores.models import Warehouse

if TYPE_CHECKING:
    from shipdesk.shipping.models import Shipment


@dataclass
class Rate:
    service: str
    cost: Decimal | None
    currency: str
    transit_days: int | None = None
    estimated_delivery: str | None = None
    chosen: bool = False  # the service the order's shipping rules chose


@dataclass
class LabelResult:
    """A bought label, or the carrier's messages saying why not (`ok` is False)."""

    tracking_number: str = ""
    tracking_url: str = ""
    label_pdf: bytes = b""
    label_zpl: str = ""  # instead of the PDF, when the label was asked in ZPL
    cost: Decimal | None = None
    currency: str = ""
    service: str = ""
    shipment_identifier: str = ""
    meta: dict = field(default_factory=dict)
    messages: list[CarrierMessage] = field(default_factory=list)
    shipment: Shipment | None = None  # the shipdesk Shipment, once recorded

    @property
    def ok(self) -> bool:
        return bool(self.tracking_number and (self.label_pdf or self.label_zpl))


@dataclass
class TrackingResult:
    tracking_number: str
    delivered: bool = False
    delivered_at: datetime | None = None
    status: str = ""
    events: list[dict] = field(default_factory=list)
    messages: list[CarrierMessage] = field(default_factory=list)


# shipdesk's label formats -> karrio's label types.
LABEL_FORMATS = {"pdf": "PDF", "zpl": "ZPL"}


def money(value) -> Decimal | None:
    """A carrier's amount to the cent; None (unknown) when it is not a sane amount."""
    try:
        return quantities.money(Decimal(str(value)).quantize(Decimal("0.01")), name="")
    except (InvalidOperation, quantities.InvalidQuantity):
        return None


def shipper_address(warehouse: Warehouse, *, company: str, phone: str, email: str) -> dict:
    return _clean(
        {
            "company_name": warehouse.company or company,
            "person_name": warehouse.company or company,
            "address_line1": warehouse.street1,
            "address_line2": warehouse.street2,
            "city": warehouse.city,
            "postal_code": warehouse.postal_code,
            "country_code": warehouse.country,
            "phone_number": warehouse.phone or phone,
            "email": email,
        }
    )


def recipient_address(address: Address, *, email: str = "") -> dict:
    return _clean(
        {
            "person_name": address.name,
            "company_name": address.company,
            "address_line1": address.street1,
            "address_line2": " ".join(p for p in (address.street2, address.street3) if p),
            "city": address.city,
            "postal_code": address.postal_code,
            "country_code": address.country,
            "state_code": address.state,
            "phone_number": address.phone,
            "email": email if "@" in (email or "") else address.email,
            "residential": True if address.residential is None else address.residential,
        }
    )


def parcel(weight_grams: int, dimensions_cm: tuple | None) -> dict:
    result = {"weight": round(weight_grams / 1000, 3), "weight_unit": "KG"}
    if dimensions_cm and all(dimensions_cm):
        length, width, height = (float(v) for v in dimensions_cm)
        result.update(length=length, width=width, height=height, dimension_unit="CM")
    return result


def customs(order: Order, origin_country: str) -> dict | None:
    """A commercial-invoice declaration for parcels leaving the EU customs union."""
    destination = (order.ship_to.country or "").upper()
    if destination in EU and origin_country.upper() in EU:
        return None
    commodities = [
        _clean(
            {
                "sku": item.sku,
                "title": item.name[:100],
                "description": item.name[:100],
                "quantity": item.quantity,
                "weight": (item.weight_grams or 0) / 1000 or None,
                "weight_unit": "KG",
                "value_amount": float(item.unit_price),
                "value_currency": order.currency,
                "origin_country": origin_country,
            }
        )
        for item in order.items.all()
        if not item.adjustment
    ]
    return {
        "content_type": "merchandise",
        "incoterm": "DDU",
        "invoice": order.order_number,
        "commodities": commodities,
    }


def shipment_request(
    order: Order,
    *,
    service: str,
    shipper: dict,
    weight_grams: int,
    dimensions_cm: tuple | None,
    origin_country: str,
    ship_date: date,
    karrio_carrier: str = "",
    label_format: str = "pdf",
) -> dict:
    package = parcel(weight_grams, dimensions_cm)
    if karrio_carrier == "dpd":
        # DPD's storeOrders wants decagrams; karrio-dpd sends the kilogram figure as an
        # integer (0 for a 450 g phone), so give it the decagram count.
        package["weight"] = max(1, round(weight_grams / 10))
    request = {
        "service": service,
        "shipper": shipper,
        "recipient": recipient_address(order.ship_to, email=order.customer_email),
        "parcels": [package],
        "reference": order.order_number,
        "label_type": LABEL_FORMATS[label_format],
        # No declared value: several carriers bill insurance for it.
        "options": {"shipment_date": ship_date.isoformat(), "currency": order.currency},
    }
    declaration = customs(order, origin_country)
    if declaration:
        request["customs"] = declaration
    return request


def rate_request(order: Order, *, shipper: dict, weight_grams: int, dimensions_cm) -> dict:
    return {
        "shipper": shipper,
        "recipient": recipient_address(order.ship_to),
        "parcels": [parcel(weight_grams, dimensions_cm)],
        "reference": order.order_number,
    }


def rates(details) -> list[Rate]:
    return sorted(
        (
            Rate(
                service=r.service,
                # Rate sheets without prices answer 0: unknown, not free.
                cost=money(r.total_charge) or None,
                currency=r.currency or "",
                transit_days=r.transit_days,
                estimated_delivery=r.estimated_delivery,
            )
            for r in details
        ),
        key=lambda r: (r.cost is None, r.cost or 0, r.service),
    )


def label_result(details, carrier_code: str, service: str, messages: list) -> LabelResult:
    """shipdesk's LabelResult from karrio's ShipmentDetails (None when the carrier refused)."""
    result = LabelResult(service=service, messages=list(messages))
    if details is None:
        return result
    tracking_number = "".join((details.tracking_number or "").split())
    carrier = CARRIERS.get(carrier_code)
    meta = dict(details.meta or {})
    try:
        label = base64.b64decode(details.docs.label or "", validate=False)
    except (binascii.Error, ValueError):
        label = b""
    if details.label_type == "ZPL" and b"^XA" in label:
        result.label_zpl = label.decode("utf-8", "replace")
        label = b""
    elif label and not label.startswith(b"%PDF"):
        result.messages.append(
            CarrierMessage("LABEL_FORMAT", "the carrier's label is not a PDF; not stored")
        )
        label = b""
    selected = getattr(details, "selected_rate", None)
    result.tracking_number = tracking_number
    result.tracking_url = (
        carrier.tracking_url_for(tracking_number) if carrier and carrier.tracking_url else ""
    ) or str(meta.get("carrier_tracking_link") or "")[:300]
    result.label_pdf = label
    result.cost = money(selected.total_charge) if selected else None
    result.currency = (selected.currency or "") if selected else ""
    result.shipment_identifier = details.shipment_identifier or tracking_number
    result.meta = {k: v for k, v in meta.items() if isinstance(v, str | int | float | bool | list)}
    return result


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$")


def clock_time(value: str) -> time | None:
    """'09:38', '14:32:07', '2:32 PM' and karrio's '14:32 PM' as a time."""
    match = _CLOCK.match(value)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    suffix = (match[4] or "").upper()
    if suffix == "PM" and hour < 12:
        hour += 12
    elif suffix == "AM" and hour == 12:
        hour = 0
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def event_datetime(event) -> datetime | None:
    """When a karrio tracking event happened: its date and time are the carrier's local
    clock, read in shipdesk's time zone; the ISO timestamp is the fallback."""
    if event.date:
        try:
            day = date.fromisoformat(event.date)
        except ValueError:
            day = None
        clock = clock_time(event.time or "")
        if day is not None and (clock is not None or not event.time):
            return timezone.make_aware(datetime.combine(day, clock or time(0, 0)))
    if event.timestamp:
        try:
            moment = datetime.fromisoformat(event.timestamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return None


def tracking_result(details, messages: list) -> TrackingResult:
    events = [
        _clean(
            {
                "date": e.date,
                "time": _hh_mm(e.time),
                "code": e.code,
                "status": e.status,
                "description": e.description,
                "location": e.location,
            }
        )
        for e in details.events or []
    ]
    delivered = bool(details.delivered) or details.status == "delivered"
    delivered_at = None
    if delivered:
        delivery = next((e for e in details.events or [] if e.status == "delivered"), None)
        delivery = delivery or (details.events[0] if details.events else None)
        delivered_at = event_datetime(delivery) if delivery else None
    return TrackingResult(
        tracking_number=details.tracking_number,
        delivered=delivered,
        delivered_at=delivered_at,
        status=details.status or ("delivered" if delivered else ""),
        events=events,
        messages=list(messages),
    )


def _hh_mm(value: str | None) -> str | None:
    clock = clock_time(value or "")
    return clock.strftime("%H:%M") if clock else value


def _clean(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "")}
