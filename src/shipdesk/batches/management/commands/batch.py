from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shipdesk.batches.actions import (
    BATCH_LAYOUTS,
    BatchError,
    create_batch,
    process_batch,
    reprint_batch,
    void_batch,
)
from shipdesk.batches.models import Batch, BatchOrder
from shipdesk.carriers.models import CarrierAccount
from shipdesk.core.cli import (
    confirm,
    find_order,
    is_terminal,
    local_time,
    print_json,
    whole_number,
)
from shipdesk.documents.labels import DEFAULT_LAYOUT
from shipdesk.documents.management.commands.packingslip import write_whole


class Command(BaseCommand):
    help = "Ship many orders at once: labels bought in parallel, one PDF in pick order."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ship = sub.add_parser(
            "ship",
            help="buy the orders' labels now and write them into one PDF, in pick order",
        )
        ship.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        ship.add_argument("--store", help="the store (id or name) of the order numbers")
        ship.add_argument(
            "--account",
            help="carrier account for every order (default: the service each order's rules chose)",
        )
        ship.add_argument("--service", help="service code for every order (with --account)")
        ship.add_argument(
            "--with-slips", action="store_true", help="each order's packing slip after its label"
        )
        ship.add_argument(
            "--layout",
            choices=BATCH_LAYOUTS,
            default=DEFAULT_LAYOUT,
            help="labels per page: 4x6 (thermal), a4 (one per A4 page), a4x4 (four per A4 page)"
            " (default: %(default)s)",
        )
        ship.add_argument("--out", required=True, help="the PDF file to write")
        ship.add_argument("--json", action="store_true")

        lst = sub.add_parser("list", help="the latest batches first")
        lst.add_argument("--limit", type=whole_number(), default=20, help="(default: 20)")
        lst.add_argument("--json", action="store_true")

        reprint = sub.add_parser("reprint", help="write a batch's labels again")
        reprint.add_argument("batch", type=whole_number(high=10**18), metavar="BATCH_ID")
        reprint.add_argument("--out", required=True, help="the PDF file to write")
        reprint.add_argument(
            "--layout", choices=BATCH_LAYOUTS, help="labels per page (default: the batch's)"
        )

        void = sub.add_parser("void", help="void every label of a batch at its carrier")
        void.add_argument("batch", type=whole_number(high=10**18), metavar="BATCH_ID")
        void.add_argument("--yes", action="store_true", help="do not ask")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "handle_" + action)(**options)
        except BatchError as exc:
            raise CommandError(str(exc)) from exc

    def handle_ship(
        self, *, order_numbers, store, account, service, with_slips, layout, out, json, **_
    ) -> None:
        if bool(account) != bool(service):
            raise CommandError("give --account and --service together, or neither")
        path = _writable(out)
        orders = [find_order(number, store=store) for number in order_numbers]
        chosen = None
        if account:
            chosen = CarrierAccount.objects.filter(name=account).first()
            if chosen is None:
                raise CommandError(f"no carrier account {account!r} (see `shipdesk carrier list`)")
        batch = create_batch(
            orders, user=None, account=chosen, service=service, with_slips=with_slips, layout=layout
        )
        batch = self._process(batch, show_progress=not json and is_terminal(self))
        if batch.status == Batch.Status.FAILED:
            raise CommandError(f"batch {batch.pk}: {batch.error}")
        if batch.pdf is not None:
            try:
                _write(path, bytes(batch.pdf))
            except CommandError as exc:  # the labels are bought: say how to get them
                raise CommandError(
                    f"{exc}; the labels are bought: `shipdesk batch reprint {batch.pk} --out FILE`"
                ) from exc
        entries = batch.batch_orders.select_related("order", "shipment")
        shipped = [e for e in entries if e.status == BatchOrder.Status.SHIPPED]
        failed = [e for e in entries if e.status == BatchOrder.Status.FAILED]
        if json:
            print_json(
                self,
                {
                    "batch": batch.pk,
                    "shipped": [
                        {
                            "order": e.order.order_number,
                            "tracking": e.shipment.tracking_number,
                            "carrier": e.shipment.carrier_code,
                        }
                        for e in shipped
                    ],
                    "failed": [{"order": e.order.order_number, "reason": e.reason} for e in failed],
                    "pdf": out if batch.pdf is not None else None,
                    "pages": batch.pages,
                },
            )
        else:
            self.stdout.write(
                f"Batch {batch.pk}: {len(shipped)} shipped, {len(failed)} not shipped."
            )
            for e in failed:
                self.stdout.write(f"  {e.order.order_number}: {e.reason}")
            if batch.pdf is not None:
                self.stdout.write(
                    f"Wrote {_count(len(shipped), 'label')} to {out} "
                    f"({_count(batch.pages, 'page')})."
                )
        if batch.pdf is None:
            raise CommandError(
                f"batch {batch.pk}: {batch.error}; nothing written to {out}"
                if batch.error
                else f"no label bought in batch {batch.pk}: nothing written to {out}"
            )

    def _process(self, batch: Batch, *, show_progress: bool) -> Batch:
        if not show_progress:
            return process_batch(batch.pk, source="cli")
        from rich.progress import Progress

        with Progress() as bar:
            task = bar.add_task(f"Batch {batch.pk}", total=batch.total)
            return process_batch(
                batch.pk,
                source="cli",
                progress=lambda b: bar.update(task, completed=b.done),
            )

    def handle_list(self, *, limit, json, **_) -> None:
        batches = list(Batch.objects.select_related("account", "created_by")[:limit])
        if json:
            print_json(
                self,
                {
                    "batches": [
                        {
                            "batch": b.pk,
                            "created_at": b.created_at.isoformat(),
                            "created_by": b.created_by.username if b.created_by else None,
                            "status": b.status,
                            "account": b.account.name if b.account else None,
                            "service": b.service or None,
                            "with_slips": b.with_slips,
                            "total": b.total,
                            "shipped": b.shipped,
                            "failed": b.failed,
                            "pages": b.pages,
                            "voided": b.voided_at is not None,
                        }
                        for b in batches
                    ]
                },
            )
            return
        for b in batches:
            service = f"{b.account.name} {b.service}" if b.account else "rules' services"
            voided = ", voided" if b.voided_at else ""
            self.stdout.write(
                f"{b.pk:>6}  {local_time(b.created_at)}  {b.status:<10} {b.shipped:>4} shipped "
                f"{b.failed:>4} not shipped of {b.total:<4} {service}{voided}"
            )
        self.stdout.write(f"{len(batches)} batches")

    def handle_reprint(self, *, batch, out, layout, **_) -> None:
        path = _writable(out)
        found = reprint_batch(_batch(batch), layout=layout)
        _write(path, bytes(found.pdf))
        self.stdout.write(
            f"Wrote batch {found.pk}'s labels to {out} ({_count(found.pages, 'page')})."
        )

    def handle_void(self, *, batch, yes, **_) -> None:
        found = _batch(batch)
        labels = found.batch_orders.filter(status=BatchOrder.Status.SHIPPED).count()
        if not labels:
            raise CommandError(f"batch {found.pk} has no label to void")
        confirm(
            self,
            f"Void the {labels} labels of batch {found.pk} at the carrier?",
            yes=yes,
            refusal=f"voiding {labels} labels",
        )
        result = void_batch(found, source="cli")
        for entry, reason in result.refused:
            self.stdout.write(f"  {entry.order.order_number}: not voided: {reason}")
        self.stdout.write(f"Batch {found.pk}: {len(result.voided)} labels voided.")
        if result.refused:
            raise CommandError(f"{len(result.refused)} labels of batch {found.pk} not voided")


def _batch(pk: int) -> Batch:
    found = Batch.objects.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"no batch {pk} (see `shipdesk batch list`)")
    return found


def _writable(out: str) -> Path:
    path = Path(out)
    if not path.parent.is_dir():  # said before buying a single label
        raise CommandError(f"cannot write {path}: there is no folder {path.parent}")
    return path


def _write(path: Path, pdf: bytes) -> None:
    try:
        write_whole(path, pdf)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
