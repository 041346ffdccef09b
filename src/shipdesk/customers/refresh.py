"""Customers kept from the orders: stored, and refreshed from what changed when read.

Why stored: the API lists customers filtered by country or state and sorted by name, in
pages, with their order count and addresses. Computing that from 100,000 orders on every call
groups the whole orders table (and reads every address); stored, a page is an indexed read.

Why refreshed when read, from the orders' `modified_at`: every way an order changes (imports,
manual orders, edits, deletions) saves it, which moves `modified_at`; so a refresh rereads
only the customers of orders changed since the last one (a few queries when nothing did),
and no writer of orders has to know customers exist. The first refresh reads every order
once. The window starts OVERLAP before the newest change seen: an order written in a
transaction that committed after a refresh, with an earlier timestamp, is still read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower

from shipdesk.customers.models import Customer
from shipdesk.orders import manual
from shipdesk.orders.models import Order

OVERLAP = timedelta(minutes=10)
CHUNK = 500  # emails per query: SQLite takes at most 999 parameters
# The address kept per customer: all but what a buyer's address does not need to say.
ADDRESS_FIELDS = tuple(f for f in manual.ADDRESS_FIELDS if f not in ("email", "residential"))
UPDATED = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "username",
    "addresses",
    "order_count",
    "orders_seen_through",
)


def _changed_since():
    seen = Customer.objects.aggregate(last=Max("orders_seen_through"))["last"]
    return None if seen is None else seen - OVERLAP


def _customers_touched(since) -> dict[int, set[str]]:
    """store id -> lower-cased emails of the orders changed since `since` (all: None)."""
    orders = Order.objects.exclude(customer_email="")
    if since is not None:
        orders = orders.filter(modified_at__gte=since)
    touched: dict[int, set[str]] = defaultdict(set)
    for store_id, email in (
        orders.annotate(e=Lower("customer_email")).values_list("store_id", "e").distinct()
    ):
        touched[store_id].add(email.strip())
    return touched


def _rows(store_id: int, emails: list[str]) -> tuple[list[Customer], set[str]]:
    """The customers of these emails as their live orders say (newest order first)."""
    orders = (
        Order.objects.filter(store_id=store_id, deleted=False)
        .annotate(e=Lower("customer_email"))
        .filter(e__in=emails)
        .select_related("ship_to")
        .order_by("-order_date", "-id")
    )
    rows: dict[str, Customer] = {}
    for order in orders:
        email = order.e.strip()
        address = {name: getattr(order.ship_to, name) for name in ADDRESS_FIELDS}
        row = rows.get(email)
        if row is None:
            row = rows[email] = Customer(
                store_id=store_id,
                email=email,
                username=order.customer_username,
                orders_seen_through=order.modified_at,
                **{k: v for k, v in address.items() if k != "street3"},
            )
        row.order_count += 1
        row.orders_seen_through = max(row.orders_seen_through, order.modified_at)
        if address not in row.addresses:
            row.addresses.append(address)
    return list(rows.values()), set(emails) - set(rows)


def refresh_customers() -> int:
    """Bring the customers up to date with the orders; the number of customers rewritten."""
    touched = _customers_touched(_changed_since())
    written = 0
    for store_id, emails in touched.items():
        ordered = sorted(emails)
        for start in range(0, len(ordered), CHUNK):
            rows, gone = _rows(store_id, ordered[start : start + CHUNK])
            with transaction.atomic():
                Customer.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["store", "email"],
                    update_fields=[*UPDATED, "modified_at"],
                )
                # Every order of theirs deleted: no customer left.
                Customer.objects.filter(store_id=store_id, email__in=gone).delete()
            written += len(rows)
    return written
