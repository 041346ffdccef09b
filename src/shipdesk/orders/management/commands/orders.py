from django.core.management.base import BaseCommand, CommandError

from shipdesk.api import shipstation
from shipdesk.core.cli import find_order, get_store, local_time, print_json, whole_number
from shipdesk.orders.actions import (
    DuplicateIdentifier,
    IdentifierAlreadySet,
    OrderActionError,
    accept_order,
    clear_identifier,
    refund_line,
    restore_order,
    return_reasons_said,
    set_identifiers,
    set_notes,
)
from shipdesk.orders.models import Order
from shipdesk.orders.status import STATUS_VALUES
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.carriers import CARRIERS

STORE_HELP = "the store (id or name), when several stores have this order number"


INVOICE_HELP = """\
Generate the order's invoice (or take --file, a PDF of at most 5 MB) and queue its upload
to Back Market (POST /ws/orders/{order_id}/invoice, through the outbox, once). An order
has one invoice: running this again sends the same one, with the same number.

A generated invoice is in the buyer's language and needs the store's legal details, set
on the web (Stores > the store > Invoices): legal company name, registered address, VAT
number, legal mentions, the default VAT treatment (REGULAR: VAT shown at the store's VAT
rate; MARGINAL: the margin scheme, no VAT shown, with the legal mention), the VAT rate, the
number prefix (blank: INV-<store id>-; numbers run without gaps per store) and whether an
order gets its invoice automatically when it ships. A product's own VAT treatment (its
product page) wins over the store's default.
"""


def _order_argument(parser) -> None:
    parser.add_argument("order_number")
    parser.add_argument("--store", help=STORE_HELP)


def refusal(exc: OrderActionError) -> str:
    """The domain's refusal, with the option of this command that overrides it."""
    if isinstance(exc, DuplicateIdentifier):
        return f"{exc.reason}; if you are sure, repeat with --allow-duplicate"
    if isinstance(exc, IdentifierAlreadySet):
        return (
            f"{exc}; to correct it, repeat with --unit {exc.unit} --replace "
            f"(or clear it with `shipdesk orders clear-imei ... --sku {exc.sku} --unit {exc.unit}`)"
        )
    return str(exc)


