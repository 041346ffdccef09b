"""Fault soak: twenty stores, three workers killed at random, nothing lost and nothing doubled.

Loopback only, and only on PostgreSQL + Redis (`.ci/run` provides both). Twenty Back Market
sandboxes, one token each, answer 20 % of requests with a 5xx, 5 % with a 429 and 5 % slowly,
and list 1 % of their orders malformed; one store's token is revoked mid-run, then replaced.
Three `shipdesk worker` processes (one with the scheduler, two consumers only) import and
notify while this test ships orders, adds new ones on Back Market, and kills a worker with
SIGKILL every few seconds, restarting it shortly after.

To end in minutes the test plays the one-minute cron (it queues the due imports every two
seconds, with a three-second import interval), fast-forwards the outbox's backoff, and runs
the workers with leases of a minute instead of ten (SHIPDESK_IMPORT_LEASE_S and
SHIPDESK_OUTBOX_LEASE_S).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from shipdesk.orders.actions import OrderActionError, items_needing_identifiers, set_identifier
from shipdesk.orders.imei import luhn_ok
from shipdesk.orders.models import Order, OrderEvent
from shipdesk.outbox.models import Message
from shipdesk.outbox.tasks import deliver_message
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.stores.connection import connect_store, replace_token
from shipdesk.stores.models import Store
from shipdesk.sync.models import ImportRun, QuarantinedOrder
from shipdesk.sync.tasks import schedule_imports

from ..sync.oracle import has_address
from .workers import Workers

POSTGRES_AND_REDIS = settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and bool(
    settings.REDIS_URL
)
pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_AND_REDIS,
        reason="the fault soak runs on PostgreSQL + Redis (set DATABASE_URL and REDIS_URL)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(900),
]

STORES = 20
ORDERS_PER_STORE = 100
SHIPMENTS_PER_STORE = 10
WORKERS, THREADS = 3, 4
CHAOS_S = 80  # kills, shipments and new orders
SETTLE_S = 240  # then every worker runs until every notification is sent and imports are OK
REVOKE_AT_S, REPLACE_AT_S = 15, 40
REVOKED = 7  # the store whose token is revoked, then replaced
SEED = 20260401


def notifications():
    """The shipments' Back Market updates (the outbox's messages of that kind)."""
    return Message.objects.filter(kind=Message.Kind.BACKMARKET, shipment__isnull=False)


def valid_imei(n: int) -> str:
    base = f"35{n:012d}"
    return next(base + str(d) for d in range(10) if luhn_ok(base + str(d)))


@dataclass
class Expected:
    """What the sandboxes hold now: the result a correct import must reach."""

    imported: set[int] = field(default_factory=set)
    set_aside: set[int] = field(default_factory=set)
    malformed: dict[int, str] = field(default_factory=dict)  # order id -> broken field


def expected(state) -> Expected:
    want = Expected()
    for order_id in state.order_ids():
        raw = state.order(order_id)
        if raw["state"] in (0, 8):  # never listed
            continue
        if kind := state.malformed_kind(order_id):
            want.malformed[order_id] = kind
        elif raw["state"] in (1, 3, 9):  # the default status mapping imports these
            (want.imported if has_address(raw) else want.set_aside).add(order_id)
    return want


class Soak:
    """The test's side of the run: ships, adds orders, plays cron, keeps time."""

    def __init__(self, workers: Workers, rng: random.Random):
        self.workers, self.rng = workers, rng
        self.started = time.monotonic()
        self.shipped: dict[int, int] = {}  # order pk -> store pk
        self.per_store: Counter[int] = Counter()
        self.imei = 0
        self.last_cron = 0.0
        self.last_outbox = 0.0
        self.enqueued_at: dict[int, float] = {}
        self.restart_at: dict[int, float] = {}
        self.next_kill = 6.0
        self.kills: list[str] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def cron(self) -> None:
        """What the scheduler does every minute, every two seconds here."""
        if self.elapsed() - self.last_cron >= 2:
            schedule_imports.call_local()
            self.last_cron = self.elapsed()

    def outbox(self) -> None:
        """Make retries due now, and queue again what a killed worker took off the queue."""
        now, elapsed = timezone.now(), self.elapsed()
        if elapsed - self.last_outbox < 3:
            return
        self.last_outbox = elapsed
        idle = Message.objects.filter(status=Message.Status.PENDING).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        )
        idle.filter(next_attempt_at__gt=now).update(next_attempt_at=now)
        for pk in idle.values_list("pk", flat=True):
            if elapsed - self.enqueued_at.get(pk, -60) >= 10:
                deliver_message(pk)
                self.enqueued_at[pk] = elapsed

    def ship(self, batch: int = 8) -> None:
        """Ship a few imported orders the way a person would: IMEIs on phones, then ship."""
        candidates = (
            Order.objects.filter(status="awaiting_shipment", is_backship=False, on_hold=False)
            .exclude(pk__in=list(self.shipped))
            .order_by("?")[:40]
        )
        done = 0
        for order in candidates:
            if done >= batch:
                break
            if self.per_store[order.store_id] >= SHIPMENTS_PER_STORE:
                continue
            try:
                for item, units in items_needing_identifiers(order):
                    for unit in units:
                        if not (unit.imei or unit.serial_number):
                            self.imei += 1
                            set_identifier(order, sku=item.sku, imei=valid_imei(self.imei))
                ship_order(
                    order,
                    carrier_code="colissimo",
                    tracking_number=f"6A{order.store_id:03d}{order.channel_order_id}",
                )
            except OrderActionError:
                continue  # changed under us (e.g. by an import): another order will do
            self.shipped[order.pk] = order.store_id
            self.per_store[order.store_id] += 1
            done += 1

    def chaos(self) -> None:
        """Kill a random worker now and then (SIGKILL), restart it a little later."""
        elapsed = self.elapsed()
        for index, at in list(self.restart_at.items()):
            if elapsed >= at:
                self.workers.start(index)
                del self.restart_at[index]
        alive = self.workers.alive()
        if elapsed >= self.next_kill and alive:
            index = self.rng.choice(alive)
            self.workers.kill(index)
            self.kills.append(f"{elapsed:.0f}s:w{index}")
            self.restart_at[index] = elapsed + self.rng.uniform(1, 4)
            self.next_kill = elapsed + self.rng.uniform(5, 11)

    def restart_everyone(self) -> None:
        for index in list(self.restart_at):
            self.workers.start(index)
        self.restart_at.clear()


