"""A local UPS, for the sandbox carrier: UPS's REST API as karrio-ups speaks it.

shipdesk's sandbox carrier accounts are UPS accounts whose server is this simulator, so
the real integration code (karrio-ups, shipdesk's gateway and mapping) runs unchanged. It
answers in UPS's documented JSON shapes, under `/carrier/ups/{profile}/`:

- `POST .../security/v1/oauth/token`: an OAuth token (client credentials, any id/secret);
- `POST .../api/rating/v2409/Shop`: a few services, priced from the billable weight and
  the destination (domestic, EU, rest of the world);
- `POST .../api/shipments/v2409/ship`: a label, as UPS sends it: a PNG or GIF image (which
  karrio turns into a 4x6 in PDF) or ZPL, with the Code 128 barcode of a valid 1Z number;
- `DELETE .../api/shipments/v2409/void/cancel/{id}`: void, refused once delivered;
- `GET .../api/track/v1/details/{number}`: events that move on with the clock, to delivery;
- `GET .../track/{number}`: a tracking page for people (the label's tracking URL).

`profile` carries the account's settings: `l150-f0.1` answers every call after 150 ms and
refuses one in ten (as UPS does when busy, `HTTP 503` with its error shape); `l0-f0` is
immediate and reliable. A ship-to postal code `00000` is always refused (a carrier refusal
tests can count on).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import hmac
import html
import io
import json
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from shipdesk.shipping.carriers import EU

PREFIX = "/carrier/ups"
# Tracking times are a European hub's local clock (UPS reports local times, no zone).
LOCAL = ZoneInfo("Europe/Paris")
TOKEN_LIFETIME_S = 14399  # as UPS answers
# Tokens are signed with a fixed key: they stay valid across restarts of the simulator, as
# a real carrier's do, so a process holding one in its cache carries on.
_TOKEN_KEY = b"shipdesk carrier sandbox"
REFUSED_POSTAL_CODE = "00000"
MAX_WEIGHT_KG = Decimal(70)
_PROFILE = re.compile(
    r"^(?:l(?P<latency>\d{1,5}))?-?(?:f(?P<fail>0(?:\.\d{1,4})?|1(?:\.0{1,4})?))?$"
)


class Service(NamedTuple):
    code: str
    name: str
    base: Decimal  # EUR
    per_kg: Decimal
    transit_days: int
    worldwide: bool  # False: domestic and within the EU only


SERVICES = {
    s.code: s
    for s in (
        Service("11", "UPS Standard", Decimal("6.90"), Decimal("1.10"), 3, False),
        Service("65", "UPS Saver", Decimal("14.50"), Decimal("2.40"), 2, True),
        Service("07", "UPS Express", Decimal("19.90"), Decimal("3.20"), 1, True),
    )
}
FUEL_SURCHARGE = Decimal("0.12")  # UPS itemises it as charge code 375
ZONES = {"domestic": Decimal("1.00"), "eu": Decimal("1.35"), "world": Decimal("2.20")}


def parse_profile(profile: str) -> tuple[float, float]:
    """(latency in seconds, failure rate) from a profile like `l150-f0.1`; ValueError."""
    match = _PROFILE.fullmatch(profile)
    if not profile or match is None:
        raise ValueError(f"unknown sandbox carrier profile {profile!r}; expected e.g. l150-f0.1")
    return int(match["latency"] or 0) / 1000, float(match["fail"] or 0)


def check_digit(body: str) -> str:
    """UPS's 1Z check digit over the 15 characters after `1Z` (letters count as digits)."""
    total = 0
    for position, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if position % 2 else 1)
    return str((10 - total % 10) % 10)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _error(status: int, code: str, message: str) -> JSONResponse:
    """UPS's error shape, which karrio reads into messages."""
    return JSONResponse({"response": {"errors": [{"code": code, "message": message}]}}, status)


