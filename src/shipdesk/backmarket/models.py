"""Typed Back Market payloads, with field names identical to Back Market's JSON keys.

Strict where shipdesk relies on a value (ids, states, lines, SKU, quantity, line price,
the order dates that drive incremental sync); tolerant elsewhere, because real traffic
carries nulls, "" and "Deleted" (GDPR erasure), older keys and keys added later.
Text fields read null as "", money is Decimal, dates are aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

__all__ = [
    "CONDITION_LABELS",
    "Address",
    "Delivery",
    "Order",
    "OrderLine",
    "OrdersPage",
    "parse_order",
]

# Back Market's `condition` grade: current codes, then the ones used before mid-2021.
CONDITION_LABELS = {
    9: "Premium",
    10: "Excellent",
    11: "Good",
    12: "Fair",
    0: "Shiny",
    1: "Very good",
    2: "Good",
    3: "Fair",
    4: "Stallone",
}


def _null_to_empty(value: Any) -> Any:
    if value is None:
        return ""
    # Numeric postal codes or phone numbers must not fail a whole order.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _blank_to_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _to_utc(value: datetime) -> datetime:
    # Back Market's dates carry an offset; a naive one is read as UTC rather than rejected.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# Outside numbers are finite and bounded: far beyond any real order, short of what breaks a
# page (Infinity) or the database (a quantity of a billion units, each with an IMEI row).
MAX_AMOUNT = Decimal(10_000_000)
MAX_QUANTITY = 1_000

Text = Annotated[str, BeforeValidator(_null_to_empty)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False, ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Money = Annotated[Amount | None, BeforeValidator(_blank_to_none)]
Quantity = Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY)]
UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
OptionalUtcDatetime = Annotated[UtcDatetime | None, BeforeValidator(_blank_to_none)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank_to_none)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Address(_Payload):
    company: Text = ""
    first_name: Text = ""
    first_name_pronunciation: Text = ""
    last_name: Text = ""
    last_name_pronunciation: Text = ""
    street: Text = ""
    street2: Text = ""
    postal_code: Text = ""
    country: Text = ""
    city: Text = ""
    phone: Text = ""
    email: Text = ""
    customer_id_number: Text = ""
    gender: OptionalInt = None  # older orders only: 0 male, 1 female


class OrderLine(_Payload):
    id: StrictInt
    state: StrictInt
    listing: str  # the merchant's SKU, sent back as `sku` on updates
    quantity: Quantity
    price: Amount  # the line total, not the unit price
    date_creation: OptionalUtcDatetime = None
    shipping_price: Money = None
    shipping_delay: OptionalInt = None  # hours
    shipper: Text = ""
    currency: Text = ""
    return_reason: OptionalInt = None
    return_message: Text = ""
    product: Text = ""
    brand: Text = ""
    product_id: OptionalInt = None
    backcare: bool | None = None
    backcare_price: OptionalInt = None  # cents
    listing_id: OptionalInt = None
    sales_taxes: Money = None
    imei: Text = ""
    serial_number: Text = ""
    condition: OptionalInt = None
    orderline_fee: Money = None  # Back Market's commission

    @property
    def condition_label(self) -> str:
        return CONDITION_LABELS.get(self.condition, "") if self.condition is not None else ""


class Order(_Payload):
    order_id: StrictInt
    state: StrictInt
    orderlines: list[OrderLine]
    date_creation: UtcDatetime
    date_modification: UtcDatetime
    shipping_address: Address | None = None
    billing_address: Address | None = None
    delivery_note: Text = ""
    tracking_number: Text = ""
    tracking_url: Text = ""
    shipper: Text = ""
    shipper_display: Text = ""
    date_shipping: OptionalUtcDatetime = None
    date_payment: OptionalUtcDatetime = None
    date_bill_provided: OptionalUtcDatetime = None
    expected_dispatch_date: OptionalUtcDatetime = None
    price: Money = None
    shipping_price: Money = None
    currency: Text = ""
    country_code: Text = ""
    paypal_reference: Text = ""
    psp_reference: Text = ""
    installment_payment: bool | None = None
    payment_method: Text = ""
    sales_taxes: Money = None
    is_backship: bool | None = None


class OrdersPage(_Payload):
    """One page of `GET /ws/orders`; results stay raw so one bad order spoils only itself."""

    count: int = 0
    next: str | None = None
    previous: str | None = None
    results: list[dict[str, Any]]


class Delivery(_Payload):
    """A BackShip delivery (label bought through Back Market); camelCase as the API sends."""

    labelUrl: Text = ""
    trackingNumber: Text = ""
    trackingUrl: Text = ""
    carrierName: Text = ""
    dateCreation: OptionalUtcDatetime = None


def parse_order(raw: dict[str, Any]) -> Order:
    """Parse one raw order; raises pydantic.ValidationError when it is malformed."""
    return Order.model_validate(raw)
