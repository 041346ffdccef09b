"""The API's request and response bodies, with ShipStation API v1's field names.

Responses are validated against these on the way out, so the OpenAPI document says exactly
what clients get. Request bodies declare the fields shipdesk reads; clients may send whole
ShipStation objects, and fields not declared here are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from shipdesk.api import dates
from shipdesk.orders import quantities

MAX_ID = quantities.MAX_ID
# Postgres refuses NUL in text; ShipStation has no use for it either.
NO_NUL = r"^[^\x00]*$"
DATE_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,7})?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
URL_PATTERN = r"^https?://[^\s\x00]+$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Page = Annotated[int, Field(ge=1, le=1_000_000)]
PageSize = Annotated[int, Field(ge=1, le=500)]
# Amounts and quantities Back Market owns: checked like any number from outside, then ignored.
Money = Annotated[
    Decimal,
    Field(
        ge=0,
        le=quantities.MONEY.maximum,
        allow_inf_nan=False,
        decimal_places=2,
        description="Back Market's: checked (0 to 1000000, 2 decimals at most), not changed",
    ),
]
Quantity = Annotated[int, Field(ge=0, le=10_000, description="Back Market's: checked, not changed")]
DateText = Annotated[
    str,
    Field(
        pattern=DATE_PATTERN,
        description="`2024-05-01`, `2024-05-01 13:45:00` or `2024-05-01T13:45:00.0000000`; "
        "in the API's time zone (US Pacific by default) unless an offset is given.",
    ),
]

OrderStatus = Literal[
    "awaiting_payment",
    "awaiting_shipment",
    "pending_fulfillment",
    "on_hold",
    "shipped",
    "cancelled",
]
SortDir = Literal["ASC", "DESC"]
Confirmation = Literal["none", "delivery", "signature", "adult_signature", "direct_signature"]
Event = Literal["ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY"]


def text(max_length: int):
    return Annotated[str, Field(max_length=max_length, pattern=NO_NUL)]


# Read in the API's time zone (api/dates.py), the one place that knows it.
InvalidDate = dates.InvalidDate
parse_datetime = dates.parse
parse_date = dates.parse_date


# ----- responses -----


class Message(Schema):
    message: str


class Success(Schema):
    success: bool
    message: str


class Address(Schema):
    name: str | None
    company: str | None
    street1: str | None
    street2: str | None
    street3: str | None
    city: str | None
    state: str | None
    postalCode: str | None
    country: str | None
    phone: str | None
    residential: bool | None
    addressVerified: str | None


class Weight(Schema):
    value: float
    units: Literal["pounds", "ounces", "grams"]
    WeightUnits: int


class Dimensions(Schema):
    length: float | None
    width: float | None
    height: float | None
    units: Literal["inches", "centimeters"]


class ItemOption(Schema):
    name: str
    value: str


class SerialNumber(Schema):
    unit: int
    imei: str | None
    serialNumber: str | None


class OrderItem(Schema):
    orderItemId: int
    lineItemKey: str | None
    sku: str
    name: str
    imageUrl: str | None
    weight: Weight | None
    quantity: int
    unitPrice: float | None
    taxAmount: float | None
    shippingAmount: float | None
    warehouseLocation: str | None
    options: list[ItemOption]
    productId: int | None
    fulfillmentSku: str | None
    adjustment: bool
    upc: str | None
    createDate: str | None
    modifyDate: str | None
    lineState: int | None = Field(description="shipdesk: Back Market's line state")
    serialNumbers: list[SerialNumber] = Field(
        description="shipdesk: each unit's IMEI or serial number"
    )


class InsuranceOptions(Schema):
    provider: str | None
    insureShipment: bool
    insuredValue: float


class InternationalOptions(Schema):
    contents: str | None
    customsItems: list[dict[str, Any]] | None
    nonDelivery: str | None


class AdvancedOptions(Schema):
    warehouseId: int | None
    nonMachinable: bool
    saturdayDelivery: bool
    containsAlcohol: bool
    mergedOrSplit: bool
    mergedIds: list[int]
    parentId: int | None
    storeId: int
    customField1: str | None
    customField2: str | None
    customField3: str | None
    source: str | None
    billToParty: str | None
    billToAccount: str | None
    billToPostalCode: str | None
    billToCountryCode: str | None


class Order(Schema):
    orderId: int
    orderNumber: str
    orderKey: str
    orderDate: str | None
    createDate: str | None
    modifyDate: str | None
    paymentDate: str | None
    shipByDate: str | None
    orderStatus: str
    customerId: int | None
    customerUsername: str | None
    customerEmail: str | None
    billTo: Address
    shipTo: Address
    items: list[OrderItem]
    orderTotal: float | None
    amountPaid: float | None
    taxAmount: float | None
    shippingAmount: float | None
    customerNotes: str | None
    internalNotes: str | None
    gift: bool
    giftMessage: str | None
    paymentMethod: str | None
    requestedShippingService: str | None
    carrierCode: str | None
    serviceCode: str | None
    packageCode: str | None
    confirmation: str | None
    shipDate: str | None
    holdUntilDate: str | None
    weight: Weight | None
    dimensions: Dimensions | None
    insuranceOptions: InsuranceOptions
    internationalOptions: InternationalOptions
    advancedOptions: AdvancedOptions
    tagIds: list[int] | None
    userId: str | None
    externallyFulfilled: bool
    externallyFulfilledBy: str | None
    couponCode: str | None = Field(description="shipdesk extra")
    discountAmount: float | None = Field(description="shipdesk extra")
    currency: str = Field(description="shipdesk extra")
    awaitingAcceptance: bool = Field(
        description="shipdesk: the lines must be accepted on Back Market before shipping"
    )
    warning: str | None = Field(description="shipdesk: what Back Market changed underfoot")


class OrderPage(Schema):
    orders: list[Order]
    total: int
    page: int
    pages: int


class ShipmentItem(Schema):
    orderItemId: int
    lineItemKey: str | None
    sku: str
    name: str
    quantity: int
    unitPrice: float | None
    warehouseLocation: str | None
    options: list[ItemOption]


class Shipment(Schema):
    shipmentId: int
    orderId: int | None = Field(description="null for a label bought without an order")
    orderKey: str | None
    userId: str | None
    customerEmail: str | None
    orderNumber: str | None
    createDate: str | None
    shipDate: str
    shipmentCost: float | None
    insuranceCost: float | None
    trackingNumber: str
    trackingUrl: str | None
    isReturnLabel: bool
    batchNumber: str | None
    carrierCode: str
    serviceCode: str | None
    packageCode: str | None
    confirmation: str | None
    warehouseId: int | None
    voided: bool
    voidDate: str | None
    marketplaceNotified: bool
    notifyErrorMessage: str | None
    shipTo: Address
    weight: Weight | None
    dimensions: Dimensions | None
    insuranceOptions: dict[str, Any] | None
    advancedOptions: dict[str, Any] | None
    shipmentItems: list[ShipmentItem] | None
    labelData: str | None
    formData: str | None


class ShipmentPage(Schema):
    shipments: list[Shipment]
    total: int
    page: int
    pages: int


class StatusMapping(Schema):
    orderStatus: str
    statusKey: str


class Store(Schema):
    storeId: int
    storeName: str
    marketplaceId: int | None
    marketplaceName: str
    accountName: str | None
    email: str | None
    integrationUrl: str | None
    active: bool
    companyName: str | None
    phone: str | None
    publicEmail: str | None
    website: str | None
    refreshDate: str | None
    lastRefreshAttempt: str | None
    createDate: str | None
    modifyDate: str | None
    autoRefresh: bool
    statusMappings: list[StatusMapping]
    region: str = Field(description="shipdesk: Back Market region")
    health: str = Field(description="shipdesk: ok, token_rejected or failing")


class RefreshStatus(Schema):
    storeId: int
    refreshStatusId: int = Field(description="2 while an import runs, 4 when idle")
    refreshStatus: str
    lastRefreshAttempt: str | None
    refreshDate: str | None
    lastError: str | None = Field(description="shipdesk: the last import error")


class Carrier(Schema):
    name: str
    code: str
    accountNumber: str | None
    requiresFundedAccount: bool
    balance: float
    nickname: str | None
    shippingProviderId: int | None
    primary: bool


class CarrierService(Schema):
    carrierCode: str
    code: str
    name: str
    domestic: bool
    international: bool


class CarrierPackage(Schema):
    carrierCode: str
    code: str
    name: str
    domestic: bool
    international: bool


class Rate(Schema):
    serviceName: str
    serviceCode: str
    shipmentCost: float | None = Field(description="null when the carrier gives no price")
    otherCost: float
    transitDays: int | None = Field(description="shipdesk extra: business days, if known")


class Warehouse(Schema):
    warehouseId: int
    warehouseName: str
    originAddress: Address
    returnAddress: Address
    createDate: str | None
    isDefault: bool


class Tag(Schema):
    tagId: int
    name: str
    color: str


class User(Schema):
    userId: str = Field(description="ShipStation's is a GUID; shipdesk's the user's number")
    userName: str
    name: str


class Marketplace(Schema):
    name: str
    marketplaceId: int
    canRefresh: bool
    supportsCustomMappings: bool
    supportsCustomStatuses: bool
    canConfirmShipments: bool


class MarkShippedResult(Schema):
    orderId: int
    orderNumber: str


class VoidResult(Schema):
    approved: bool
    message: str


class Subscribed(Schema):
    id: int
    secret: str = Field(
        description="shipdesk: the key of each POST's X-Shipdesk-Signature; shown only here"
    )


class WebhookLog(Schema):
    date: str | None
    statusCode: int | None
    resourceUrl: str
    error: str | None


class Webhook(Schema):
    IsLabelAPIHook: bool
    WebHookID: int
    SellerID: int | None
    StoreID: int | None
    HookType: str
    MessageFormat: str
    Url: str
    Name: str | None
    BulkCopyBatchID: int | None
    BulkCopyRecordID: int | None
    Active: bool
    WebhookLogs: list[WebhookLog] = Field(description="the last 10 deliveries' attempts")
    Seller: str | None
    Store: str | None


class WebhookList(Schema):
    webhooks: list[Webhook]


# ----- requests -----


class OrderQuery(Schema):
    customerName: text(200) | None = None
    itemKeyword: text(200) | None = None
    createDateStart: DateText | None = None
    createDateEnd: DateText | None = None
    modifyDateStart: DateText | None = None
    modifyDateEnd: DateText | None = None
    orderDateStart: DateText | None = None
    orderDateEnd: DateText | None = None
    paymentDateStart: DateText | None = None
    paymentDateEnd: DateText | None = None
    orderNumber: text(50) | None = Field(None, description="orders whose number starts with this")
    orderStatus: OrderStatus | None = None
    storeId: Id | None = None
    importBatch: UUID | None = Field(None, description="orders announced by one ORDER_NOTIFY")
    sortBy: Literal["OrderDate", "ModifyDate", "CreateDate"] | None = None
    sortDir: SortDir | None = None
    page: Page = 1
    pageSize: PageSize = 100


class ShipmentQuery(Schema):
    recipientName: text(200) | None = None
    recipientCountryCode: text(2) | None = None
    orderNumber: text(50) | None = None
    orderId: Id | None = None
    carrierCode: text(50) | None = None
    serviceCode: text(100) | None = None
    trackingNumber: text(200) | None = None
    createDateStart: DateText | None = None
    createDateEnd: DateText | None = None
    shipDateStart: DateText | None = None
    shipDateEnd: DateText | None = None
    voidDateStart: DateText | None = None
    voidDateEnd: DateText | None = None
    storeId: Id | None = None
    batchId: Id | None = Field(None, description="shipments announced by one SHIP_NOTIFY")
    includeShipmentItems: bool = False
    sortBy: Literal["ShipDate", "CreateDate"] | None = None
    sortDir: SortDir | None = None
    page: Page = 1
    pageSize: PageSize = 100


def _bounded(convert: Callable):
    """The converted number, or a validation error (a 400 naming the field) saying why not."""
    try:
        return convert()
    except quantities.InvalidQuantity as exc:
        raise PydanticCustomError("out_of_bounds", "{problem}", {"problem": str(exc)}) from None


class WeightIn(Schema):
    value: float = Field(ge=0, allow_inf_nan=False, description="at most 1000000 grams")
    units: Literal["pounds", "ounces", "grams"]

    def grams(self) -> int:
        return quantities.grams_from(self.value, self.units, name="")

    @model_validator(mode="after")
    def _at_most_a_tonne(self):
        _bounded(self.grams)
        return self


class DimensionsIn(Schema):
    length: float | None = Field(None, ge=0, allow_inf_nan=False)
    width: float | None = Field(None, ge=0, allow_inf_nan=False)
    height: float | None = Field(None, ge=0, allow_inf_nan=False)
    units: Literal["inches", "centimeters"] = Field(description="at most 1000 centimeters")

    def centimetres(self) -> dict[str, Decimal | None]:
        return {
            side: quantities.centimetres_from(getattr(self, side), self.units, name=side)
            for side in ("length", "width", "height")
        }

    def sides(self) -> tuple | None:
        """(length, width, height) in centimetres when all three are given."""
        cm = self.centimetres()
        sides = (cm["length"], cm["width"], cm["height"])
        return sides if all(sides) else None

    @model_validator(mode="after")
    def _at_most_ten_metres(self):
        _bounded(self.centimetres)
        return self


class AdvancedOptionsIn(Schema):
    warehouseId: Id | None = None
    customField1: text(200) | None = None
    customField2: text(200) | None = None
    customField3: text(200) | None = None


class OrderItemIn(Schema):
    orderItemId: Id | None = None
    lineItemKey: text(100) | None = None
    sku: text(200) | None = None
    name: text(500) | None = Field(None, description="read for a new (manual) order")
    upc: text(50) | None = None
    warehouseLocation: text(100) | None = None
    weight: WeightIn | None = None
    quantity: Quantity | None = None
    unitPrice: Money | None = None
    taxAmount: Money | None = None
    shippingAmount: Money | None = None


class OrderAddressIn(Schema):
    """An order's billTo / shipTo; a new order's shipTo needs name, street1, city,
    postalCode and country."""

    name: text(200) | None = None
    company: text(200) | None = None
    street1: text(300) | None = None
    street2: text(300) | None = None
    street3: text(300) | None = None
    city: text(100) | None = None
    state: text(100) | None = None
    postalCode: text(20) | None = None
    country: text(2) | None = Field(None, description="ISO-2")
    phone: text(50) | None = None
    residential: bool | None = None


class CreateOrder(Schema):
    """An order as GET /orders returns it; only the fields below are read, and Back Market's
    amounts among them are only checked. With an orderKey shipdesk does not know, or with
    neither orderKey nor orderId, a manual order is created (Back Market is never told of
    it): orderNumber, orderDate, orderStatus, billTo, shipTo and items are then required."""

    orderNumber: text(50) | None = None
    orderDate: DateText | None = None
    paymentDate: DateText | None = None
    shipByDate: DateText | None = None
    customerUsername: text(200) | None = None
    customerEmail: text(254) | None = None
    billTo: OrderAddressIn | None = None
    shipTo: OrderAddressIn | None = None
    requestedShippingService: text(200) | None = None
    paymentMethod: text(50) | None = None

    orderId: Id | None = None
    orderKey: text(100) | None = None
    orderStatus: OrderStatus | None = None
    holdUntilDate: DateText | None = None
    customerNotes: text(10_000) | None = None
    internalNotes: text(10_000) | None = None
    gift: bool | None = None
    giftMessage: text(10_000) | None = None
    carrierCode: text(50) | None = None
    serviceCode: text(100) | None = None
    packageCode: text(50) | None = None
    confirmation: Confirmation | None = None
    weight: WeightIn | None = None
    dimensions: DimensionsIn | None = None
    orderTotal: Money | None = None
    amountPaid: Money | None = None
    taxAmount: Money | None = None
    shippingAmount: Money | None = None
    advancedOptions: AdvancedOptionsIn | None = None
    tagIds: list[Id] | None = Field(None, max_length=100)
    items: list[OrderItemIn] | None = Field(None, max_length=500)


class MarkShipped(Schema):
    orderId: Id
    carrierCode: text(50)
    shipDate: DateText | None = None
    trackingNumber: text(200) | None = None
    notifyCustomer: bool = False
    notifySalesChannel: bool = True


class HoldUntil(Schema):
    orderId: Id
    holdUntilDate: DateText | None = None


class OrderRef(Schema):
    orderId: Id


class OrderTag(Schema):
    orderId: Id
    tagId: Id


class RefundLine(Schema):
    """shipdesk's: refund a line on Back Market (ShipStation has no such call)."""

    orderId: Id
    sku: str = Field(min_length=1, max_length=200)
    returnReason: int | None = Field(
        default=None,
        ge=0,
        le=99,
        description="Back Market's return reason code; required for a shipped line",
    )
    returnMessage: str = Field(default="", max_length=500)