def test_twenty_stores_under_faults_and_killed_workers_lose_and_double_nothing(
    sandbox_factory, tmp_path, report
):
    HUEY.flush()  # the queue is shared with earlier runs: start from an empty one
    rng = random.Random(SEED)
    sandboxes = [
        sandbox_factory(orders=ORDERS_PER_STORE, seed=SEED + i, token=f"token-{i}", rate_limit=True)
        for i in range(STORES)
    ]
    stores = [
        connect_store(
            name=f"Soak {i:02d}",
            region="eu",
            token=f"token-{i}",
            base_url=sandbox.url,
            first_import_days=90,
        )
        for i, sandbox in enumerate(sandboxes)
    ]
    # The CLI's minimum interval is a minute; the soak has no minutes to spare.
    Store.objects.update(import_interval=timedelta(seconds=3))
    for sandbox in sandboxes:  # 20 % 5xx, 5 % slow, 1 % malformed listings, and 5 % 429
        sandbox.state.fault_rate, sandbox.state.throttle_rate = 0.2, 0.05

    workers = Workers(
        WORKERS,
        threads=THREADS,
        log_dir=tmp_path,
        env={
            "SHIPDESK_IMPORT_LEASE_S": "60",
            "SHIPDESK_OUTBOX_LEASE_S": "45",
            "SHIPDESK_BM_RATE_LIMIT": "150",  # the database pacer, shared by every process
            "SHIPDESK_LOG_LEVEL": "WARNING",
        },
    )
    soak = Soak(workers, rng)
    revoked_store = stores[REVOKED]
    revoked_sandbox = sandboxes[REVOKED]
    token_rejected_seen = replaced_at = None
    arrivals = 0
    workers.start_all()
    try:
        # Chaos: ship, add orders on Back Market, revoke a token, kill workers.
        next_arrivals = 5.0
        while soak.elapsed() < CHAOS_S:
            elapsed = soak.elapsed()
            soak.chaos()
            soak.cron()
            soak.ship()
            soak.outbox()
            if elapsed >= next_arrivals:
                for sandbox in sandboxes:
                    arrivals += len(sandbox.state.create_orders(rng.randint(1, 3)))
                next_arrivals = elapsed + 10
            if elapsed >= REVOKE_AT_S and revoked_sandbox.state.token == f"token-{REVOKED}":
                revoked_sandbox.state.revoke_token()
            if token_rejected_seen is None and revoked_sandbox.state.token is None:
                revoked_store.refresh_from_db()
                if revoked_store.health == Store.Health.TOKEN_REJECTED:
                    token_rejected_seen = elapsed
            if replaced_at is None and token_rejected_seen and elapsed >= REPLACE_AT_S:
                revoked_sandbox.state.rotate_token("token-renewed")
                replace_token(Store.objects.get(pk=revoked_store.pk), "token-renewed")
                replaced_at = elapsed
            time.sleep(0.5)

        # Settle: every worker back, faults still on, until every shipment is notified and
        # every store's orders are in.
        soak.restart_everyone()
        deadline = soak.elapsed() + SETTLE_S
        shipped_count = len(soak.shipped)

        def settled() -> bool:
            if Message.objects.exclude(status=Message.Status.SENT).exists():
                return False
            for store, sandbox in zip(stores, sandboxes, strict=True):
                have = set(store.orders.values_list("channel_order_id", flat=True))
                if have != expected(sandbox.state).imported:
                    return False
            return True

        while soak.elapsed() < deadline and not settled():
            soak.cron()
            soak.outbox()
            time.sleep(1)
        settle_s = soak.elapsed() - CHAOS_S

        # A last import of every store after the last change on Back Market, so statuses
        # and health reflect the end state.
        sweep_from, deadline = timezone.now(), soak.elapsed() + 60
        while soak.elapsed() < deadline and (
            ImportRun.objects.filter(status=ImportRun.Status.OK, started_at__gt=sweep_from)
            .values("store")
            .distinct()
            .count()
            < STORES
        ):
            soak.cron()
            time.sleep(1)
    finally:
        workers.stop_all()
        HUEY.flush()
    total_s = soak.elapsed()

    # Orders: each valid order once, created by exactly one run, imported event once.
    wants = {
        store.pk: expected(sandbox.state) for store, sandbox in zip(stores, sandboxes, strict=True)
    }
    valid = {(pk, oid) for pk, want in wants.items() for oid in want.imported}
    have = set(Order.objects.values_list("store_id", "channel_order_id"))
    imported_events = Counter(
        OrderEvent.objects.filter(kind="imported").values_list("order_id", flat=True)
    )
    created_by_runs = sum(ImportRun.objects.values_list("created", flat=True))
    # Malformed listings: quarantined as malformed, with the field that broke in the reason.
    malformed = {
        (pk, oid): kind for pk, want in wants.items() for oid, kind in want.malformed.items()
    }
    quarantined = {
        (q.store_id, q.channel_order_id): q
        for q in QuarantinedOrder.objects.filter(kind=QuarantinedOrder.Reason.MALFORMED)
    }
    by_line = {key for key, kind in malformed.items() if kind == "orderlines"}
    by_id = Counter(pk for (pk, _), kind in malformed.items() if kind == "order_id")
    lines_ok = {
        key
        for key in by_line
        if (q := quarantined.get((key[0], str(key[1]))))
        and q.reason.startswith("orderlines: ")
        and q.resolved_at is None
    }
    # A record whose order id is itself broken has no id to be filed under: the import files
    # a store's such records under the broken value, one row that counts every sighting.
    ids_ok = {
        pk
        for pk, n in by_id.items()
        if (q := quarantined.get((pk, "abc")))
        and q.reason.startswith("order_id: ")
        and q.times_seen >= n
    }
    set_aside = {(pk, oid) for pk, want in wants.items() for oid in want.set_aside}
    aside_rows = set(
        QuarantinedOrder.objects.filter(
            kind=QuarantinedOrder.Reason.NO_SHIPPING_ADDRESS, resolved_at__isnull=True
        ).values_list("store_id", "channel_order_id")
    )
    # Shipments: one sent notification each, one applied ship update each on Back Market.
    statuses = Counter(notifications().values_list("status", flat=True))
    per_shipment = Counter(notifications().values_list("shipment_id", flat=True))
    sent_events = Counter(
        OrderEvent.objects.filter(kind="notification_sent").values_list("order_id", flat=True)
    )
    ship_paths = {
        store.pk: {
            f"/ws/orders/{oid}"
            for oid in Order.objects.filter(pk__in=list(soak.shipped), store=store).values_list(
                "channel_order_id", flat=True
            )
        }
        for store in stores
    }
    # Every ship update Back Market accepted (200), per order, by tracking number. The first
    # moves the lines to shipped; a later one on a shipped order only sets the tracking again.
    applied: dict[tuple[int, str], list[str]] = defaultdict(list)
    requested, refused, faulted = 0, 0, 0
    for store, sandbox in zip(stores, sandboxes, strict=True):
        for update in sandbox.state.updates:
            body = update["body"] if isinstance(update["body"], dict) else {}
            if body.get("new_state") != 3:
                continue
            requested += 1
            if update["status"] == 200:
                applied[(store.pk, update["path"])].append(body.get("tracking_number"))
            elif update["status"] == 400:
                refused += 1  # a retry after a lost answer, refused: it was applied once
            else:
                faulted += 1  # an injected 5xx or 429: nothing applied
    expected_applied = {(pk, path) for pk, paths in ship_paths.items() for path in paths}
    tracking = {
        (order.store_id, f"/ws/orders/{order.channel_order_id}"): shipment.tracking_number
        for shipment in Shipment.objects.select_related("order")
        for order in [shipment.order]
    }
    wrong_tracking = [key for key, sent in applied.items() if set(sent) != {tracking.get(key)}]
    repeated = sum(len(sent) - 1 for sent in applied.values())
    shipments = Shipment.objects.count()
    not_shipped = Order.objects.filter(pk__in=list(soak.shipped)).exclude(status="shipped").count()
    retried = notifications().filter(attempts__gt=1).count()
    interrupted = ImportRun.objects.filter(
        Q(status=ImportRun.Status.RUNNING) | Q(errors__contains=[{"kind": "Interrupted"}])
    ).count()
    # Stores: none switched off, all healthy.
    health = Counter(Store.objects.values_list("health", flat=True))
    auto_import = Store.objects.filter(auto_import=True).count()
    stats = [sandbox.state.stats() for sandbox in sandboxes]
    duplicates = (
        Order.objects.values("store_id", "channel_order_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )

    report(
        f"fault soak ({total_s:.0f} s: {CHAOS_S} s of chaos, settled in {settle_s:.0f} s):"
        f" {STORES} stores, {WORKERS} workers x {THREADS} threads, "
        f"{workers.killed} SIGKILLs, {workers.started} worker starts ({' '.join(soak.kills)})"
        f"\n  Back Market: {sum(s['requests'] for s in stats)} requests, "
        f"{sum(s['faults'] for s in stats)} 5xx, {sum(s['rate_limited'] for s in stats)} 429; "
        f"{arrivals} orders arrived during the run; token of {revoked_store.name!r} "
        f"revoked at {REVOKE_AT_S} s, rejected by {token_rejected_seen or 0:.0f} s, "
        f"replaced at {replaced_at or 0:.0f} s"
        f"\n  orders: {len(valid)} valid, {len(have & valid)} imported, "
        f"{len(valid - have)} missing, {len(have - valid)} unexpected, {duplicates} doubled; "
        f"'imported' once for {sum(1 for n in imported_events.values() if n == 1)}, "
        f"created by runs: {created_by_runs}; "
        f"{ImportRun.objects.count()} import runs, {interrupted} cut short by a kill"
        f"\n  malformed: {len(malformed)} listed ({len(by_line)} bad orderlines, "
        f"{sum(by_id.values())} bad order ids in {len(by_id)} stores); quarantined with "
        f"reason: {len(lines_ok)} by order id + {sum(by_id[pk] for pk in ids_ok)} under "
        f"the broken id; set aside without address: {len(aside_rows & _as_text(set_aside))}"
        f"/{len(set_aside)}"
        f"\n  shipments: {shipments} ({shipped_count} shipped during chaos), notifications "
        f"{dict(statuses)}, notified once: "
        f"{sum(1 for key in expected_applied if len(applied.get(key, ())) == 1)}, ship updates "
        f"received {requested}: accepted {sum(map(len, applied.values()))} ({repeated} "
        f"repeating a shipped order's tracking), failed by a fault {faulted}, refused as "
        f"repeats {refused}; {retried} notifications needed several attempts"
        f"\n  stores: {auto_import} importing, health {dict(health)}"
    )
    if len(have & valid) != len(valid) or statuses.get("sent", 0) != shipments:
        report(workers.log_tail())
    for (store_pk, path), sent in applied.items():
        if len(sent) > 1:  # what Back Market got twice, and what the outbox recorded
            report(_story(store_pk, path, sandboxes[[s.pk for s in stores].index(store_pk)]))

    assert workers.killed >= 5
    assert token_rejected_seen is not None and replaced_at is not None
    assert have == valid
    assert duplicates == 0
    assert all(imported_events[pk] == 1 for pk in Order.objects.values_list("pk", flat=True))
    assert created_by_runs == len(valid)
    assert len(malformed) >= 10
    assert lines_ok == by_line
    assert ids_ok == set(by_id)
    assert _as_text(set_aside) <= aside_rows
    assert shipments == len(soak.shipped) >= STORES * SHIPMENTS_PER_STORE * 0.9
    assert dict(statuses) == {"sent": shipments}
    assert set(per_shipment.values()) == {1}
    assert sorted(sent_events.values()) == [1] * shipments
    assert set(applied) == expected_applied
    # Back Market got each shipment once, with its tracking number, workers killed or not.
    assert repeated == 0
    assert wrong_tracking == []
    assert not_shipped == 0
    assert auto_import == STORES
    assert dict(health) == {"ok": STORES}


def _as_text(keys: set[tuple[int, int]]) -> set[tuple[int, str]]:
    return {(pk, str(oid)) for pk, oid in keys}


def _story(store_pk: int, path: str, sandbox) -> str:
    """What Back Market received for one order, and what shipdesk's outbox recorded."""
    order = Order.objects.get(store_id=store_pk, channel_order_id=int(path.rsplit("/", 1)[1]))
    now = [
        (ln["id"], ln["state"]) for ln in sandbox.state.order(order.channel_order_id)["orderlines"]
    ]
    lines = [f"--- {path} (store {store_pk}): lines (id, state) now {now}"]
    lines += [f"  sandbox: {u}" for u in sandbox.state.updates if u["path"] == path]
    for message in order.messages.all():
        lines.append(
            f"  message {message.pk} {message.key}: {message.status}, attempts "
            f"{message.attempts}, steps {message.steps_done}"
        )
        lines += [
            f"    attempt {a.at:%H:%M:%S.%f} {a.request.get('step')} {a.status_code} "
            f"{a.error[:100]}"
            for a in message.attempt_log.all()
        ]
    lines += [f"  event {e.at:%H:%M:%S.%f} {e.kind}: {e.message}" for e in order.events.all()]
    return "\n".join(lines)
