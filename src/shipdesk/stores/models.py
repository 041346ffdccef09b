"""Back Market stores: connection, health, status mapping and import settings."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from shipdesk.backmarket.client import REGION_HOSTS
from shipdesk.core import crypto
from shipdesk.orders.status import AWAITING_SHIPMENT, CANCELLED, SHIPPED, STATUS_VALUES

# Store.channel: where a store's orders come from.
BACKMARKET = "backmarket"
MANUAL = "manual"  # orders the seller enters (API createorder, the web form): no Back Market

REGIONS = [("eu", "Europe (incl. UK)"), ("us", "United States"), ("ap", "Asia-Pacific")]

# Back Market state -> shipdesk status; None means "not imported".
# Keys: order states as strings, plus "cancelled" for an order whose every line was
# cancelled or refunded (Back Market reports those as state 9 too).
DEFAULT_STATUS_MAPPING = {
    "0": None,
    "10": None,
    "1": AWAITING_SHIPMENT,
    "3": AWAITING_SHIPMENT,
    "9": SHIPPED,
    "cancelled": CANCELLED,
}
STATUS_MAPPING_LABELS = {
    "0": "0 — new, payment check pending",
    "10": "10 — pending payment",
    "1": "1 — paid, awaiting acceptance",
    "3": "3 — accepted, awaiting shipment",
    "9": "9 — shipped",
    "cancelled": "every line cancelled or refunded before shipping",
}


def default_status_mapping() -> dict:
    return dict(DEFAULT_STATUS_MAPPING)


def validate_status_mapping(mapping: dict) -> dict:
    """Return a complete mapping, or raise ValueError naming the bad key or value."""
    result = default_status_mapping()
    for key, value in mapping.items():
        if key not in DEFAULT_STATUS_MAPPING:
            raise ValueError(
                f"unknown Back Market state {key!r}; expected one of {', '.join(DEFAULT_STATUS_MAPPING)}"
            )
        if value in ("", "none", "skip"):
            value = None
        if value is not None and value not in STATUS_VALUES:
            raise ValueError(
                f"unknown status {value!r} for state {key}; expected one of "
                f"{', '.join(sorted(STATUS_VALUES))} or 'skip'"
            )
        result[key] = value
    return result


def server_url(region: str, base_url: str = "") -> str:
    """The Back Market server a store talks to: its base URL, else its region's host."""
    parts = urlsplit((base_url or REGION_HOSTS.get(region, "")).strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def account_fingerprint(server: str, token: str) -> str:
    """Names one Back Market account (a token on a server) without revealing the token.

    HMAC-SHA256 keyed with the encryption key that already protects the tokens at rest:
    nobody without it can test a guessed token against the database.
    """
    return salted_hmac(
        "shipdesk.stores.account",
        f"{server}\n{token.strip()}",
        secret=settings.ENCRYPTION_KEY,
        algorithm="sha256",
    ).hexdigest()


class Store(models.Model):
    class Health(models.TextChoices):
        OK = "ok", "OK"
        TOKEN_REJECTED = "token_rejected", "Token rejected"
        FAILING = "failing", "Failing"

    channel = models.CharField(max_length=20, default=BACKMARKET, editable=False)
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=2, choices=REGIONS, default="eu")
    base_url = models.URLField(
        blank=True, help_text="Overrides the region's host (pre-production, sandbox)."
    )
    country_code = models.CharField(max_length=5, default="fr-fr")
    token_encrypted = models.TextField(editable=False)
    # One store per Back Market account: see account_fingerprint. Empty only for a store
    # whose token was already connected as another store before this was checked.
    account_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    status_mapping = models.JSONField(default=default_status_mapping)
    import_interval = models.DurationField(default=timedelta(minutes=2))
    first_import_days = models.PositiveIntegerField(default=30)
    auto_import = models.BooleanField(default=True)
    auto_accept = models.BooleanField(default=False)
    # A deactivated store imports nothing, scheduled or asked for; it keeps its orders.
    active = models.BooleanField(default=True)

    health = models.CharField(max_length=20, choices=Health.choices, default=Health.OK)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    import_cursor = models.DateTimeField(null=True, blank=True)
    last_import_at = models.DateTimeField(null=True, blank=True)
    # The last time Back Market was asked what changed: by an import or a poll (sync.tasks).
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Cross-process lease: one import per store at a time, on SQLite and PostgreSQL alike.
    import_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    # Branding and contact, shown on packing slips and customer emails.
    company_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    logo = models.FileField(upload_to="logos/", blank=True)
    brand_color = models.CharField(max_length=7, default="#0b3d91")
    accent_color = models.CharField(max_length=7, default="#f5a623")

    # Customer emails (off by default, as in ShipStation); empty templates use the defaults.
    email_shipment_confirmation = models.BooleanField(default=False)
    email_delivery_notification = models.BooleanField(default=False)
    shipment_email_subject = models.CharField(max_length=200, blank=True)
    shipment_email_body = models.TextField(blank=True)
    delivery_email_subject = models.CharField(max_length=200, blank=True)
    delivery_email_body = models.TextField(blank=True)

    # Shipping defaults remembered per store: {"carrier_code", "service_code", "package_code", ...}.
    ship_defaults = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_fingerprint"],
                condition=~models.Q(account_fingerprint=""),
                name="one_store_per_account",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The fingerprint names the token on this server: it follows a change of server.
        # (A token unreadable with this encryption key must be set again anyway.)
        fields = kwargs.get("update_fields")
        if self.account_fingerprint and (fields is None or {"base_url", "region"} & set(fields)):
            with contextlib.suppress(ValueError):
                self.account_fingerprint = account_fingerprint(self.server, self.token)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "account_fingerprint"}
        super().save(*args, **kwargs)

    @property
    def server(self) -> str:
        return server_url(self.region, self.base_url)

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        """Set the region and base URL first: the account fingerprint depends on them."""
        self.token_encrypted = crypto.encrypt(value.strip())
        self.account_fingerprint = account_fingerprint(self.server, value)

    def record_failure(self, health: str, message: str, *, at=None, **fields) -> None:
        """Flag the store's health, unless its token was replaced since this instance read it:
        a seller who just put in a new token must not see it blamed for the old one's failure.
        """
        Store.objects.filter(pk=self.pk, token_encrypted=self.token_encrypted).update(
            health=health, last_error=message, last_error_at=at or timezone.now(), **fields
        )

    @property
    def is_backmarket(self) -> bool:
        """Its orders come from Back Market, which is told what happens to them; a manual
        orders store has no token: nothing is imported for it, nothing sent about it."""
        return self.channel == BACKMARKET

    def mapped_status(self, key: str) -> str | None:
        mapping = {**DEFAULT_STATUS_MAPPING, **(self.status_mapping or {})}
        return mapping.get(key)

    def is_import_due(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.is_backmarket or not self.auto_import:
            return False
        if self.health == self.Health.TOKEN_REJECTED:
            return False
        return self.last_import_at is None or self.last_import_at + self.import_interval <= now


class Warehouse(models.Model):
    """A ship-from location."""

    name = models.CharField(max_length=100)
    company = models.CharField(max_length=100, blank=True)
    street1 = models.CharField(max_length=200, blank=True)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="FR")
    phone = models.CharField(max_length=50, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