class VoidLabel(Schema):
    shipmentId: Id


ShippingProviderId = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_ID,
        description="shipdesk: the carrier account (GET /carriers' shippingProviderId) when "
        "several accounts have this carrier code; by default its primary account",
    ),
]


class CreateLabelForOrder(Schema):
    orderId: Id
    carrierCode: text(50)
    serviceCode: text(100)
    packageCode: text(50) | None = None
    confirmation: Confirmation | None = None
    shipDate: DateText | None = Field(None, description="accepted; labels are dated the day bought")
    weight: WeightIn | None = Field(None, description="by default the order's")
    dimensions: DimensionsIn | None = Field(None, description="by default the order's")
    testLabel: bool = Field(
        False, description="test labels are not offered: use the sandbox carrier"
    )
    shippingProviderId: ShippingProviderId | None = None


class AddressIn(Schema):
    """A parcel's address, as ShipStation sends it (lengths as shipdesk stores them)."""

    name: text(200)
    company: text(200) | None = None
    street1: Annotated[str, Field(min_length=1, max_length=300, pattern=NO_NUL)]
    street2: text(300) | None = None
    street3: text(300) | None = None
    city: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
    state: text(100) | None = None
    postalCode: Annotated[str, Field(min_length=1, max_length=20, pattern=NO_NUL)]
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO-2")]
    phone: text(50) | None = None
    residential: bool | None = None


