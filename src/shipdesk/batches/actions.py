"""Batches: many orders' labels bought at once, printed as one PDF in pick order.

`create_batch` saves the orders in pick order (warehouse location, then SKU);
`process_batch` (run by the worker, see tasks.py, or by `shipdesk batch ship`) checks each
order, buys the labels in parallel with at most SHIPDESK_BATCH_CONCURRENCY requests at once
per carrier account, and records each shipment as any label purchase does (Back Market and
the customer told through the outbox). An order that fails is listed with its reason and
does not stop the others; progress is saved after each order. The result is one PDF: the
labels in pick order, each order's packing slip after its label when asked. `void_batch`
voids every label at the carrier.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from shipdesk.batches.models import Batch, BatchOrder
from shipdesk.carriers.models import CarrierAccount
from shipdesk.carriers.services import VoidResult, ship_with_label, void_label
from shipdesk.documents import packing_slips
from shipdesk.documents.labels import DEFAULT_LAYOUT, LAYOUTS, LabelDocumentError, label_document
from shipdesk.documents.picklist import pick_key, picklist_pdf
from shipdesk.orders.actions import OrderActionError
from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment

log = logging.getLogger(__name__)

MAX_ORDERS = 1000


class BatchError(Exception):
    """The batch cannot be made or printed; the message says why."""


@dataclass
class VoidBatchResult:
    voided: list[BatchOrder] = field(default_factory=list)
    refused: list[tuple[BatchOrder, str]] = field(default_factory=list)


def create_batch(
    orders: Iterable[Order],
    *,
    user,
    account: CarrierAccount | None = None,
    service: str | None = None,
    with_slips: bool = False,
    layout: str | None = None,
) -> Batch:
    """A batch of these orders, waiting to be processed. With `account` and `service`, every
    order ships with them; without, each order with the service its rules chose. `layout`:
    how its PDF lays the labels out (documents.labels; the user's preference, say)."""
    pks = list(dict.fromkeys(o.pk for o in orders))
    if not pks:
        raise BatchError(_("select at least one order"))
    if len(pks) > MAX_ORDERS:
        raise BatchError(
            _("a batch takes at most %(max)d orders; %(count)d were selected")
            % {"max": MAX_ORDERS, "count": len(pks)}
        )
    service = (service or "").strip()
    if (account is None) != (not service):
        raise BatchError(_("choose both a carrier account and a service, or neither"))
    if account is not None and not account.active:
        raise BatchError(_("carrier account %(name)s is not active") % {"name": account.name})
    layout = checked_layout(layout)
    in_pick_order = sorted(Order.objects.filter(pk__in=pks).prefetch_related("items"), key=pick_key)
    with transaction.atomic():
        batch = Batch.objects.create(
            created_by=user if getattr(user, "pk", None) else None,
            account=account,
            service=service,
            with_slips=with_slips,
            layout=layout,
            total=len(in_pick_order),
        )
        BatchOrder.objects.bulk_create(
            BatchOrder(batch=batch, order=order, position=position)
            for position, order in enumerate(in_pick_order, start=1)
        )
    return batch


def concurrency() -> int:
    """Label requests in flight at once per carrier account."""
    return settings.SHIPDESK_BATCH_CONCURRENCY


def process_batch(
    batch_id: int,
    *,
    source: str = "user",
    progress: Callable[[Batch], None] | None = None,
) -> Batch:
    """Buy the batch's labels and make its PDF; returns the batch as it ends.

    A batch is processed once: when it is not waiting (another worker has it, or it is
    done), it is returned as it is. `progress` is called with the batch's counts so far
    each time outcomes are saved (after each order, or each few that ended together).
    """
    claimed = Batch.objects.filter(pk=batch_id, status=Batch.Status.PENDING).update(
        status=Batch.Status.PROCESSING, started_at=timezone.now()
    )
    batch = Batch.objects.select_related("account", "created_by").get(pk=batch_id)
    if not claimed:
        return batch
    try:
        _buy_labels(batch, source=source, progress=progress)
        try:
            (pdf, pages), error = _compose(batch), ""
        except BatchError as exc:  # the labels are bought all the same: say why no PDF
            pdf, pages, error = None, 0, str(exc)
        Batch.objects.filter(pk=batch_id).update(
            pdf=pdf, pages=pages, error=error, status=Batch.Status.DONE, finished_at=timezone.now()
        )
    except Exception as exc:  # a bug must not leave the batch "processing" for ever
        log.exception("batch %s stopped", batch_id)
        Batch.objects.filter(pk=batch_id).update(
            status=Batch.Status.FAILED,
            error=_("the batch stopped: %(error)s") % {"error": type(exc).__name__},
            finished_at=timezone.now(),
        )
    batch.refresh_from_db()
    return batch


def _service_for(batch: Batch, order: Order) -> tuple[CarrierAccount, str]:
    if batch.account is not None:
        return batch.account, batch.service
    account = order.carrier_account  # the service the shipping rules chose
    if account is None or not order.service_code:
        raise OrderActionError(
            _(
                "no carrier service chosen for order %(number)s: no shipping rule chose one; "
                "choose a carrier account and a service for the batch"
            )
            % {"number": order.order_number}
        )
    return account, order.service_code


def _check_address(order: Order) -> None:
    to = order.ship_to
    missing = [
        name
        for name, value in (
            (_("street"), to.street1),
            (_("postal code"), to.postal_code),
            (_("city"), to.city),
            (_("country"), to.country),
        )
        if not value.strip()
    ]
    if missing:
        raise OrderActionError(
            _("the address of order %(number)s has no %(fields)s")
            % {"number": order.order_number, "fields": ", ".join(missing)}
        )


@dataclass(frozen=True)
class _Outcome:
    entry: BatchOrder
    shipment: Shipment | None = None
    reason: str = ""


def _buy_labels(batch: Batch, *, source: str, progress) -> None:
    """Buy the waiting orders' labels, one group of threads per carrier account; this
    thread records each outcome as it comes, so the buying threads never wait for it."""
    user = batch.created_by

    def record(outcomes: list[_Outcome]) -> None:
        _record(batch, outcomes)
        if progress is not None:
            progress(batch)

    per_account: dict[int, list] = {}
    unchosen = []
    entries = (
        batch.batch_orders.filter(status=BatchOrder.Status.PENDING)
        .select_related("order__store", "order__ship_to", "order__carrier_account")
        .prefetch_related("order__items__units")
    )
    for entry in entries:
        try:
            account, service = _service_for(batch, entry.order)
        except OrderActionError as exc:
            unchosen.append(_Outcome(entry, reason=str(exc)))
            continue
        per_account.setdefault(account.pk, []).append((entry, account, service))
    if unchosen:
        record(unchosen)

    def buy(job) -> _Outcome:
        entry, account, service = job
        try:
            _check_address(entry.order)
            result = ship_with_label(entry.order, account, service, user=user, source=source)
        except OrderActionError as exc:
            return _Outcome(entry, reason=str(exc))
        except Exception as exc:  # one order's bug must not stop the others
            log.exception("batch %s: order %s", batch.pk, entry.order.order_number)
            return _Outcome(
                entry, reason=_("unexpected error: %(error)s") % {"error": type(exc).__name__}
            )
        if result.ok:
            return _Outcome(entry, shipment=result.shipment)
        reason = "; ".join(str(m) for m in result.messages)
        return _Outcome(entry, reason=reason or _("the carrier answered without a label"))

    in_parallel(per_account.values(), buy, concurrency(), record)


def _record(batch: Batch, outcomes: list[_Outcome]) -> None:
    """Save outcomes and the batch's counts in one transaction (pages poll them)."""
    for outcome in outcomes:
        entry = outcome.entry
        entry.shipment, entry.reason = outcome.shipment, outcome.reason
        entry.status = BatchOrder.Status.SHIPPED if outcome.shipment else BatchOrder.Status.FAILED
    shipped = sum(1 for o in outcomes if o.shipment)
    with transaction.atomic():
        BatchOrder.objects.bulk_update(
            [o.entry for o in outcomes], ["shipment", "status", "reason"]
        )
        Batch.objects.filter(pk=batch.pk).update(
            shipped=F("shipped") + shipped, failed=F("failed") + len(outcomes) - shipped
        )
    batch.refresh_from_db(fields=["shipped", "failed"])


_DONE = object()  # a thread's last word: its group has no job left


def in_parallel(
    groups: Iterable[list], work: Callable, bound: int, done: Callable[[list], None]
) -> None:
    """Run `work(job)` for every job; each group (one carrier account's jobs) gets at most
    `bound` threads, so at most `bound` of its jobs run at once. `done` receives the
    results in the calling thread as they come (those that came together at once). Each
    thread closes its database connection when its group has no job left."""
    results: SimpleQueue = SimpleQueue()

    def drain(queue: SimpleQueue) -> None:
        try:
            while True:
                try:
                    job = queue.get_nowait()
                except Empty:
                    return
                results.put(work(job))
        finally:
            connections.close_all()  # this thread's connections only
            results.put(_DONE)

    threads = []
    for jobs in groups:
        queue: SimpleQueue = SimpleQueue()
        for job in jobs:
            queue.put(job)
        threads += [
            threading.Thread(target=drain, args=(queue,), daemon=True)
            for _ in range(min(bound, len(jobs)))
        ]
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            arrived = [results.get()]
            while not results.empty():
                arrived.append(results.get())
            running -= sum(1 for result in arrived if result is _DONE)
            if finished := [result for result in arrived if result is not _DONE]:
                done(finished)
    finally:
        for thread in threads:
            thread.join()


# --- the batch's documents -------------------------------------------------------------------


def _printed(batch: Batch):
    """The batch's orders whose labels it prints, in pick order."""
    return (
        batch.batch_orders.filter(status=BatchOrder.Status.SHIPPED, shipment__voided=False)
        .select_related("shipment__order", "order")
        .order_by("position")
    )


# The label layouts a batch prints in: any but ZPL, a batch being one PDF.
BATCH_LAYOUTS = tuple(code for code in LAYOUTS if code != "zpl")


def checked_layout(layout: str | None) -> str:
    """`layout`, one of BATCH_LAYOUTS (default: documents.labels' default); BatchError."""
    layout = layout or DEFAULT_LAYOUT
    if layout not in BATCH_LAYOUTS:
        raise BatchError(
            _("a batch prints its labels in one of %(layouts)s, not %(layout)s")
            % {"layouts": ", ".join(BATCH_LAYOUTS), "layout": layout}
        )
    return layout


def _compose(batch: Batch) -> tuple[bytes | None, int]:
    """The labels in pick order, laid out as the batch says, as one PDF, and its page
    count; (None, 0) when no label is left to print. With packing slips, each order's slip
    follows its label, each label alone on its page (four to a sheet would part them)."""
    entries = list(_printed(batch))
    if not entries:
        return None, 0
    try:
        if not batch.with_slips:
            pdf = label_document([e.shipment for e in entries], layout=batch.layout)
        else:
            layout = "a4" if batch.layout == "a4x4" else batch.layout
            writer = PdfWriter()
            for entry in entries:
                writer.append(
                    PdfReader(io.BytesIO(label_document([entry.shipment], layout=layout)))
                )
                writer.append(PdfReader(io.BytesIO(packing_slips.render([entry.order]))))
            out = io.BytesIO()
            writer.write(out)
            pdf = out.getvalue()
    except LabelDocumentError as exc:
        raise BatchError(str(exc)) from exc
    return pdf, len(PdfReader(io.BytesIO(pdf)).pages)


def batch_pdf(batch: Batch) -> bytes:
    """The batch's PDF, made again from its labels (reprint); BatchError if none is left."""
    pdf, _pages = _compose(batch)
    if pdf is None:
        raise BatchError(_("batch %(id)s has no label to print") % {"id": batch.pk})
    return pdf


def reprint_batch(batch: Batch, *, layout: str | None = None) -> Batch:
    """Make the batch's PDF again from the labels still valid, in `layout` if given (kept
    as the batch's), and keep it."""
    if layout is not None:
        batch.layout = checked_layout(layout)
    batch.pdf, batch.pages = _compose(batch)
    if batch.pdf is None:
        raise BatchError(_("batch %(id)s has no label to print") % {"id": batch.pk})
    batch.save(update_fields=["layout", "pdf", "pages"])
    return batch


def batch_picklist_pdf(batch: Batch) -> bytes:
    """The pick list of the orders the batch shipped (all its orders before processing)."""
    entries = batch.batch_orders.all()
    if batch.finished:
        entries = entries.filter(status=BatchOrder.Status.SHIPPED)
    orders = [entry.order for entry in entries.select_related("order")]
    if not orders:
        raise BatchError(_("batch %(id)s has no order to pick") % {"id": batch.pk})
    return picklist_pdf(orders, title=f"Pick list · batch {batch.pk}")


# --- voiding ---------------------------------------------------------------------------------


def void_batch(batch: Batch, *, user=None, source: str = "user") -> VoidBatchResult:
    """Void every label of the batch at its carrier (in parallel per account, as bought).

    A label the carrier refuses to void stays shipped and is listed with the reason; once
    no label is left, the batch is marked voided and its PDF dropped.
    """
    result = VoidBatchResult()
    per_account: dict[int, list] = {}
    entries = batch.batch_orders.filter(status=BatchOrder.Status.SHIPPED).select_related(
        "shipment__order", "shipment__carrier_shipment"
    )
    for entry in entries:
        if entry.shipment is None or entry.shipment.voided:  # voided on its own meanwhile
            _mark_voided(entry, _("the shipment was already voided"), result)
            continue
        carrier_shipment = getattr(entry.shipment, "carrier_shipment", None)
        account_pk = carrier_shipment.account_id if carrier_shipment else 0
        per_account.setdefault(account_pk, []).append(entry)

    def void(entry: BatchOrder) -> tuple[BatchOrder, VoidResult]:
        return entry, void_label(entry.shipment, user=user, source=source)

    def record(outcomes: list[tuple[BatchOrder, VoidResult]]) -> None:
        for entry, outcome in outcomes:
            if outcome.approved:
                _mark_voided(entry, outcome.message, result)
            else:
                result.refused.append((entry, outcome.message))

    in_parallel(per_account.values(), void, concurrency(), record)
    if not batch.batch_orders.filter(status=BatchOrder.Status.SHIPPED).exists():
        batch.voided_at = timezone.now()
        batch.pdf, batch.pages = None, 0
        batch.save(update_fields=["voided_at", "pdf", "pages"])
    return result


def _mark_voided(entry: BatchOrder, reason: str, result: VoidBatchResult) -> None:
    entry.status, entry.reason = BatchOrder.Status.VOIDED, reason
    entry.save(update_fields=["status", "reason"])
    result.voided.append(entry)
