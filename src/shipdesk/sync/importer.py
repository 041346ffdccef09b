"""Importing Back Market orders into shipdesk, incrementally and without losing any.

The run keeps a cursor on Back Market's `date_modification`. It re-reads an overlap window
before the cursor, never trusts the server's sort order, caps the saved cursor at the run's
start, and saves it only when every page was read: a run that dies half-way is simply
redone, and the upsert on `(store, channel order id)` makes redoing it harmless.

A page is imported in one transaction with a few queries for the whole page (known orders,
quarantine, catalogue) and one bulk insert per table for its new orders: queries per order
would make the database, not Back Market, the import's limit.

A poll (`poll_orders`, every few seconds) is the same import over a short window: what
changed since shortly before the last check. It costs one request when nothing changed;
the scheduled import keeps the long overlap that catches records Back Market lists late.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from shipdesk.backmarket import BackMarketError, TokenRejected, parse_order
from shipdesk.backmarket.mapping import OrderData, has_shipping_address, map_order
from shipdesk.backmarket.models import Order as BMOrder
from shipdesk.core.bulk import Prepared, insert_rows
from shipdesk.notifications.webhooks import orders_imported
from shipdesk.orders import history
from shipdesk.orders.actions import OrderActionError, accept_order
from shipdesk.orders.history import CANCELLED_WHILE_PREPARED, record
from shipdesk.orders.models import Address, ItemUnit, Order, OrderEvent, OrderItem, Product
from shipdesk.orders.status import CANCELLED, derive_status
from shipdesk.rules.apply import apply_at_import
from shipdesk.stores.connection import client_for
from shipdesk.stores.editing import StoreInactive, refuse_if_inactive
from shipdesk.stores.models import Store
from shipdesk.sync.models import ImportRun, QuarantinedOrder

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=10)
# A poll re-reads this much before its last check: clock skew between shipdesk and Back
# Market, and a record committed a little after its date_modification (longer: OVERLAP).
POLL_OVERLAP = timedelta(minutes=1)
POLL = "poll"  # the trigger of a poll's run
NO_ADDRESS = "the order has no complete shipping address (street, city, postal code, country)"
SOURCE = "import"
T = TypeVar("T")


class ImportAlreadyRunning(Exception):
    pass


class NothingToImport(StoreInactive):
    """An import was asked of the manual orders store: its orders are not Back Market's.
    A StoreInactive, so that every caller that refuses a deactivated store refuses it too."""


@dataclass
class Outcome:
    result: str  # created, updated, unchanged, skipped, set_aside, quarantined
    order_id: int | None = None
    awaiting_acceptance: bool = False
    modified: datetime | None = None  # Back Market's date_modification, for the cursor

    @classmethod
    def of(cls, result: str, order: Order, modified: datetime) -> Outcome:
        return cls(result, order.pk, order.awaiting_acceptance, modified)


def payload_json(raw: dict) -> str:
    """Back Market's record as stored: JSON with sorted keys, so equal records hash equal."""
    return json.dumps(raw, sort_keys=True, default=str)


def payload_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def _acquire_lease(store: Store, now: datetime) -> bool:
    """Take the store's import lease with one atomic UPDATE (works across processes)."""
    taken = (
        Store.objects.filter(pk=store.pk)
        .filter(Q(import_lease_until__isnull=True) | Q(import_lease_until__lt=now))
        .update(import_lease_until=now + _lease())
    )
    return taken == 1


def _renew_lease(store: Store) -> None:
    Store.objects.filter(pk=store.pk).update(import_lease_until=timezone.now() + _lease())


def _lease() -> timedelta:
    return timedelta(seconds=settings.IMPORT_LEASE_S)


def _release_lease(store: Store) -> None:
    Store.objects.filter(pk=store.pk).update(import_lease_until=None)