class CreateLabel(Schema):
    """A label for a parcel without an order (a return, a replacement)."""

    carrierCode: text(50)
    serviceCode: text(100)
    packageCode: text(50) | None = None
    confirmation: Confirmation | None = None
    shipDate: DateText | None = Field(None, description="accepted; labels are dated the day bought")
    weight: WeightIn
    dimensions: DimensionsIn | None = None
    shipFrom: AddressIn | None = Field(
        None, description="shipdesk: by default the default warehouse (or advancedOptions')"
    )
    shipTo: AddressIn
    insuranceOptions: dict[str, Any] | None = Field(None, description="accepted, not used")
    internationalOptions: dict[str, Any] | None = Field(
        None, description="accepted, not used: no customs declaration is sent"
    )
    advancedOptions: AdvancedOptionsIn | None = Field(
        None, description="only warehouseId is read: the ship-from warehouse"
    )
    testLabel: bool = Field(
        False, description="test labels are not offered: use the sandbox carrier"
    )
    shippingProviderId: ShippingProviderId | None = None


class GetRates(Schema):
    carrierCode: text(50)
    serviceCode: text(100) | None = Field(None, description="only this service's rate")
    packageCode: text(50) | None = None
    fromPostalCode: text(20) | None = Field(None, description="by default the warehouse's")
    fromWarehouseId: Id | None = Field(None, description="shipdesk: by default the default one")
    toCountry: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO-2")]
    toPostalCode: text(20)
    toCity: text(100) | None = None
    toState: text(100) | None = None
    weight: WeightIn
    dimensions: DimensionsIn | None = None
    confirmation: Confirmation | None = None
    residential: bool | None = None
    shippingProviderId: ShippingProviderId | None = None


class RefreshStore(Schema):
    storeId: Id | None = None
    refreshDate: DateText | None = Field(
        None, description="accepted; imports resume from the store's cursor"
    )


class Subscribe(Schema):
    target_url: Annotated[str, Field(max_length=1000, pattern=URL_PATTERN)]
    event: Event
    store_id: Id | None = None
    friendly_name: text(200) | None = None
