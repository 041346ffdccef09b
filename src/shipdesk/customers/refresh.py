"""Customers kept from the orders: stored, and refreshed from what changed when read.

Why stored: the API lists customers filtered by country or state and sorted by name, in
pages, with their order count and addresses. Computing that from 100,000 orders on every call
groups the whole orders table (and reads every address); stored, a page is an indexed read.

Why refreshed when read, from the orders' `modified_at` (indexed): every way an order changes
(imports, manual orders, edits, deletions) moves it, so a refresh reads only the orders
changed since the last one, and no writer of orders has to know customers exist. Which
customer each order is stays in CustomerOrder, so a customer's count and addresses are
recomputed from their own orders (by id) without searching the orders table by email. The
first refresh reads every order once. The window starts OVERLAP before the newest change
seen (an order saved just before a refresh but committed after it is still read); an order
read again unchanged costs nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shipdesk.customers.models import Customer, CustomerOrder
from shipdesk.orders import manual
from shipdesk.orders.models import Order

OVERLAP = timedelta(minutes=1)
CHUNK = 500  # ids or emails per query: SQLite takes at most 999 parameters
BATCH = 2000  # orders per transaction
# The address kept per customer: all but what a buyer's address does not need to say.
ADDRESS_FIELDS = tuple(f for f in manual.ADDRESS_FIELDS if f not in ("email", "residential"))
# What a refresh reads of an order (values(): not the wide rows' Back Market payload).
ORDER_FIELDS = (
    "id",
    "store_id",
    "customer_email",
    "customer_username",
    "deleted",
    "order_date",
    "modified_at",
    *(f"ship_to__{name}" for name in ADDRESS_FIELDS),
)
SAVED = (
    *(f for f in ADDRESS_FIELDS if f != "street3"),
    "username",
    "addresses",
    "order_count",
    "modified_at",
)


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _email(row: dict) -> str:
    return row["customer_email"].strip().lower()


def _changed_orders() -> list[dict]:
    """The orders changed since the last refresh, but those read already as they are."""
    seen = CustomerOrder.objects.aggregate(last=Max("order_modified_at"))["last"]
    orders = Order.objects.all()
    if seen is not None:
        orders = orders.filter(modified_at__gte=seen - OVERLAP)
    rows = list(orders.order_by("modified_at", "id").values(*ORDER_FIELDS))
    known = {}
    for ids in _chunks(row["id"] for row in rows):
        known.update(
            CustomerOrder.objects.filter(order_id__in=ids).values_list(
                "order_id", "order_modified_at"
            )
        )
    return [row for row in rows if known.get(row["id"]) != row["modified_at"]]


def _customer_ids(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(store id, email) -> customer id, creating the customers not there yet."""
    Customer.objects.bulk_create(
        [Customer(store_id=store, email=email) for store, email in keys], ignore_conflicts=True
    )
    ids = {}
    by_store = defaultdict(list)
    for store, email in keys:
        by_store[store].append(email)
    for store, emails in by_store.items():
        for chunk in _chunks(emails):
            for pk, email in Customer.objects.filter(store_id=store, email__in=chunk).values_list(
                "pk", "email"
            ):
                ids[(store, email)] = pk
    return ids


def _link(changed: list[dict]) -> set[int]:
    """Record which customer each changed order is; the customers whose orders changed."""
    touched = set()
    for ids in _chunks(row["id"] for row in changed):
        touched.update(
            CustomerOrder.objects.filter(order_id__in=ids).values_list("customer_id", flat=True)
        )
    with_email = [row for row in changed if _email(row)]
    customers = _customer_ids({(row["store_id"], _email(row)) for row in with_email})
    links = [
        CustomerOrder(
            order_id=row["id"],
            customer_id=customers[(row["store_id"], _email(row))],
            live=not row["deleted"],
            order_date=row["order_date"],
            order_modified_at=row["modified_at"],
        )
        for row in with_email
    ]
    CustomerOrder.objects.bulk_create(
        links,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=["customer", "live", "order_date", "order_modified_at"],
    )
    without = [row["id"] for row in changed if not _email(row)]
    for ids in _chunks(without):
        CustomerOrder.objects.filter(order_id__in=ids).delete()
    return touched | set(customers.values())


def _recompute(customer_ids: set[int], read: dict[int, dict]) -> int:
    """Count, newest name and address, and every address of these customers, from their
    live orders (`read`: orders already in hand by id); a customer left with none goes."""
    written, now = 0, timezone.now()
    for chunk in _chunks(sorted(customer_ids)):
        links = list(
            CustomerOrder.objects.filter(customer_id__in=chunk, live=True).values_list(
                "customer_id", "order_id"
            )
        )
        missing = [order_id for _customer, order_id in links if order_id not in read]
        for ids in _chunks(missing):
            read.update(
                (row["id"], row) for row in Order.objects.filter(pk__in=ids).values(*ORDER_FIELDS)
            )
        orders = defaultdict(list)
        for customer_id, order_id in links:
            orders[customer_id].append(read[order_id])
        customers = list(Customer.objects.filter(pk__in=orders))
        for customer in customers:
            mine = sorted(
                orders[customer.pk], key=lambda r: (r["order_date"], r["id"]), reverse=True
            )
            addresses = []
            for row in mine:
                address = {name: row[f"ship_to__{name}"] for name in ADDRESS_FIELDS}
                if address not in addresses:
                    addresses.append(address)
            newest = addresses[0]
            for name in ADDRESS_FIELDS:
                if name != "street3":
                    setattr(customer, name, newest[name])
            customer.username = mine[0]["customer_username"]
            customer.addresses = addresses
            customer.order_count = len(mine)
            customer.modified_at = now
        # An upsert on the unique key: SQLite runs bulk_update's CASE WHEN slowly.
        Customer.objects.bulk_create(
            customers,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["store", "email"],
            update_fields=SAVED,
        )
        Customer.objects.filter(pk__in=chunk).exclude(pk__in=orders).delete()
        written += len(customers)
    return written


def refresh_customers() -> int:
    """Bring the customers up to date with the orders; the number of customers rewritten.

    In batches of BATCH orders, oldest change first, each in its own transaction: the
    database is never held long (the first refresh of 100,000 orders takes tens of
    seconds), and one cut short resumes where it stopped (the newest change recorded).
    """
    written = 0
    for batch in _chunks(_changed_orders(), BATCH):
        with transaction.atomic():
            touched = _link(batch)
            written += _recompute(touched, {row["id"]: row for row in batch if not row["deleted"]})
    return written
