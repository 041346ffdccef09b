"""The orders page with 100,000 orders in SQLite: p50 / p95 response times, printed.

    .venv/bin/python bench/orders_page.py [--orders 100000] [--repeat 20]
        [--database PATH] [--proposed-index]

Builds a database with bulk_create (each order with a real-sized Back Market payload, two
addresses, an item, a unit with its IMEI and, once shipped, a shipment), signs a user in
with Django's test Client, and times the page for several tabs, pages, searches, filters
and sorts. Figures are printed, not asserted: compare them between changes.

--database keeps the database at PATH and reuses it when it exists (build once, measure
often). --proposed-index adds the index on (status, awaiting_acceptance, order_date,
deleted) that the tab counts want, to measure it before it lands in the orders app.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path


def _database_path() -> Path:
    for i, arg in enumerate(sys.argv):
        if arg == "--database" and i + 1 < len(sys.argv):
            return Path(sys.argv[i + 1]).resolve()
        if arg.startswith("--database="):
            return Path(arg.split("=", 1)[1]).resolve()
    return Path(tempfile.mkdtemp(prefix="shipdesk-bench-")) / "bench.sqlite3"


DATABASE = _database_path()
HOME = DATABASE.parent
HOME.mkdir(parents=True, exist_ok=True)
os.environ["SHIPDESK_HOME"] = str(HOME)
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from shipdesk.orders.models import Address, ItemUnit, Order, OrderItem  # noqa: E402
from shipdesk.sandbox.generator import generate_orders  # noqa: E402
from shipdesk.shipping.models import Shipment  # noqa: E402
from shipdesk.stores.models import Store  # noqa: E402

BATCH = 5000
# (status, awaiting acceptance, weight among the latest orders, weight among older ones):
# as in a real shop, the open orders are the recent ones; history is shipped or cancelled.
STATUSES = [
    ("awaiting_shipment", True, 10, 0),
    ("awaiting_shipment", False, 40, 0),
    ("on_hold", False, 5, 0),
    ("shipped", False, 40, 96.5),
    ("cancelled", False, 5, 3.5),
]
RECENT = 1500  # about five days of orders, one every five minutes
COUNTRIES = ["FR", "FR", "FR", "DE", "ES", "IT", "BE", "NL", "GB", "AT"]
SERVICES = ["Colissimo — 48 h", "Chronopost — 24 h", "UPS — 48 h", "DHL Express — 24 h"]
FIRST_NAMES = [
    "Léa",
    "Hugo",
    "Jürgen",
    "Lucía",
    "Niccolò",
    "Emma",
    "Louis",
    "Chloé",
    "Paul",
    "Inès",
]
# 60 family names: a customer search matches a few dozen orders, as in real life.
LAST_NAMES = [
    f"{name}{suffix}"
    for name in ("Martin", "Bernard", "Becker", "García", "Rossi", "Smith")
    for suffix in (
        "",
        "-Dupont",
        "-Lefèvre",
        "-Moreau",
        "-Roux",
        "-Girard",
        "-Fontaine",
        "-Chevalier",
        "-Robin",
        "-Gauthier",
    )
]
SKUS = [f"IP{n}-{g}-{c}-GOOD" for n in (11, 12, 13, 14) for g in (64, 128, 256) for c in "BWR"]


def imei(n: int) -> str:
    body = f"35{n:012d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def build(count: int) -> dict:
    """Create `count` orders with their addresses, items, units and shipments."""
    rng = random.Random(7)
    stores = [Store(name=f"Store {i}", region="eu", country_code="fr-fr") for i in (1, 2)]
    for store in stores:
        store.token = f"bench-token-{store.name}"  # one store per Back Market account
        store.save()
    recent_weights = [w for *_, w, _older in STATUSES]
    older_weights = [w for *_, w in STATUSES]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    # Real rows carry Back Market's raw order (~2 KB): scans of the orders table pay for it.
    payloads = generate_orders(50, 7, now)
    sample = {}
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        addresses = Address.objects.bulk_create(
            Address(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                email=f"shipping_{rng.randint(10**7, 10**8)}@eu.perso-email.com",
                street1=f"{rng.randint(1, 200)} rue de la Paix",
                city="Paris",
                postal_code="75002",
                country=rng.choice(COUNTRIES),
                phone="+33 6 12 34 56 78",
            )
            for _ in range(size * 2)
        )
        orders = []
        for i in range(size):
            n = start + i
            weights = recent_weights if n < RECENT else older_weights
            status, to_accept, *_weights = rng.choices(STATUSES, weights)[0]
            ordered = now - timedelta(minutes=n * 5)
            orders.append(
                Order(
                    store=stores[n % 2],
                    channel_order_id=70_000_000 + n,
                    order_number=str(70_000_000 + n),
                    order_key=f"bm-{n}",
                    status=status,
                    awaiting_acceptance=to_accept,
                    channel_state=1 if to_accept else 3,
                    order_date=ordered,
                    payment_date=ordered,
                    channel_modified_at=ordered,
                    ship_by_date=ordered + timedelta(days=2),
                    customer_email=f"customer{n}@example.com",
                    ship_to=addresses[2 * i],
                    bill_to=addresses[2 * i + 1],
                    requested_shipping_service=rng.choice(SERVICES),
                    payment_method="CARD",
                    order_total=Decimal(rng.randint(5000, 90000)) / 100,
                    country_code="fr-fr",
                    channel_payload=payloads[n % len(payloads)],
                )
            )
        orders = Order.objects.bulk_create(orders)
        items = OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                channel_line_id=order.channel_order_id,
                channel_state=1 if order.awaiting_acceptance else 2,
                sku=rng.choice(SKUS),
                name="iPhone",
                brand="Apple",
                quantity=1,
                unit_price=order.order_total,
                line_price=order.order_total,
            )
            for order in orders
        )
        ItemUnit.objects.bulk_create(
            ItemUnit(item=item, index=0, imei=imei(item.order.channel_order_id)) for item in items
        )
        Shipment.objects.bulk_create(
            Shipment(
                order=order,
                carrier_code="colissimo",
                tracking_number=f"6A{order.channel_order_id:011d}",
                ship_date=order.order_date.date(),
            )
            for order in orders
            if order.status == "shipped"
        )
        if not sample:
            order = orders[size // 2]
            shipped = next(o for o in orders[size // 2 :] if o.status == "shipped")
            sample = {
                "number": order.order_number,
                "imei": imei(order.channel_order_id),
                "tracking": f"6A{shipped.channel_order_id:011d}",
                "store": stores[0].pk,
            }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {count} orders in {time.perf_counter() - started:.1f} s ({DATABASE})")
    return sample


def scenarios(sample: dict) -> list[tuple[str, str]]:
    return [
        ("awaiting shipment, page 1", "/orders/"),
        ("awaiting acceptance, page 1", "/orders/?tab=to_accept"),
        ("shipped, page 1", "/orders/?tab=shipped"),
        ("all, page 1", "/orders/?tab=all"),
        ("all, page 1000", "/orders/?tab=all&page=1000"),
        ("all, last page", "/orders/?tab=all&page=999999"),
        ("shipped, oldest first, page 10", "/orders/?tab=shipped&sort=order_date&page=10"),
        ("awaiting shipment, ship by date", "/orders/?sort=ship_by_date"),
        ("search order number", f"/orders/?tab=all&q={sample['number']}"),
        ("search IMEI", f"/orders/?tab=all&q={sample['imei']}"),
        ("search tracking number", f"/orders/?tab=all&q={sample['tracking']}"),
        ("search SKU", "/orders/?tab=all&q=IP13-128-B-GOOD"),
        ("search customer name", "/orders/?tab=all&q=J%C3%BCrgen+Becker-Roux"),
        ("filter country", "/orders/?country=DE"),
        ("filter country, shipped", "/orders/?tab=shipped&country=DE"),
        (
            "filter store + dates",
            f"/orders/?tab=all&store={sample['store']}&from=2026-03-01&to=2026-03-31",
        ),
        ("filter service", "/orders/?service=UPS+—+48+h"),
        ("filter service, shipped", "/orders/?tab=shipped&service=UPS+—+48+h"),
    ]


def add_proposed_index() -> None:
    from django.db import models

    index = models.Index(
        fields=["status", "awaiting_acceptance", "order_date", "deleted"],
        name="order_tab_idx",
    )
    with connection.cursor() as cursor:
        existing = connection.introspection.get_constraints(cursor, Order._meta.db_table)
    if index.name not in existing:
        with connection.schema_editor() as editor:
            editor.add_index(Order, index)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", help="keep the database here; reuse it if it exists")
    parser.add_argument("--proposed-index", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Order.objects.exists():
        sample = json.loads((HOME / "bench-sample.json").read_text())
        print(f"reusing {Order.objects.count()} orders in {DATABASE}")
    else:
        sample = build(args.orders)
        (HOME / "bench-sample.json").write_text(json.dumps(sample))
    if args.proposed_index:
        add_proposed_index()
        print("with the proposed index on (status, awaiting_acceptance, order_date, deleted)")
    user, _created = get_user_model().objects.get_or_create(username="bench")
    client = Client(HTTP_HOST="localhost")  # "testserver", the default, is not an allowed host
    client.force_login(user)
    every = []
    print(f"\n{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    with override_settings(DEBUG=False):
        for label, url in scenarios(sample):
            response = client.get(url)  # warm-up (and the filter choices' cache)
            assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            every.extend(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{label:<36} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}")
    overall = statistics.quantiles(every, n=20)[-1]
    print(
        f"\n{'all requests':<36} {statistics.median(every):8.1f} {overall:8.1f} {max(every):8.1f}"
    )
    print(f"orders: {Order.objects.count()}, requests timed: {len(every)}")


if __name__ == "__main__":
    main()
