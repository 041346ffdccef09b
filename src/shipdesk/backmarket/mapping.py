"""Pure mapping from Back Market's typed payloads to shipdesk's order data.

No I/O and no Django: the import decides what to store; this module only says what a
Back Market order means in ShipStation's terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from shipdesk.backmarket.models import Address, Order, OrderLine
from shipdesk.backmarket.states import CANCELLED_LINE_STATES, LineState, OrderState

_STORAGE = re.compile(r"\b(\d{1,4})\s?(Go|GB|Gb|TB|To|Tb)\b")
_LOCK_WORDS = {
    "débloqué": "Unlocked",
    "debloque": "Unlocked",
    "unlocked": "Unlocked",
    "ohne simlock": "Unlocked",
    "entsperrt": "Unlocked",
    "libre": "Unlocked",
    "desbloqueado": "Unlocked",
    "sbloccato": "Unlocked",
    "simlockvrij": "Unlocked",
}
_COLOURS = {
    # en
    "black",
    "white",
    "blue",
    "red",
    "green",
    "pink",
    "purple",
    "yellow",
    "gold",
    "silver",
    "graphite",
    "midnight",
    "starlight",
    "gray",
    "grey",
    "space gray",
    "space grey",
    "sierra blue",
    "alpine green",
    "deep purple",
    "natural titanium",
    "blue titanium",
    "white titanium",
    "black titanium",
    "phantom black",
    "phantom white",
    "phantom gray",
    "cream",
    "lavender",
    "obsidian",
    "snow",
    "hazel",
    "porcelain",
    "bay",
    "coral",
    "orange",
    # fr
    "noir",
    "blanc",
    "bleu",
    "rouge",
    "vert",
    "rose",
    "violet",
    "jaune",
    "or",
    "argent",
    "gris",
    "gris sidéral",
    "minuit",
    "lumière stellaire",
    "mauve",
    "crème",
    "titane naturel",
    "titane bleu",
    "titane noir",
    "titane blanc",
    # de
    "schwarz",
    "weiß",
    "weiss",
    "blau",
    "rot",
    "grün",
    "lila",
    "gelb",
    "golden",
    "silber",
    "grau",
    "mitternacht",
    "polarstern",
    "space grau",
    # es
    "negro",
    "blanco",
    "azul",
    "rojo",
    "verde",
    "rosa",
    "morado",
    "amarillo",
    "oro",
    "plata",
    "gris espacial",
    "medianoche",
    "blanco estrella",
    # it
    "nero",
    "bianco",
    "blu",
    "rosso",
    "viola",
    "giallo",
    "argento",
    "grigio",
    "grigio siderale",
    "mezzanotte",
    "galassia",
}


@dataclass(frozen=True)
class AddressData:
    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ItemData:
    channel_line_id: int
    channel_state: int
    sku: str
    name: str
    brand: str
    channel_product_id: int | None
    listing_id: int | None
    quantity: int
    unit_price: Decimal
    line_price: Decimal
    tax_amount: Decimal
    shipping_amount: Decimal
    condition: int | None
    options: list[dict]
    requested_shipper: str
    shipping_delay_hours: int | None
    imei: str = ""
    serial_number: str = ""
    # Back Market's reason, meaningful on a line refunded after shipping (state 6) only.
    return_reason: int | None = None
    return_message: str = ""


@dataclass(frozen=True)
class OrderData:
    channel_order_id: int
    channel_state: int
    status_key: str  # key into the store's status mapping
    order_date: datetime
    payment_date: datetime | None
    channel_modified_at: datetime
    ship_by_date: datetime | None
    customer_email: str
    customer_username: str
    ship_to: AddressData
    bill_to: AddressData
    requested_shipping_service: str
    payment_method: str
    currency: str
    order_total: Decimal
    tax_amount: Decimal
    shipping_amount: Decimal
    country_code: str
    is_backship: bool
    delivery_note_url: str
    items: list[ItemData] = field(default_factory=list)
    # When Back Market got the order's invoice (from shipdesk or its back office).
    bill_provided_at: datetime | None = None

    @property
    def awaiting_acceptance(self) -> bool:
        return self.channel_state == OrderState.AWAITING_ACCEPTANCE

    @property
    def returned_items(self) -> list[ItemData]:
        """Lines refunded after shipping: what came back."""
        return [i for i in self.items if i.channel_state == LineState.REFUNDED_AFTER_SHIPPING]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def http_url(value) -> str:
    """The address if it is http(s), else "": a `javascript:` link from outside is never kept,
    since the UI and emails make such addresses clickable."""
    text = _text(value)
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def has_shipping_address(order: Order) -> bool:
    """Back Market orders without street, city, postal code and country cannot be shipped."""
    a = order.shipping_address
    if a is None:
        return False
    return all(_text(getattr(a, key, None)) for key in ("street", "city", "postal_code", "country"))


def map_address(address: Address | None) -> AddressData:
    if address is None:
        return AddressData()
    name = " ".join(p for p in (_text(address.first_name), _text(address.last_name)) if p)
    if name == "Deleted Deleted":  # GDPR erasure blanks both names to "Deleted"
        name = "Deleted"
    return AddressData(
        name=name,
        company=_text(address.company),
        street1=_text(address.street),
        street2=_text(address.street2),
        city=_text(address.city),
        postal_code=_text(address.postal_code),
        country=_text(address.country).upper()[:2],
        phone=_text(address.phone),
        email=_text(address.email),
    )


def item_options(line: OrderLine) -> list[dict]:
    """Grade, storage, colour, lock status and Back Care, as ShipStation item options."""
    options: list[dict] = []
    if line.condition_label:
        options.append({"name": "Grade", "value": line.condition_label})
    title = _text(line.product)
    if match := _STORAGE.search(title):
        unit = match.group(2).upper().replace("GO", "GB").replace("TO", "TB")
        options.append({"name": "Storage", "value": f"{match.group(1)} {unit}"})
    colour = lock = None
    for part in (p.strip() for p in title.split(" - ")[1:]):
        lowered = part.lower()
        if lock is None and lowered in _LOCK_WORDS:
            lock = _LOCK_WORDS[lowered]
        elif colour is None and lowered in _COLOURS:
            colour = part
    if colour:
        options.append({"name": "Colour", "value": colour})
    if lock:
        options.append({"name": "Lock status", "value": lock})
    if line.backcare:
        price = Decimal(line.backcare_price or 0) / 100
        options.append(
            {"name": "Back Care", "value": f"Yes ({price:.2f} {line.currency or ''})".strip()}
        )
    return options


def requested_service(order: Order) -> str:
    """The delivery option the buyer chose: the line shipper and delay, e.g. 'Colissimo — 48 h'."""
    services = []
    for line in order.orderlines:
        shipper = _text(line.shipper) or _text(order.shipper)
        label = f"{shipper} — {line.shipping_delay} h" if line.shipping_delay else shipper
        if label and label not in services:
            services.append(label)
    return " / ".join(services)


def status_key(order: Order) -> str:
    """The key of the status mapping that applies to this order."""
    states = {line.state for line in order.orderlines}
    if states and states <= CANCELLED_LINE_STATES:
        if LineState.REFUNDED_AFTER_SHIPPING in states:
            # A refund after shipping is a return: the order did ship.
            return str(int(OrderState.SHIPPED))
        return "cancelled"
    return str(order.state)


def map_line(line: OrderLine) -> ItemData:
    quantity = max(int(line.quantity or 1), 1)
    price = line.price or Decimal("0")
    return ItemData(
        channel_line_id=line.id,
        channel_state=line.state,
        sku=_text(line.listing),
        name=_text(line.product),
        brand=_text(line.brand),
        channel_product_id=line.product_id,
        listing_id=line.listing_id,
        quantity=quantity,
        unit_price=(price / quantity).quantize(Decimal("0.01")),
        line_price=price,
        tax_amount=line.sales_taxes or Decimal("0"),
        shipping_amount=line.shipping_price or Decimal("0"),
        condition=line.condition,
        options=item_options(line),
        requested_shipper=_text(line.shipper),
        shipping_delay_hours=line.shipping_delay,
        imei=_text(line.imei),
        serial_number=_text(line.serial_number),
        return_reason=line.return_reason,
        return_message=_text(line.return_message),
    )


def map_order(order: Order) -> OrderData:
    ship_to = map_address(order.shipping_address)
    bill_to = map_address(order.billing_address)
    email = ship_to.email if "@" in ship_to.email else ""
    return OrderData(
        channel_order_id=order.order_id,
        channel_state=order.state,
        status_key=status_key(order),
        order_date=order.date_creation,
        payment_date=order.date_payment,
        channel_modified_at=order.date_modification or order.date_creation,
        ship_by_date=order.expected_dispatch_date,
        customer_email=email,
        customer_username=bill_to.name or ship_to.name,  # the buyer: Back Market has no user name
        ship_to=ship_to,
        bill_to=bill_to,
        requested_shipping_service=requested_service(order),
        payment_method=_text(order.payment_method),
        currency=_text(order.currency) or "EUR",
        # The order's price is what the buyer paid: the lines plus shipping.
        order_total=order.price
        if order.price is not None
        else sum((line.price for line in order.orderlines), Decimal("0"))
        + (order.shipping_price or Decimal("0")),
        tax_amount=order.sales_taxes or Decimal("0"),
        shipping_amount=order.shipping_price or Decimal("0"),
        country_code=_text(order.country_code),
        is_backship=bool(order.is_backship),
        delivery_note_url=http_url(order.delivery_note),
        items=[map_line(line) for line in order.orderlines],
        bill_provided_at=order.date_bill_provided,
    )