class Refusal(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Parcel:
    """A label the simulator issued, and what tracking needs to know of it."""

    tracking_number: str
    service: Service
    created_at: float
    origin: dict
    destination: dict
    weight_kg: Decimal
    reference: str
    voided: bool = False


@dataclass
class Call:
    """One request, for tests: what was asked, under which profile, from when to when."""

    route: str
    profile: str
    started: float  # time.monotonic()
    ended: float = 0.0
    status: int = 0


@dataclass
class CarrierState:
    """The simulator's memory: labels issued, and a log of the requests answered.

    `clock` (like time.time) moves tracking on; tests pass a fake one. Thread-safe: the
    server runs in its own thread while tests read the state.
    """

    clock: Callable[[], float] = time.time
    seed: Any = None
    parcels: dict[str, Parcel] = field(default_factory=dict)
    calls: deque[Call] = field(default_factory=lambda: deque(maxlen=10_000))
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures = random.Random(f"carrier-failures:{self.seed}")
        self._numbers = random.Random(f"carrier-numbers:{self.seed}")

    def fails(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._failures.random() < rate

    def new_tracking_number(self, shipper_number: str, service: Service) -> str:
        shipper = (re.sub(r"[^A-Z0-9]", "", shipper_number.upper()) + "000000")[:6]
        with self._lock:
            while True:
                body = f"{shipper}{service.code}{self._numbers.randrange(10**7):07d}"
                number = f"1Z{body}{check_digit(body)}"
                if number not in self.parcels:
                    return number

    def add(self, parcel: Parcel) -> None:
        with self._lock:
            self.parcels[parcel.tracking_number] = parcel

    def parcel(self, number: str) -> Parcel | None:
        with self._lock:
            return self.parcels.get(number)

    def log(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self.counts[call.route] += 1

    def calls_to(self, route: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.route == route]


# --- tokens ---------------------------------------------------------------------------


def _sign(payload: str) -> str:
    return hmac.new(_TOKEN_KEY, payload.encode(), hashlib.sha256).hexdigest()[:32]


def issue_token(client_id: str, now: float) -> str:
    payload = (
        f"{base64.urlsafe_b64encode(client_id.encode()).decode()}.{int(now) + TOKEN_LIFETIME_S}"
    )
    return f"sbx.{payload}.{_sign(payload)}"


def token_valid(token: str, now: float) -> bool:
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "sbx":
        return False
    payload = f"{parts[1]}.{parts[2]}"
    return (
        hmac.compare_digest(parts[3], _sign(payload)) and parts[2].isdigit() and int(parts[2]) > now
    )


def _client_id(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id if sep and client_id and secret else None


# --- rates and labels -----------------------------------------------------------------


def _kilograms(weight: dict) -> Decimal:
    """A UPS weight (`{"UnitOfMeasurement": {"Code": "KGS"}, "Weight": "0.45"}`) in kg."""
    try:
        value = Decimal(str(weight["Weight"]))
    except (KeyError, TypeError, ArithmeticError):
        raise Refusal("120541", "Missing or invalid package weight") from None
    if not value.is_finite() or value <= 0:
        raise Refusal("120541", "Missing or invalid package weight")
    unit = ((weight.get("UnitOfMeasurement") or {}).get("Code") or "KGS").upper()
    return value * Decimal("0.45359237") if unit == "LBS" else value


def _dimensional_kg(package: dict) -> Decimal:
    dimensions = package.get("Dimensions") or {}
    try:
        sides = [Decimal(str(dimensions[k])) for k in ("Length", "Width", "Height")]
    except (KeyError, TypeError, ArithmeticError):
        return Decimal(0)
    if not all(s.is_finite() and s > 0 for s in sides):
        return Decimal(0)
    unit = ((dimensions.get("UnitOfMeasurement") or {}).get("Code") or "CM").upper()
    factor = Decimal("2.54") if unit == "IN" else Decimal(1)
    volume = sides[0] * sides[1] * sides[2] * factor**3
    return volume / 5000  # UPS's volumetric divisor for cm and kg


def billable_kg(packages: list[dict]) -> tuple[Decimal, Decimal]:
    """(actual weight, billable weight rounded up to the half kilo) of the packages."""
    if not packages:
        raise Refusal("120541", "Missing or invalid package weight")
    actual = Decimal(0)
    billable = Decimal(0)
    for package in packages:
        weight = _kilograms(package.get("PackageWeight") or {})
        if weight > MAX_WEIGHT_KG:
            raise Refusal("120546", f"Package exceeds the maximum weight of {MAX_WEIGHT_KG} KG")
        actual += weight
        billable += max(weight, _dimensional_kg(package))
    return actual, (billable * 2).to_integral_value(ROUND_UP) / 2


def _country(address: dict) -> str:
    return str((address.get("Address") or {}).get("CountryCode") or "").upper()


def zone(origin: str, destination: str) -> str:
    if origin == destination:
        return "domestic"
    return "eu" if origin in EU and destination in EU else "world"


def _check_addresses(shipment: dict) -> tuple[str, str]:
    origin, destination = (
        _country(shipment.get("Shipper") or {}),
        _country(shipment.get("ShipTo") or {}),
    )
    if not origin:
        raise Refusal("120100", "Missing or invalid shipper country code")
    address = (shipment.get("ShipTo") or {}).get("Address") or {}
    if not destination:
        raise Refusal("120201", "Missing or invalid ship to country code")
    if not address.get("City"):
        raise Refusal("120202", "Missing or invalid ship to city")
    postal = str(address.get("PostalCode") or "").strip()
    if postal == REFUSED_POSTAL_CODE:
        raise Refusal("120208", f"The postal code {postal} is invalid for {destination}")
    return origin, destination


def price(service: Service, where: str, billable: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(base charge, fuel surcharge, total) in EUR."""
    base = ((service.base + service.per_kg * billable) * ZONES[where]).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    fuel = (base * FUEL_SURCHARGE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return base, fuel, base + fuel


def _available(service: Service, where: str) -> bool:
    return service.worldwide or where != "world"


def _charges(base: Decimal, fuel: Decimal, total: Decimal, currency: str) -> dict:
    def amount(value: Decimal) -> dict:
        return {"CurrencyCode": currency, "MonetaryValue": _money(value)}

    return {
        "TransportationCharges": amount(total),
        "BaseServiceCharge": amount(base),
        "ItemizedCharges": [{"Code": "375", **amount(fuel)}],
        "ServiceOptionsCharges": amount(Decimal(0)),
        "TotalCharges": amount(total),
    }


def _currency(origin: str) -> str:
    return {"GB": "GBP", "US": "USD", "CA": "CAD"}.get(origin, "EUR")


def rate_response(request: dict, now: float) -> dict:
    shipment = (request.get("RateRequest") or {}).get("Shipment") or {}
    origin, destination = _check_addresses(shipment)
    where = zone(origin, destination)
    _, billable = billable_kg(shipment.get("Package") or [])
    currency = _currency(origin)
    day = datetime.fromtimestamp(now, LOCAL)
    rated = []
    for service in SERVICES.values():
        if not _available(service, where):
            continue
        base, fuel, total = price(service, where, billable)
        rated.append(
            {
                "Service": {"Code": service.code, "Description": ""},
                "BillingWeight": {
                    "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
                    "Weight": str(billable),
                },
                **_charges(base, fuel, total, currency),
                "TimeInTransit": {
                    "PickupDate": f"{day:%Y%m%d}",
                    "ServiceSummary": {
                        "Service": {"Description": service.name},
                        "EstimatedArrival": {"BusinessDaysInTransit": str(service.transit_days)},
                    },
                },
            }
        )
    return {
        "RateResponse": {
            "Response": {
                "ResponseStatus": {"Code": "1", "Description": "Success"},
                "TransactionReference": {
                    "CustomerContext": _context(request.get("RateRequest") or {})
                },
            },
            "RatedShipment": rated,
        }
    }


def _context(request: dict) -> str:
    return str(
        ((request.get("Request") or {}).get("TransactionReference") or {}).get("CustomerContext")
        or ""
    )


def _address_lines(party: dict) -> list[str]:
    address = party.get("Address") or {}
    lines = [str(line) for line in address.get("AddressLine") or [] if line]
    city = " ".join(
        p for p in (str(address.get("PostalCode") or ""), str(address.get("City") or "")) if p
    )
    return [*lines, city, _country(party)]


def ship(state: CarrierState, request: dict) -> dict:
    """Issue a label: validate, price, number, draw; the answer in UPS's shape."""
    body = request.get("ShipmentRequest") or {}
    shipment = body.get("Shipment") or {}
    origin, destination = _check_addresses(shipment)
    where = zone(origin, destination)
    code = str((shipment.get("Service") or {}).get("Code") or "")
    service = SERVICES.get(code)
    if service is None or not _available(service, where):
        raise Refusal(
            "111210", "The requested service is unavailable between the selected locations."
        )
    packages = shipment.get("Package") or []
    actual, billable = billable_kg(packages)
    shipper = shipment.get("Shipper") or {}
    number = state.new_tracking_number(str(shipper.get("ShipperNumber") or ""), service)
    parcel = Parcel(
        tracking_number=number,
        service=service,
        created_at=state.clock(),
        origin=shipper,
        destination=shipment.get("ShipTo") or {},
        weight_kg=actual,
        reference=_context(body),
    )
    image_format = str(
        ((body.get("LabelSpecification") or {}).get("LabelImageFormat") or {}).get("Code") or "GIF"
    ).upper()
    if image_format not in ("GIF", "PNG", "ZPL"):
        raise Refusal("120416", f"Invalid label image format {image_format}")
    label = zpl_label(parcel) if image_format == "ZPL" else image_label(parcel, image_format)
    state.add(parcel)
    base, fuel, total = price(service, where, billable)
    return {
        "ShipmentResponse": {
            "Response": {
                "ResponseStatus": {"Code": "1", "Description": "Success"},
                "TransactionReference": {"CustomerContext": parcel.reference},
            },
            "ShipmentResults": {
                "ShipmentCharges": _charges(base, fuel, total, _currency(origin)),
                "BillingWeight": {
                    "UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"},
                    "Weight": str(billable),
                },
                "ShipmentIdentificationNumber": number,
                "PackageResults": [
                    {
                        "TrackingNumber": number,
                        "ServiceOptionsCharges": {
                            "CurrencyCode": _currency(origin),
                            "MonetaryValue": "0.00",
                        },
                        "ShippingLabel": {
                            "ImageFormat": {"Code": image_format, "Description": image_format},
                            "GraphicImage": base64.b64encode(label).decode(),
                        },
                    }
                ],
            },
        }
    }


def _spaced(number: str) -> str:
    """1Z 4A6 V82 68 9154 734 6, as UPS prints it."""
    return " ".join(
        (
            number[:2],
            number[2:5],
            number[5:8],
            number[8:10],
            number[10:14],
            number[14:17],
            number[17:],
        )
    )


def _label_lines(parcel: Parcel) -> dict[str, list[str]]:
    shipper = parcel.origin
    to = parcel.destination
    return {
        "from": [str(shipper.get("Name") or ""), *_address_lines(shipper)],
        "to": [
            str(to.get("AttentionName") or to.get("Name") or ""),
            *(
                [str(to["Name"])]
                if to.get("AttentionName") and to.get("Name") != to.get("AttentionName")
                else []
            ),
            *_address_lines(to),
        ],
    }


def _font_paths() -> tuple[str, str]:
    from shipdesk.documents.fonts import font_files

    regular, bold = font_files()
    return str(regular), str(bold)


@functools.lru_cache(maxsize=32)
def font(path: str, size: int):
    """A loaded font: loading one costs more than drawing a label's text with it."""
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def image_label(parcel: Parcel, image_format: str) -> bytes:
    """A 4x6 in label at 203 dpi, turned a quarter left as UPS sends its images."""
    from barcode import Code128
    from barcode.writer import ImageWriter
    from PIL import Image, ImageDraw

    regular, bold = _font_paths()
    width, height = 812, 1218
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)

    lines = _label_lines(parcel)
    y = 20
    for line in lines["from"]:
        draw.text((24, y), line[:48], font=font(regular, 22), fill=0)
        y += 26
    draw.text((600, 20), f"{parcel.weight_kg.normalize():f} KG", font=font(bold, 30), fill=0)
    draw.text((600, 56), "1 OF 1", font=font(bold, 30), fill=0)
    y = max(y, 110) + 16
    draw.text((24, y), "SHIP TO:", font=font(bold, 24), fill=0)
    y += 34
    for line in lines["to"]:
        draw.text((60, y), line[:34], font=font(bold, 34), fill=0)
        y += 42
    y += 10
    draw.rectangle((0, y, width, y + 5), fill=0)
    country = _country(parcel.destination)
    postal = str((parcel.destination.get("Address") or {}).get("PostalCode") or "")
    draw.text((24, y + 20), f"{country} {postal}", font=font(bold, 72), fill=0)
    y += 120
    draw.rectangle((0, y, width, y + 5), fill=0)
    draw.text((24, y + 16), parcel.service.name.upper(), font=font(bold, 48), fill=0)
    draw.text(
        (24, y + 80),
        f"TRACKING #: {_spaced(parcel.tracking_number)}",
        font=font(regular, 28),
        fill=0,
    )
    y += 130
    draw.rectangle((0, y, width, y + 3), fill=0)
    bars = Code128(parcel.tracking_number, writer=ImageWriter(mode="1", dpi=203)).render(
        writer_options={
            "module_width": 0.375,
            "module_height": 28,
            "write_text": False,
            "quiet_zone": 4,
        }
    )
    image.paste(bars, ((width - bars.width) // 2, y + 24))
    y += 24 + bars.height + 24
    draw.rectangle((0, y, width, y + 5), fill=0)
    draw.text((24, y + 20), "BILLING: P/P", font=font(regular, 26), fill=0)
    draw.text((24, y + 54), f"REF: {parcel.reference}"[:50], font=font(regular, 26), fill=0)
    draw.text((24, height - 60), "SANDBOX CARRIER - NOT FOR SHIPPING", font=font(bold, 30), fill=0)
    out = io.BytesIO()
    # Light compression: the label is drawn per request and read back at once.
    image.rotate(90, expand=True).save(out, format=image_format, compress_level=1)
    return out.getvalue()


def _zpl_text(value: str) -> str:
    # ^FD ends at ^ or ~: keep them out of printed fields.
    return value.replace("^", " ").replace("~", " ")


def zpl_label(parcel: Parcel) -> bytes:
    """The same label in ZPL II for a 4x6 in thermal printer at 203 dpi."""
    lines = _label_lines(parcel)
    fields = ["^XA", "^CI28", "^PW812", "^LL1218"]
    y = 20
    for line in lines["from"]:
        fields.append(f"^FO24,{y}^A0N,22,22^FD{_zpl_text(line[:48])}^FS")
        y += 26
    fields.append(f"^FO600,20^A0N,30,30^FD{parcel.weight_kg.normalize():f} KG^FS")
    fields.append("^FO600,56^A0N,30,30^FD1 OF 1^FS")
    y = max(y, 110) + 16
    fields.append(f"^FO24,{y}^A0N,24,24^FDSHIP TO:^FS")
    y += 34
    for line in lines["to"]:
        fields.append(f"^FO60,{y}^A0N,34,34^FD{_zpl_text(line[:34])}^FS")
        y += 42
    fields.append(f"^FO0,{y + 10}^GB812,5,5^FS")
    country = _country(parcel.destination)
    postal = str((parcel.destination.get("Address") or {}).get("PostalCode") or "")
    fields.append(f"^FO24,{y + 30}^A0N,72,72^FD{_zpl_text(f'{country} {postal}')}^FS")
    y += 130
    fields.append(f"^FO0,{y}^GB812,5,5^FS")
    fields.append(f"^FO24,{y + 16}^A0N,48,48^FD{parcel.service.name.upper()}^FS")
    fields.append(f"^FO24,{y + 80}^A0N,28,28^FDTRACKING #: {_spaced(parcel.tracking_number)}^FS")
    y += 140
    fields.append(f"^FO60,{y}^BY3^BCN,220,N,N,N^FD{parcel.tracking_number}^FS")
    y += 250
    fields.append(f"^FO0,{y}^GB812,5,5^FS")
    fields.append(f"^FO24,{y + 20}^A0N,26,26^FDBILLING: P/P^FS")
    fields.append(f"^FO24,{y + 54}^A0N,26,26^FD{_zpl_text(f'REF: {parcel.reference}'[:50])}^FS")
    fields.append("^FO24,1158^A0N,30,30^FDSANDBOX CARRIER - NOT FOR SHIPPING^FS")
    fields.append("^XZ")
    return ("\n".join(fields) + "\n").encode()


# --- tracking -------------------------------------------------------------------------

# (hours after the label, UPS status type, code, description, where) before delivery; the
# last steps are counted back from the delivery time.
_STEPS_AFTER_LABEL = [
    (0, "M", "MP", "Shipper created a label, UPS has not received the package yet.", "origin"),
    (4, "P", "PU", "Pickup Scan", "origin"),
    (7, "I", "DP", "Departed from Facility", "origin"),
]
_STEPS_BEFORE_DELIVERY = [
    (10, "I", "AR", "Arrived at Facility", "destination"),
    (6, "I", "OT", "Out For Delivery Today", "destination"),
    (0, "D", "KB", "DELIVERED", "destination"),
]


def events(parcel: Parcel, now: float) -> list[dict]:
    """The parcel's events up to `now`, newest first, as UPS lists them."""
    delivery = parcel.created_at + parcel.service.transit_days * 86400
    steps = [(parcel.created_at + h * 3600, *rest) for h, *rest in _STEPS_AFTER_LABEL]
    if parcel.voided:
        steps = steps[:1] + [(parcel.created_at, "M", "MV", "Shipment voided", "origin")]
    else:
        steps += [(delivery - h * 3600, *rest) for h, *rest in _STEPS_BEFORE_DELIVERY]
    found = []
    for at, kind, code, description, where in steps:
        if at > now:
            continue
        party = parcel.origin if where == "origin" else parcel.destination
        address = party.get("Address") or {}
        moment = datetime.fromtimestamp(at, LOCAL)
        found.append(
            {
                "location": {
                    "address": {
                        "city": str(address.get("City") or "").upper(),
                        "postalCode": str(address.get("PostalCode") or ""),
                        "country": _country(party),
                    }
                },
                "status": {"type": kind, "description": description, "code": code},
                "date": f"{moment:%Y%m%d}",
                "time": f"{moment:%H%M%S}",
            }
        )
    return found[::-1]


def track_response(parcel: Parcel, now: float) -> dict:
    activity = events(parcel, now)
    delivery = datetime.fromtimestamp(
        parcel.created_at + parcel.service.transit_days * 86400, LOCAL
    )
    package = {
        "trackingNumber": parcel.tracking_number,
        "deliveryDate": [
            {
                "type": "DEL" if activity[0]["status"]["type"] == "D" else "SDD",
                "date": f"{delivery:%Y%m%d}",
            }
        ],
        "activity": activity,
        "service": {"code": parcel.service.code, "description": parcel.service.name},
        "packageAddress": [
            {
                "type": "ORIGIN",
                "address": {
                    "city": str((parcel.origin.get("Address") or {}).get("City") or "").upper(),
                    "country": _country(parcel.origin),
                },
            },
            {
                "type": "DESTINATION",
                "address": {
                    "city": str(
                        (parcel.destination.get("Address") or {}).get("City") or ""
                    ).upper(),
                    "country": _country(parcel.destination),
                },
            },
        ],
        "weight": {"unitOfMeasurement": "KGS", "weight": _money(parcel.weight_kg)},
    }
    return {
        "trackResponse": {
            "shipment": [{"inquiryNumber": parcel.tracking_number, "package": [package]}]
        }
    }


# --- the HTTP routes ------------------------------------------------------------------


def routes(state: CarrierState) -> list[Route]:
    """Starlette routes of the simulator, under PREFIX/{profile}."""

    def endpoint(name: str, handler, *, token: bool = True, fallible: bool = True):
        async def serve(request: Request) -> Response:
            call = Call(name, request.path_params["profile"], time.monotonic())
            try:
                latency, fail_rate = parse_profile(call.profile)
            except ValueError as exc:
                response = _error(404, "404", str(exc))
            else:
                if latency:
                    await asyncio.sleep(latency)
                response = await _answer(
                    request, handler, token, fallible and state.fails(fail_rate)
                )
            call.ended, call.status = time.monotonic(), response.status_code
            state.log(call)
            return response

        return serve

    async def _answer(request: Request, handler, token: bool, fail: bool) -> Response:
        if token and not token_valid(
            request.headers.get("authorization", "").removeprefix("Bearer ").strip(), state.clock()
        ):
            return _error(401, "250002", "Invalid Authentication Information.")
        if fail:
            return _error(
                503, "190001", "The UPS system is temporarily unavailable; please try again later."
            )
        try:
            return await handler(request)
        except Refusal as refusal:
            return _error(refusal.status, refusal.code, refusal.message)

    async def body(request: Request) -> dict:
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            raise Refusal("10001", "The request is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refusal("10001", "The request is not valid JSON")
        return data

    async def token(request: Request) -> Response:
        client_id = _client_id(request.headers.get("authorization", ""))
        form = (await request.body()).decode(errors="replace")
        if client_id is None:
            return _error(401, "10401", "ClientId is invalid")
        if "grant_type=client_credentials" not in form:
            return _error(400, "10400", "Invalid/Missing grant_type")
        now = state.clock()
        return JSONResponse(
            {
                "token_type": "Bearer",
                "issued_at": str(int(now * 1000)),
                "client_id": client_id,
                "access_token": issue_token(client_id, now),
                "expires_in": str(TOKEN_LIFETIME_S),
                "refresh_count": "0",
                "status": "approved",
            }
        )

    async def rate(request: Request) -> Response:
        return JSONResponse(rate_response(await body(request), state.clock()))

    async def create(request: Request) -> Response:
        data = await body(request)
        # Drawing a label is CPU work: off the event loop, so other calls keep their pace.
        return JSONResponse(await run_in_threadpool(ship, state, data))

    async def void(request: Request) -> Response:
        parcel = state.parcel(request.path_params["number"])
        if parcel is None:
            raise Refusal("190102", "No shipment found within the allowed void period", 400)
        if parcel.voided:
            raise Refusal("190117", "The shipment has already been voided")
        if events(parcel, state.clock())[0]["status"]["type"] != "M":
            raise Refusal("190117", "Void period has expired")
        parcel.voided = True
        return JSONResponse(
            {
                "VoidShipmentResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "TransactionReference": {"CustomerContext": ""},
                    },
                    "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
                }
            }
        )

    async def track(request: Request) -> Response:
        parcel = state.parcel(request.path_params["number"])
        if parcel is None:
            raise Refusal("TW0001", "Tracking Information Not Found", 404)
        return JSONResponse(track_response(parcel, state.clock()))

    async def page(request: Request) -> Response:
        parcel = state.parcel(request.path_params["number"])
        if parcel is None:
            return HTMLResponse("<h1>Tracking number not found</h1>", 404)
        rows = "".join(
            f"<tr><td>{e['date']} {e['time']}</td><td>{html.escape(e['status']['description'])}</td>"
            f"<td>{html.escape(e['location']['address']['city'])}</td></tr>"
            for e in events(parcel, state.clock())
        )
        return HTMLResponse(
            f"<!DOCTYPE html><title>{parcel.tracking_number}</title>"
            f"<h1>Sandbox carrier: {parcel.tracking_number}</h1><table>{rows}</table>"
        )

    base = PREFIX + "/{profile}"
    return [
        Route(
            f"{base}/security/v1/oauth/token",
            endpoint("token", token, token=False, fallible=False),
            methods=["POST"],
        ),
        Route(f"{base}/api/rating/v2409/Shop", endpoint("rate", rate), methods=["POST"]),
        Route(f"{base}/api/shipments/v2409/ship", endpoint("ship", create), methods=["POST"]),
        Route(
            f"{base}/api/shipments/v2409/void/cancel/{{number}}",
            endpoint("void", void),
            methods=["DELETE"],
        ),
        Route(f"{base}/api/track/v1/details/{{number}}", endpoint("track", track), methods=["GET"]),
        Route(f"{base}/track/{{number}}", page, methods=["GET"]),
    ]