class Command(BaseCommand):
    help = "List, show and act on orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="the newest orders first")
        lst.add_argument("--status", choices=sorted(STATUS_VALUES))
        lst.add_argument("--store", help="only this store (id or name)")
        lst.add_argument("--limit", type=whole_number())
        lst.add_argument(
            "--deleted",
            action="store_true",
            help="list deleted orders instead (bring one back with `orders restore`)",
        )
        lst.add_argument("--json", action="store_true")
        show = sub.add_parser("show")
        _order_argument(show)
        show.add_argument("--json", action="store_true")

        accept = sub.add_parser("accept", help="accept the order's paid lines on Back Market")
        _order_argument(accept)
        accept.add_argument("--sku", action="append", help="only this line (repeatable)")

        notes = sub.add_parser("set-notes")
        _order_argument(notes)
        notes.add_argument("--internal")
        notes.add_argument("--to-buyer")

        imei = sub.add_parser(
            "set-imei",
            help="set IMEI / serial numbers, one unit per --imei/--serial; all or nothing",
        )
        _order_argument(imei)
        imei.add_argument("--sku", required=True)
        imei.add_argument("--imei", action="append", default=[], help="repeat for several units")
        imei.add_argument("--serial", action="append", default=[], help="repeat for several units")
        imei.add_argument(
            "--unit",
            type=whole_number(),
            help="this unit (1, 2, ...) rather than the next ones without a value",
        )
        imei.add_argument(
            "--replace",
            action="store_true",
            help="correct the value the unit has (until it is sent to Back Market)",
        )
        imei.add_argument(
            "--allow-duplicate",
            action="store_true",
            help="accept a value already used on another unit",
        )

        clear = sub.add_parser(
            "clear-imei",
            help="remove a unit's IMEI / serial number (until it is sent to Back Market)",
        )
        _order_argument(clear)
        clear.add_argument("--sku", required=True)
        clear.add_argument("--unit", type=whole_number(), required=True, help="the unit: 1, 2, ...")

        slip = sub.add_parser("packing-slip", help="packing slips for orders, one PDF")
        slip.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        slip.add_argument("--store", help=STORE_HELP)
        slip.add_argument("--out", required=True, help="the PDF file to write")
        slip.add_argument(
            "--paper", choices=["A4", "Letter"], default="A4", help="(default: %(default)s)"
        )

        picklist = sub.add_parser(
            "picklist", help="what to pick for orders: quantity per SKU and location, one PDF"
        )
        picklist.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        picklist.add_argument("--store", help=STORE_HELP)
        picklist.add_argument("--out", required=True, help="the PDF file to write")

        ship = sub.add_parser("ship", help="record a shipment and notify Back Market")
        _order_argument(ship)
        ship.add_argument(
            "--carrier", required=True, help=f"carrier code: one of {', '.join(CARRIERS)}"
        )
        ship.add_argument("--tracking", default="")
        ship.add_argument("--service", default="")
        ship.add_argument("--cost", default="0")
        ship.add_argument("--notes-to-buyer")
        ship.add_argument("--notify-customer", action="store_true")
        ship.add_argument("--no-notify-backmarket", action="store_true")
        ship.add_argument("--json", action="store_true")

        refund = sub.add_parser(
            "refund",
            help="refund a line on Back Market: accepted (before shipping) or shipped (a return)",
        )
        _order_argument(refund)
        refund.add_argument("--sku", required=True)
        refund.add_argument(
            "--reason",
            help=f"Back Market's return reason, required for a shipped line: {return_reasons_said()}",
        )
        refund.add_argument("--message", default="", help="the return message (500 characters)")

        restore = sub.add_parser("restore", help="bring a deleted order back into the lists")
        _order_argument(restore)

        invoice = sub.add_parser(
            "invoice",
            help="the order's invoice (generated, or --file) sent to Back Market once",
            description=INVOICE_HELP,
        )
        _order_argument(invoice)
        invoice.add_argument(
            "--file", help="send this PDF (the seller's own invoice) instead of generating one"
        )
        invoice.add_argument("--out", help="also write the invoice's PDF to this file")

    def handle(self, *args, action, **o):
        getattr(self, "handle_" + action.replace("-", "_"))(**o)

    def handle_list(self, *, status, store, limit, deleted, json, **_):
        qs = Order.objects.filter(deleted=deleted).order_by("-order_date", "-id")
        if status:
            qs = qs.filter(status=status)
        if store:
            qs = qs.filter(store=get_store(store))
        total = qs.count()
        if limit:
            qs = qs[:limit]
        if json:
            orders = [shipstation.order(o) for o in shipstation.with_related(qs).iterator(2000)]
            print_json(self, {"orders": orders, "total": total})
            return
        for o in qs.select_related("ship_to", "store"):
            self.stdout.write(
                f"{o.order_number:>10}  {local_time(o.order_date)}  {o.status:<18} "
                f"{o.ship_to.name:<30} {o.ship_to.country}  {o.order_total} {o.currency}"
                + (f"  [{o.store.name}]" if deleted else "")
            )
        self.stdout.write(f"{total} {'deleted ' if deleted else ''}orders")

    def handle_show(self, *, order_number, store, json, **_):
        order = find_order(order_number, store=store)
        data = shipstation.order(shipstation.with_related(Order.objects.filter(pk=order.pk)).get())
        if json:
            print_json(self, data)
            return
        self.stdout.write(f"Order {order.order_number} — {order.status} — {order.store.name}")
        self.stdout.write(
            f"Ship to: {order.ship_to.name}, {order.ship_to.street1}, "
            f"{order.ship_to.postal_code} {order.ship_to.city} {order.ship_to.country}"
        )
        self.stdout.write(
            f"Service: {order.requested_shipping_service}  Payment: {order.payment_method}"
        )
        for item in data["items"]:
            opts = ", ".join(f"{x['name']}: {x['value']}" for x in item["options"])
            self.stdout.write(f"  {item['quantity']} × {item['sku']}  {item['name']}  ({opts})")
        for event in order.events.all():
            self.stdout.write(f"  {local_time(event.at)} {event.kind}: {event.message}")

    def handle_accept(self, *, order_number, store, sku, **_):
        order = accept_order(find_order(order_number, store=store), skus=sku, source="cli")
        self.stdout.write(f"Order {order.order_number} accepted on Back Market.")

    def handle_set_notes(self, *, order_number, store, internal, to_buyer, **_):
        if internal is None and to_buyer is None:
            raise CommandError("give --internal and/or --to-buyer")
        set_notes(
            find_order(order_number, store=store),
            internal=internal,
            to_buyer=to_buyer,
            source="cli",
        )
        self.stdout.write("Notes saved.")

    def handle_set_imei(
        self, *, order_number, store, sku, imei, serial, unit, replace, allow_duplicate, **_
    ):
        if not imei and not serial:
            raise CommandError("give --imei or --serial (repeat for several units)")
        units = set_identifiers(
            find_order(order_number, store=store),
            sku=sku,
            values=[(value, "") for value in imei] + [("", value) for value in serial],
            unit=unit,
            replace=replace,
            allow_duplicate=allow_duplicate,
            source="cli",
        )
        for saved in units:
            kind = f"IMEI {saved.imei}" if saved.imei else f"serial {saved.serial_number}"
            self.stdout.write(f"{sku} unit {saved.index + 1}: {kind}")

    def handle_clear_imei(self, *, order_number, store, sku, unit, **_):
        clear_identifier(find_order(order_number, store=store), sku=sku, unit=unit, source="cli")
        self.stdout.write(f"{sku} unit {unit}: cleared")

    def handle_ship(
        self,
        *,
        order_number,
        store,
        carrier,
        tracking,
        service,
        cost,
        notes_to_buyer,
        notify_customer,
        no_notify_backmarket,
        json,
        **_,
    ):
        shipment = ship_order(
            find_order(order_number, store=store),
            carrier_code=carrier,
            tracking_number=tracking,
            service_code=service,
            shipment_cost=cost,
            notes_to_buyer=notes_to_buyer,
            notify_customer=notify_customer,
            notify_backmarket=not no_notify_backmarket,
            source="cli",
        )
        if json:
            print_json(self, shipstation.shipment(shipment))
        else:
            self.stdout.write(
                f"Order {order_number} shipped with {shipment.carrier_code} {shipment.tracking_number}; "
                + (
                    "Back Market notification queued."
                    if shipment.notify_channel
                    else "Back Market not notified."
                )
            )

    def handle_restore(self, *, order_number, store, **_):
        order = restore_order(find_order(order_number, store=store, deleted=True), source="cli")
        self.stdout.write(f"Order {order.order_number} ({order.store.name}) restored.")

    def handle_packing_slip(self, *, order_numbers, store, out, paper, **_):
        from django.core.management import call_command

        call_command(
            "packingslip", *order_numbers, store=store, out=out, paper=paper, stdout=self.stdout
        )

    def handle_picklist(self, *, order_numbers, store, out, **_):
        from pathlib import Path

        from shipdesk.documents.management.commands.packingslip import write_whole
        from shipdesk.documents.picklist import pick_lines, picklist_pdf, summary_of

        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {path}: there is no folder {path.parent}")
        orders = [find_order(number, store=store) for number in order_numbers]
        try:
            write_whole(path, picklist_pdf(orders))
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.stdout.write(
            f"Wrote the pick list to {path}: {summary_of(orders, pick_lines(orders))}."
        )

    def handle_refund(self, *, order_number, store, sku, reason, message, **_):
        order = refund_line(
            find_order(order_number, store=store),
            sku=sku,
            reason=reason,
            message=message,
            source="cli",
        )
        # The history's entry says it: before or after shipping, and why.
        self.stdout.write(order.events.filter(kind="line_refunded").latest("id").message)

    def handle_invoice(self, *, order_number, store, file, out, **_):
        from pathlib import Path

        from shipdesk.documents.management.commands.packingslip import write_whole
        from shipdesk.invoices.actions import MAX_PDF_BYTES, invoice_and_upload

        order = find_order(order_number, store=store)
        data = None
        if file:
            try:
                if Path(file).stat().st_size > MAX_PDF_BYTES:
                    raise CommandError(f"{file} is larger than {MAX_PDF_BYTES // 2**20} MB")
                data = Path(file).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        if out and not Path(out).parent.is_dir():
            raise CommandError(f"cannot write {out}: there is no folder {Path(out).parent}")
        invoice, message = invoice_and_upload(
            order, pdf_file=data, filename=Path(file).name if file else "", source="cli"
        )
        if out:
            try:
                write_whole(Path(out), bytes(invoice.pdf))
            except OSError as exc:
                raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        if message is None:  # a manual order: Back Market does not know it
            sent = "not for Back Market (a manual order)"
        elif message.sent_at:
            sent = f"Back Market sent on {local_time(message.sent_at)}"
        else:
            sent = "Back Market upload queued"
        self.stdout.write(
            f"Invoice {invoice} of order {order.order_number} ({order.store.name}): "
            f"{sent}" + (f"; written to {out}." if out else ".")
        )

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except OrderActionError as exc:
            raise CommandError(refusal(exc)) from exc
