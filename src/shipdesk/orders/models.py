"""Orders as shipdesk keeps them: ShipStation's order model, filled from Back Market.

Fields are split between what Back Market owns (refreshed by every import) and what the
seller owns (notes, IMEIs, weights, holds, tags, shipments), which imports never overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shipdesk.backmarket import rules
from shipdesk.backmarket.states import CANCELLED_LINE_STATES, LineState
from shipdesk.orders import history
from shipdesk.orders.quantities import ReadableDecimalField
from shipdesk.orders.status import STATUSES
from shipdesk.stores.models import Store, Warehouse

# The languages of the buyer's packing slips, invoices and emails (Order.buyer_language).
BUYER_LANGUAGES = ("en", "fr", "de", "es", "it", "nl")
# A destination's language when the order does not say its marketplace.
COUNTRY_LANGUAGES = {
    **dict.fromkeys(("FR", "MC", "BE", "LU"), "fr"),
    **dict.fromkeys(("DE", "AT"), "de"),
    "ES": "es",
    "IT": "it",
    "NL": "nl",
}


class VatType(models.TextChoices):
    """Back Market's `vat_type`: VAT on the price, or the margin scheme for second-hand
    goods (the invoice shows no VAT and carries the legal mention)."""

    REGULAR = "REGULAR", _l("Regular VAT")
    MARGINAL = "MARGINAL", _l("Margin scheme (second-hand goods)")


class Product(models.Model):
    """The seller's catalogue: defaults per SKU that Back Market's API does not carry."""

    sku = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    # Readable: older versions imported sizes like 1e50 from CSV (see ReadableDecimalField).
    length_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    width_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    height_cm = ReadableDecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    warehouse_location = models.CharField(max_length=100, blank=True)
    # The package a label uses for an order of this product alone.
    package_code = models.CharField(max_length=50, blank=True)
    # None: decide from brand and title (phones need one, accessories do not).
    needs_imei = models.BooleanField(null=True, blank=True)
    customs_description = models.CharField(max_length=200, blank=True)
    # Blank: the store's default (its invoice settings).
    vat_type = models.CharField(max_length=10, choices=VatType.choices, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.sku


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    color = models.CharField(max_length=7, default="#6c757d")

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    street1 = models.CharField(max_length=300, blank=True)
    street2 = models.CharField(max_length=300, blank=True)
    street3 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=254, blank=True)
    residential = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"{self.name}, {self.city} {self.country}"

    def postal_lines(self) -> list[str]:
        """The address as written on a document, its empty parts left out."""
        city = " ".join(v for v in (self.postal_code, self.city) if v)
        lines = (self.name, self.company, self.street1, self.street2, self.street3, city)
        return [v for v in (*lines, self.state, self.country) if v]


class Order(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    channel_order_id = models.BigIntegerField()
    order_number = models.CharField(max_length=50, db_index=True)
    order_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=30, choices=STATUSES, db_index=True)
    # Back Market state 1: the lines must be accepted on Back Market before shipping.
    awaiting_acceptance = models.BooleanField(default=False, db_index=True)
    channel_state = models.IntegerField()

    # Owned by Back Market (refreshed by imports).
    order_date = models.DateTimeField(db_index=True)
    payment_date = models.DateTimeField(null=True, blank=True)
    channel_modified_at = models.DateTimeField()
    ship_by_date = models.DateTimeField(null=True, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    customer_username = models.CharField(max_length=200, blank=True)
    ship_to = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    bill_to = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    requested_shipping_service = models.CharField(max_length=200, blank=True)
    payment_method = models.CharField(max_length=50, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    order_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    country_code = models.CharField(max_length=5, blank=True)
    is_backship = models.BooleanField(default=False)
    delivery_note_url = models.URLField(max_length=1000, blank=True)
    channel_payload = models.JSONField(default=dict)
    channel_hash = models.CharField(max_length=64, blank=True)
    # A line refunded after shipping (Back Market state 6) is a return: the order stays
    # shipped, marked returned with Back Market's reason (its first returned line's).
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.SmallIntegerField(
        null=True, blank=True, choices=[(int(k), v) for k, v in history.RETURN_REASONS.items()]
    )
    # Back Market's `date_bill_provided`: when it got the order's invoice (from shipdesk or
    # uploaded in its back office); None while it has none.
    bill_provided_at = models.DateTimeField(null=True, blank=True)

    # Owned by the seller (never overwritten by imports).
    customer_notes = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True)
    notes_to_buyer = models.TextField(blank=True)
    gift = models.BooleanField(default=False)
    gift_message = models.TextField(blank=True)
    coupon_code = models.CharField(max_length=100, blank=True)
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    weight_grams = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the items' total."
    )
    length_cm = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    on_hold = models.BooleanField(default=False)
    hold_until_date = models.DateField(null=True, blank=True)
    carrier_code = models.CharField(max_length=50, blank=True)
    # The account to buy the label from (with service_code: the service the rules chose).
    carrier_account = models.ForeignKey(
        "carriers.CarrierAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service_code = models.CharField(max_length=100, blank=True)
    package_code = models.CharField(max_length=50, blank=True)
    confirmation = models.CharField(max_length=50, blank=True)
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="orders")
    # Who prepares the order (ShipStation's assignuser): the orders page's "My orders".
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_orders",
    )
    custom_field1 = models.CharField(max_length=200, blank=True)
    custom_field2 = models.CharField(max_length=200, blank=True)
    custom_field3 = models.CharField(max_length=200, blank=True)
    deleted = models.BooleanField(default=False)
    # Shown on the order when Back Market changes something under the seller's feet.
    warning = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "channel_order_id"], name="unique_channel_order"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-order_date"]),
            models.Index(fields=["store", "status"]),
            # Covers the orders page's tab counts without reading the wide rows.
            models.Index(
                fields=["status", "awaiting_acceptance", "order_date", "deleted"],
                name="order_tab_idx",
            ),
            # The Returns tab's count: few orders come back, and SQLite reads a plain index
            # on returned_at for "IS NOT NULL" only by scanning the whole table.
            models.Index(
                fields=["returned_at"],
                name="order_returned_idx",
                condition=models.Q(returned_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.order_number

    @property
    def buyer_language(self) -> str:
        """The language the buyer's documents and emails are written in: the marketplace's
        (Back Market's `country_code`, 'de-de'), else the destination country's; English
        when shipdesk does not write that language."""
        prefix = (self.country_code or "").lower().split("-")[0]
        if not prefix:
            prefix = COUNTRY_LANGUAGES.get((self.ship_to.country or "").upper(), "en")
        return prefix if prefix in BUYER_LANGUAGES else "en"

    @property
    def return_reason_name(self) -> str:
        """Back Market's return reason, by name in the active language."""
        return history.return_reason_name(self.return_reason)

    @property
    def total_weight_grams(self) -> int | None:
        if self.weight_grams is not None:
            return self.weight_grams
        weights = [item.total_weight_grams for item in self.items.all() if not item.adjustment]
        if not weights or any(w is None for w in weights):
            return sum(w for w in weights if w) or None
        return sum(weights)

    def live_items(self) -> list[OrderItem]:
        """The items to ship: neither shipdesk's adjustments nor cancelled or refunded lines
        (reads prefetched items)."""
        return [
            item
            for item in self.items.all()
            if not item.adjustment and item.channel_state not in CANCELLED_LINE_STATES
        ]

    def parcel(self, products: dict[str, Product] | None = None) -> Parcel:
        """The parcel a label is bought for: the order's weight, else its items' (each
        item's, else its product's) times their quantity; the order's dimensions and
        package, else, for an order of one unit, its product's. Nothing is guessed: a weight
        missing anywhere leaves the weight unknown, with the SKUs to fix in `missing_weight`.

        `products` (SKU -> Product) spares a query when the caller already read them.
        """
        items = self.live_items()
        if products is None:
            products = {p.sku: p for p in Product.objects.filter(sku__in={i.sku for i in items})}
        single = products.get(items[0].sku) if len(items) == 1 and items[0].quantity == 1 else None
        # 0 g is no weight a carrier takes: it reads as "not set", as ShipStation's 0 does.
        weight, missing = self.weight_grams or None, []
        if weight is None:
            weights = []
            for item in items:
                product = products.get(item.sku)
                unit = item.weight_grams or (product.weight_grams if product else None)
                if unit:
                    weights.append(unit * item.quantity)
                else:
                    missing.append(item.sku)
            weight = sum(weights) if weights and not missing else None
        dimensions = _dimensions(self) or (_dimensions(single) if single else None)
        package = self.package_code or (single.package_code if single else "")
        return Parcel(weight, dimensions, package, tuple(dict.fromkeys(missing)))

    def backmarket_lines(self) -> list[rules.Line]:
        """The order's Back Market lines (not shipdesk's adjustments) for Back Market's
        rules and `backmarket.plan.plan_shipment`; reads prefetched items and units."""
        return [item.backmarket_line() for item in self.items.all() if item.channel_line_id]


def _dimensions(record) -> tuple[Decimal, Decimal, Decimal] | None:
    sizes = (record.length_cm, record.width_cm, record.height_cm)
    return None if any(size is None for size in sizes) else sizes


@dataclass(frozen=True)
class Parcel:
    """What a label needs to know of an order's parcel (see Order.parcel)."""

    weight_grams: int | None
    dimensions_cm: tuple[Decimal, Decimal, Decimal] | None  # length, width, height
    package_code: str
    missing_weight: tuple[str, ...] = ()  # SKUs with no weight on the item nor the product

    def weight_problem(self, order_number: str) -> str | None:
        """Why no label can be bought for lack of a weight, naming what to fix; None when
        the weight is known."""
        if self.weight_grams is not None:
            return None
        if self.missing_weight:
            return _(
                "order %(number)s has no weight: set it on the order, or on the products %(skus)s"
            ) % {"number": order_number, "skus": ", ".join(self.missing_weight)}
        return _("order %(number)s has no weight: set it on the order") % {"number": order_number}


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # Owned by Back Market.
    channel_line_id = models.BigIntegerField(null=True, blank=True)
    channel_state = models.IntegerField(null=True, blank=True)
    sku = models.CharField(max_length=200, db_index=True)
    name = models.CharField(max_length=500)
    brand = models.CharField(max_length=100, blank=True)
    channel_product_id = models.BigIntegerField(null=True, blank=True)
    listing_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    line_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    condition = models.IntegerField(null=True, blank=True)
    options = models.JSONField(default=list)  # [{"name": "Grade", "value": "Good"}, ...]
    requested_shipper = models.CharField(max_length=200, blank=True)
    shipping_delay_hours = models.IntegerField(null=True, blank=True)
    # Owned by the seller (defaults from the product catalogue on first import).
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    warehouse_location = models.CharField(max_length=100, blank=True)
    adjustment = models.BooleanField(default=False)
    image_url = models.URLField(blank=True)
    upc = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "channel_line_id"], name="unique_channel_line")
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"

    @property
    def total_weight_grams(self) -> int | None:
        return None if self.weight_grams is None else self.weight_grams * self.quantity

    @property
    def awaiting_acceptance(self) -> bool:
        return self.channel_state == LineState.AWAITING_ACCEPTANCE

    @property
    def refundable(self) -> bool:
        """Back Market refunds an accepted line (before shipping) or a shipped one (a return)."""
        return self.channel_state in (LineState.ACCEPTED, LineState.SHIPPED)

    @property
    def shipped(self) -> bool:
        return self.channel_state == LineState.SHIPPED

    @property
    def identifiers_kept_in_shipdesk(self) -> bool:
        """Back Market cannot take this line's IMEIs / serial numbers (quantity above 1)."""
        return not rules.takes_identifiers(self.backmarket_line())

    def backmarket_line(self) -> rules.Line:
        """The line as Back Market's rules see it (reads prefetched units)."""
        return rules.Line(
            line_id=self.channel_line_id or 0,
            sku=self.sku,
            state=self.channel_state,
            quantity=self.quantity,
            units=tuple(
                rules.Unit(u.imei, u.serial_number, sent=u.sent_at is not None)
                for u in self.units.all()
            ),
        )


class ItemUnit(models.Model):
    """One physical unit of an item, with its IMEI or serial number."""

    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="units")
    index = models.PositiveIntegerField()  # 0 .. quantity-1
    imei = models.CharField(max_length=15, blank=True, db_index=True)
    serial_number = models.CharField(max_length=50, blank=True, db_index=True)
    # Set once Back Market has the value: it can no longer be corrected there.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item_id", "index"]
        constraints = [models.UniqueConstraint(fields=["item", "index"], name="unique_item_unit")]


class OrderEvent(models.Model):
    """The order history: what changed, when, and who or which import did it."""

    class Source(models.TextChoices):
        IMPORT = "import", "Import"
        USER = "user", "User"
        API = "api", "API"
        SYSTEM = "system", "System"
        BACKMARKET = "backmarket", "Back Market"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=50)
    message = models.TextField()  # in English; `text` says it in the reader's language
    data = models.JSONField(default=dict, blank=True)  # the message's parameters

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}: {self.message}"

    @property
    def text(self) -> str:
        """The entry in the active language; an entry written before its kind had a message
        with these parameters says its English text."""
        return history.render(self.kind, self.data) or self.message