def import_orders(
    store: Store,
    *,
    trigger: str = "manual",
    client=None,
    progress: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    """Import what changed on Back Market since the store's cursor; return the run's figures.

    Never raises for Back Market errors: they are recorded on the run and the store's health.
    Raises ImportAlreadyRunning when another process holds this store's import, and
    StoreInactive for a deactivated store (NothingToImport for the manual orders store).
    """
    if not store.is_backmarket:
        raise NothingToImport(
            f"store {store.name!r} keeps the orders entered by hand: nothing is imported for it"
        )
    refuse_if_inactive(store)
    start = timezone.now()
    if not _acquire_lease(store, start):
        raise ImportAlreadyRunning(f"an import of store {store.name!r} is already running")
    store.refresh_from_db()
    poll = trigger == POLL
    since = _since(store, start, poll=poll)
    # Holding the lease, any run still "running" was cut short by a crash: say so.
    ImportRun.objects.filter(store=store, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED,
        finished_at=start,
        errors=[{"kind": "Interrupted", "message": "the import process stopped before the end"}],
    )
    run = ImportRun.objects.create(store=store, trigger=trigger, since=since)
    max_seen: datetime | None = None
    created_ids: list[int] = []
    own_client = client is None
    client = client or client_for(store, on_request=lambda *a: _count_request(run))
    pages = _read_ahead(client.iter_order_pages(date_modification=since, page_size=50))
    try:
        for page in pages:
            run.pages += 1
            run.total = page.count
            auto_accept: list[int] = []
            with transaction.atomic():
                for outcome in import_page(store, page.results):
                    run.fetched += 1
                    setattr(run, outcome.result, getattr(run, outcome.result) + 1)
                    if outcome.result == "created":
                        created_ids.append(outcome.order_id)
                    if outcome.modified and (max_seen is None or outcome.modified > max_seen):
                        max_seen = outcome.modified
                    if (
                        store.auto_accept
                        and outcome.awaiting_acceptance
                        and outcome.result in ("created", "updated")
                    ):
                        auto_accept.append(outcome.order_id)
                run.save()
                _renew_lease(store)
            _auto_accept(store, auto_accept, run)
            if progress:
                progress(run)
    except TokenRejected as exc:
        _fail(store, run, exc, health=Store.Health.TOKEN_REJECTED, poll=poll)
        _alert_token_rejected(store)
    except BackMarketError as exc:
        _fail(store, run, exc, health=Store.Health.FAILING, poll=poll)
    except Exception as exc:
        log.exception("import of store %s failed", store.pk)
        _fail(store, run, exc, health=Store.Health.FAILING, poll=poll)
        raise
    else:
        # Cap at the run's start: what changed while we paged is read again next time.
        new_cursor = min(max_seen, start) if max_seen else (store.import_cursor or since)
        if store.import_cursor and store.import_cursor > new_cursor:
            new_cursor = store.import_cursor
        run.status = ImportRun.Status.OK
        run.finished_at = timezone.now()
        if poll and not _found_anything(run):
            # Three quiet polls a minute would bury the runs that did something.
            run.delete()
        else:
            run.save()
        # A poll leaves last_import_at to the scheduled import: it says when that one is due.
        Store.objects.filter(pk=store.pk).update(
            import_cursor=new_cursor,
            last_checked_at=start,
            health=Store.Health.OK,
            last_error="",
            **({} if poll else {"last_import_at": start}),
        )
    finally:
        pages.close()
        _release_lease(store)
        if own_client:
            client.close()
        if created_ids:
            # One ORDER_NOTIFY per import batch, including a batch cut short by an error.
            orders_imported(store, created_ids)
    store.refresh_from_db()
    return run


def poll_orders(store: Store, *, client=None) -> ImportRun | None:
    """Import what changed since shortly before the last check: one request when nothing did.

    None when the store has no cursor yet (its first import reads the history) or another
    import of it is running (it reads what the poll would). A failure is recorded like an
    import's: a failed run, and the store's health.
    """
    if store.import_cursor is None:
        return None
    try:
        return import_orders(store, trigger=POLL, client=client)
    except ImportAlreadyRunning:
        return None


def _since(store: Store, start: datetime, *, poll: bool) -> datetime:
    """Where the run starts reading on Back Market's date_modification."""
    if store.import_cursor is None:
        return start - timedelta(days=store.first_import_days)
    if poll:
        # From the last check, not from the last change: a quiet account reads an empty page,
        # however many orders changed just before the cursor.
        return max(store.import_cursor, store.last_checked_at or store.import_cursor) - (
            POLL_OVERLAP
        )
    return store.import_cursor - OVERLAP


def _found_anything(run: ImportRun) -> bool:
    return bool(
        run.created or run.updated or run.set_aside or run.quarantined or run.accepted or run.errors
    )


def _read_ahead(pages: Iterator[T]) -> Generator[T, None, None]:
    """Yield `pages` while a thread already fetches the next one.

    The import writes page n while Back Market serves page n+1, so a run takes about the
    longer of the two instead of their sum. An error reaches the caller after the pages
    read before it, as without the thread. Closing the generator stops the thread after
    the request in flight.
    """
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: tuple) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for page in pages:
                if not hand_over(("page", page)):
                    return
            hand_over(("end", None))
        except BaseException as exc:  # handed to the caller, raised there
            hand_over(("error", exc))
        finally:
            connections.close_all()  # this thread's own, if the pacer opened one

    thread = threading.Thread(target=fetch, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "error":
                raise value
            if kind == "end":
                return
            yield value
    finally:
        stop.set()
        thread.join(timeout=5)


def _count_request(run: ImportRun) -> None:
    run.requests += 1


def _fail(store: Store, run: ImportRun, exc: Exception, *, health: str, poll: bool) -> None:
    message = str(exc) or exc.__class__.__name__
    run.status = ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.errors = [*run.errors, {"kind": exc.__class__.__name__, "message": message}]
    run.save()
    now = timezone.now()
    # The store stays on: the next scheduled run tries again (a rejected token waits for a new one).
    store.record_failure(health, message, at=now, **({} if poll else {"last_import_at": now}))


def _alert_token_rejected(store: Store) -> None:
    from shipdesk.stores.alerts import token_rejected

    token_rejected(store)


def _auto_accept(store: Store, order_ids: list[int], run: ImportRun) -> None:
    """Queue the acceptance of new paid orders: the outbox sends them after this page."""
    if not order_ids:
        return
    for order in Order.objects.filter(pk__in=order_ids).order_by("pk"):
        try:
            accept_order(order, source=SOURCE, now=False)
            run.accepted += 1
        except OrderActionError as exc:
            run.errors = [*run.errors, {"order": order.order_number, "message": str(exc)}]
    run.save()


def quarantine(store: Store, raw, kind: str, reason: str) -> None:
    order_id = raw.get("order_id") if isinstance(raw, dict) else None
    # A record without an id is known by its content: two of them are two records.
    order_id = (
        str(order_id)[:50]
        if order_id not in (None, "")
        else f"no id {payload_hash(payload_json(raw))[:8]}"
    )
    updated = QuarantinedOrder.objects.filter(
        store=store, channel_order_id=order_id, kind=kind
    ).first()
    if updated:
        updated.reason = reason
        updated.payload = raw
        updated.times_seen += 1
        updated.resolved_at = None
        updated.save()
    else:
        QuarantinedOrder.objects.create(
            store=store, channel_order_id=order_id, kind=kind, reason=reason, payload=raw
        )


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'order'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
    return str(exc)


def import_page(store: Store, raws: list) -> list[Outcome]:
    """Import a page of raw orders: create, update, skip or set aside each, with a reason.

    A handful of queries for the whole page, and one bulk insert per table for its new
    orders. A page naming an order twice is imported one record at a time, so the later
    record wins as it would have.
    """
    order_ids = [str(raw.get("order_id", ""))[:50] for raw in raws if isinstance(raw, dict)]
    if len(set(order_ids)) != len(order_ids):
        return [outcome for raw in raws for outcome in import_page(store, [raw])]
    outcomes: dict[int, Outcome] = {}
    parsed: list[tuple[int, dict, BMOrder, OrderData]] = []
    for index, raw in enumerate(raws):
        try:
            if not isinstance(raw, dict):
                raise ValueError(f"expected an order object, got {type(raw).__name__}")
            order = parse_order(raw)
        except (ValidationError, ValueError, TypeError) as exc:
            quarantine(store, raw, QuarantinedOrder.Reason.MALFORMED, _describe(exc))
            outcomes[index] = Outcome("quarantined")
            continue
        parsed.append((index, raw, order, map_order(order)))
    # Back Market's payload is not needed to decide: `_update` replaces it whole.
    known = {
        o.channel_order_id: o
        for o in Order.objects.filter(
            store=store, channel_order_id__in=[data.channel_order_id for *_, data in parsed]
        ).defer("channel_payload")
    }
    resolved: list[str] = []
    new: list[_New] = []
    for index, raw, order, data in parsed:
        modified = data.channel_modified_at
        mapped = store.mapped_status(data.status_key)
        existing = known.get(data.channel_order_id)
        if existing is None and mapped is None:
            # e.g. not paid yet: imported once Back Market says it is
            outcomes[index] = Outcome("skipped", modified=modified)
            continue
        if existing is None and not has_shipping_address(order):
            quarantine(store, raw, QuarantinedOrder.Reason.NO_SHIPPING_ADDRESS, NO_ADDRESS)
            outcomes[index] = Outcome("set_aside", modified=modified)
            continue
        resolved.append(str(data.channel_order_id))
        payload = payload_json(raw)
        digest = payload_hash(payload)
        if existing is None:
            new.append(_New(index, payload, data, digest, mapped))
        elif existing.channel_hash == digest:
            outcomes[index] = Outcome.of("unchanged", existing, modified)
        else:
            updated = _update(store, existing, data, raw, digest, mapped)
            outcomes[index] = Outcome.of("updated", updated, modified)
    if resolved:
        QuarantinedOrder.objects.filter(
            store=store, channel_order_id__in=resolved, resolved_at__isnull=True
        ).update(resolved_at=timezone.now())
    created = _create_new(store, new)
    for row, outcome in created:
        outcomes[row.index] = outcome
    # The store's shipping rules choose the new orders' service, package, hold, tags…
    apply_at_import(store.pk, [o.order_id for _row, o in created if o.result == "created"])
    return [outcomes[index] for index in range(len(raws))]


@dataclass
class _New:
    """A record to create: where it was on the page, and what the import made of it."""

    index: int
    payload: str  # Back Market's record as JSON, keys sorted
    data: OrderData
    digest: str
    mapped: str

    def outcome(self, order_id: int) -> Outcome:
        return Outcome(
            "created", order_id, self.data.awaiting_acceptance, self.data.channel_modified_at
        )


def _create_new(store: Store, rows: list[_New]) -> list[tuple[_New, Outcome]]:
    """Create the page's new orders with one bulk insert per table, else one by one."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return [
                (row, row.outcome(order_id))
                for row, order_id in zip(rows, _create_many(store, rows), strict=True)
            ]
    except IntegrityError:
        pass  # another process created some of them meanwhile: sort it out one by one
    return [(row, _create_or_update(store, row)) for row in rows]


def _create_or_update(store: Store, row: _New) -> Outcome:
    try:
        with transaction.atomic():
            return row.outcome(_create_many(store, [row])[0])
    except IntegrityError:
        # Another process created it between our read and our insert: update instead.
        existing = Order.objects.get(store=store, channel_order_id=row.data.channel_order_id)
        raw = json.loads(row.payload)
        updated = _update(store, existing, row.data, raw, row.digest, row.mapped)
        return Outcome.of("updated", updated, row.data.channel_modified_at)


def _create_many(store: Store, rows: list[_New]) -> list[int]:
    """Write new orders, their addresses, items, units and history; return the orders' ids."""
    skus = {line.sku for row in rows for line in row.data.items}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    address_ids = insert_rows(
        Address, [vars(a) for row in rows for a in (row.data.ship_to, row.data.bill_to)]
    )
    statuses = [derive_status(row.mapped, on_hold=False, shipped_locally=False) for row in rows]
    order_ids = insert_rows(
        Order,
        [
            {
                "store_id": store.pk,
                "channel_order_id": row.data.channel_order_id,
                "order_number": str(row.data.channel_order_id),
                "order_key": f"bm-{store.pk}-{row.data.channel_order_id}",
                "status": status,
                "ship_to_id": address_ids[2 * n],
                "bill_to_id": address_ids[2 * n + 1],
                "channel_payload": Prepared(row.payload),
                "channel_hash": row.digest,
                **_order_fields(row.data),
                **_return_fields(row.data.returned_items, row.data),
            }
            for n, (row, status) in enumerate(zip(rows, statuses, strict=True))
        ],
    )
    lines = [
        (order_id, line)
        for order_id, row in zip(order_ids, rows, strict=True)
        for line in row.data.items
    ]
    item_rows = []
    for order_id, line in lines:
        product = products.get(line.sku)
        item_rows.append(
            {
                "order_id": order_id,
                "channel_line_id": line.channel_line_id,
                "weight_grams": product.weight_grams if product else None,
                "warehouse_location": product.warehouse_location if product else "",
                **_item_fields(line),
            }
        )
    item_ids = insert_rows(OrderItem, item_rows)
    now = timezone.now()
    units = []
    for item_id, (_, line) in zip(item_ids, lines, strict=True):
        for index in range(line.quantity):
            unit = {"item_id": item_id, "index": index}
            if index == 0 and (line.imei or line.serial_number):
                # Identifiers Back Market already holds are recorded as sent (see _sync_units).
                unit.update(imei=line.imei[:15], serial_number=line.serial_number[:50], sent_at=now)
            units.append(unit)
    insert_rows(ItemUnit, units)
    insert_rows(
        OrderEvent,
        [
            {
                "order_id": order_id,
                "source": SOURCE,
                **history.entry(
                    "imported",
                    state=row.data.channel_state,
                    awaiting_acceptance=row.data.awaiting_acceptance,
                    status=status,
                ),
            }
            for order_id, row, status in zip(order_ids, rows, statuses, strict=True)
        ]
        + [
            {"order_id": order_id, "source": SOURCE, **history.entry("returned", **_returned(line))}
            for order_id, row in zip(order_ids, rows, strict=True)
            for line in row.data.returned_items
        ],
    )
    return order_ids


def _return_fields(returned: list, data: OrderData) -> dict:
    """An order with a line refunded after shipping came back: when (Back Market's time of
    the change: it says no other) and why (its first returned line's reason)."""
    if not returned:
        return {"returned_at": None, "return_reason": None}
    return {"returned_at": data.channel_modified_at, "return_reason": returned[0].return_reason}


def _returned(line) -> dict:
    """The "returned" history entry's parameters for a line refunded after shipping."""
    return {"sku": line.sku, "reason": line.return_reason, "message": line.return_message}


def _order_fields(data: OrderData) -> dict:
    return {
        "channel_state": data.channel_state,
        "awaiting_acceptance": data.awaiting_acceptance,
        "order_date": data.order_date,
        "payment_date": data.payment_date,
        "channel_modified_at": data.channel_modified_at,
        "ship_by_date": data.ship_by_date,
        "customer_email": data.customer_email,
        "customer_username": data.customer_username,
        "requested_shipping_service": data.requested_shipping_service,
        "payment_method": data.payment_method,
        "currency": data.currency,
        "order_total": data.order_total,
        "amount_paid": data.order_total,
        "tax_amount": data.tax_amount,
        "shipping_amount": data.shipping_amount,
        "country_code": data.country_code,
        "is_backship": data.is_backship,
        "delivery_note_url": data.delivery_note_url,
        "bill_provided_at": data.bill_provided_at,
    }


def _item_fields(item) -> dict:
    return {
        "channel_state": item.channel_state,
        "sku": item.sku,
        "name": item.name,
        "brand": item.brand,
        "channel_product_id": item.channel_product_id,
        "listing_id": item.listing_id,
        "quantity": item.quantity,
        "unit_price": item.unit_price,
        "line_price": item.line_price,
        "tax_amount": item.tax_amount,
        "shipping_amount": item.shipping_amount,
        "condition": item.condition,
        "options": item.options,
        "requested_shipper": item.requested_shipper,
        "shipping_delay_hours": item.shipping_delay_hours,
    }


def _create_item(order: Order, item, products: dict[str, Product]) -> OrderItem:
    product = products.get(item.sku)
    created = OrderItem.objects.create(
        order=order,
        channel_line_id=item.channel_line_id,
        weight_grams=product.weight_grams if product else None,
        warehouse_location=product.warehouse_location if product else "",
        **_item_fields(item),
    )
    _sync_units(created, item)
    return created


def _sync_units(item: OrderItem, data) -> None:
    """One unit per piece; identifiers Back Market already holds are recorded as sent."""
    have = {u.index: u for u in item.units.all()}
    for index in range(item.quantity):
        if index not in have:
            have[index] = ItemUnit.objects.create(item=item, index=index)
    if data.imei or data.serial_number:
        unit = have[0]
        if not unit.sent_at:
            unit.imei = data.imei[:15]
            unit.serial_number = data.serial_number[:50]
            unit.sent_at = timezone.now()
            unit.save()


def _update(
    store: Store, order: Order, data: OrderData, raw: dict, digest: str, mapped: str | None
) -> Order:
    """Refresh what Back Market owns; leave what the seller owns; record every change."""
    # [change, its parameters] as the history's "updated" entry lists them
    changes: list[tuple[str, dict]] = []
    if order.channel_state != data.channel_state:
        changes.append(("order_state", {"old": order.channel_state, "new": data.channel_state}))
    items = {i.channel_line_id: i for i in order.items.all()}
    products = {p.sku: p for p in Product.objects.filter(sku__in=[i.sku for i in data.items])}
    returned = [
        line
        for line in data.returned_items
        if getattr(items.get(line.channel_line_id), "channel_state", None) != line.channel_state
    ]
    for line in data.items:
        item = items.get(line.channel_line_id)
        if item is None:
            _create_item(order, line, products)
            changes.append(("line_added", {"sku": line.sku}))
            continue
        if item.channel_state != line.channel_state:
            changes.append(
                (
                    "line_state",
                    {"sku": item.sku, "old": item.channel_state, "new": line.channel_state},
                )
            )
        fields = _item_fields(line)
        for key, value in fields.items():
            setattr(item, key, value)
        item.save(update_fields=[*fields, "modified_at"])
        _sync_units(item, line)

    owned = _order_fields(data)
    for key, value in owned.items():
        setattr(order, key, value)
    for attr, address in (("ship_to", data.ship_to), ("bill_to", data.bill_to)):
        current = getattr(order, attr)
        if any(getattr(current, k) != v for k, v in vars(address).items()):
            Address.objects.filter(pk=current.pk).update(**vars(address))
            changes.append((f"{attr}_address", {}))
    previous = order.status
    status = derive_status(
        mapped or previous,
        on_hold=order.on_hold,
        shipped_locally=order.shipments.filter(voided=False).exists(),
    )
    order.status = status
    order.channel_payload = raw
    order.channel_hash = digest
    # Only what Back Market owns: a seller's edit made since `order` was read stays.
    fields = [*owned, "status", "channel_payload", "channel_hash", "modified_at"]
    if returned and order.returned_at is None:
        for key, value in _return_fields(returned, data).items():
            setattr(order, key, value)
        fields += ["returned_at", "return_reason"]
    for line in returned:
        record(order, "returned", source=SOURCE, **_returned(line))
    if status == CANCELLED and previous != CANCELLED and _being_prepared(order):
        order.warning = CANCELLED_WHILE_PREPARED
        fields.append("warning")
        record(order, "warning", source=SOURCE)
    order.save(update_fields=fields)
    if status != previous:
        changes.append(("status", {"old": previous, "new": status}))
    record(order, "updated", source=SOURCE, changes=changes)
    return order


def _being_prepared(order: Order) -> bool:
    return bool(
        order.internal_notes
        or order.on_hold
        or order.tags.exists()
        or ItemUnit.objects.filter(item__order=order).exclude(imei="", serial_number="").exists()
        or order.shipments.exists()
    )
