import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shipdesk.carriers import services
from shipdesk.carriers.models import CarrierAccount
from shipdesk.cli import bounded
from shipdesk.documents import printing
from shipdesk.documents.labels import DEFAULT_LAYOUT, LAYOUTS, label_document
from shipdesk.documents.packing_slips import orders_by_number
from shipdesk.orders.actions import OrderActionError
from shipdesk.shipping.carriers import LABEL_CARRIERS, label_carrier


class Command(BaseCommand):
    help = "Carrier accounts, rates, labels and tracking (through karrio)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="carrier accounts (credentials masked)")
        add = sub.add_parser("add", help="add a carrier account")
        add.add_argument("name")
        add.add_argument("--carrier", required=True, choices=sorted(LABEL_CARRIERS))
        add.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="a credential; secrets left out are asked for without echo",
        )
        add.add_argument("--test", action="store_true", help="use the carrier's test servers")
        add.add_argument("--country", default="", help="the account's country (ISO-2)")
        sandbox = add.add_argument_group("the sandbox carrier (--carrier sandbox)")
        sandbox.add_argument(
            "--latency-ms",
            type=bounded(int, 0, 60_000),
            help="milliseconds the sandbox carrier takes to answer each call (default: 0)",
        )
        sandbox.add_argument(
            "--fail-rate",
            type=bounded(float, 0, 1),
            help="share of calls the sandbox carrier refuses, from 0 to 1 (default: 0)",
        )
        sandbox.add_argument(
            "--url",
            help=f"address of the sandbox serving it (default: {services.SANDBOX_URL})",
        )
        disable = sub.add_parser("disable", help="stop using an account")
        disable.add_argument("name")

        rates = sub.add_parser("rates", help="services and prices for an order")
        rates.add_argument("order_number")
        rates.add_argument("--account", help="one account (default: every active account)")
        label = sub.add_parser("label", help="buy a label and ship the order with it")
        label.add_argument("order_number")
        label.add_argument("--account", required=True)
        label.add_argument("--service", required=True)
        label.add_argument(
            "--format", choices=["pdf", "zpl"], default="pdf", help="label format (default: pdf)"
        )
        label.add_argument("--out", help="also write the label (PDF or ZPL) here")
        label.add_argument("--notify-customer", action="store_true")
        label.add_argument("--no-notify-backmarket", action="store_true")
        reprint = sub.add_parser(
            "print", help="the labels of orders in one document, to a file or the printer"
        )
        reprint.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        reprint.add_argument("--layout", choices=list(LAYOUTS), default=DEFAULT_LAYOUT)
        reprint.add_argument("--out", help="write the document here (default: SHIPDESK_PRINTER)")
        void = sub.add_parser("void", help="cancel the order's label and void its shipment")
        void.add_argument("order_number")
        track = sub.add_parser("track", help="track shipments now (all due, or one order)")
        track.add_argument("order_number", nargs="?")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "handle_" + action)(**options)
        except (OrderActionError, ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from exc

    def handle_list(self, **_):
        for acc in CarrierAccount.objects.all():
            flags = ("test" if acc.test_mode else "live") + ("" if acc.active else ", disabled")
            masked = ", ".join(f"{k}={v}" for k, v in acc.masked_credentials().items() if v)
            shown = acc.server_url if acc.carrier.karrio.simulated else masked
            self.stdout.write(f"{acc.name:<24} {acc.carrier_code:<12} {flags:<16} {shown}")

    def handle_add(self, *, name, carrier, set, test, country, **options):
        sandbox = {
            k: options[k] for k in ("latency_ms", "fail_rate", "url") if options[k] is not None
        }
        if carrier == "sandbox":
            if set:
                raise CommandError("the sandbox carrier takes no credentials (--set)")
            acc = services.add_sandbox_account(name, **sandbox)
            self.stdout.write(f"Carrier account {acc.name} (sandbox, {acc.server_url}) added.")
            return
        if sandbox:
            raise CommandError(
                f"--{next(iter(sandbox)).replace('_', '-')} is for --carrier sandbox only"
            )
        values = {}
        for item in set:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set wants FIELD=VALUE, not {item!r}")
            values[key.strip()] = value
        for field in label_carrier(carrier).karrio.credentials:
            if field.required and field.name not in values:
                if not sys.stdin.isatty():
                    raise CommandError(f"{carrier} needs {field.name} (--set {field.name}=...)")
                ask = getpass.getpass if field.secret else input
                values[field.name] = ask(f"{field.label}: ")
        acc = CarrierAccount(
            name=name, carrier_code=carrier, test_mode=test, country_code=country.upper()
        )
        acc.credentials = values
        acc.save()
        self.stdout.write(f"Carrier account {acc.name} ({carrier}) added.")

    def handle_disable(self, *, name, **_):
        acc = _account(name)
        acc.active = False
        acc.save(update_fields=["active", "modified_at"])
        self.stdout.write(f"Carrier account {acc.name} disabled.")

    def handle_rates(self, *, order_number, account, **_):
        [order] = orders_by_number([order_number])
        accounts = [_account(account)] if account else None
        for result in services.rates_for_order(order, accounts=accounts):
            if accounts is None:
                self.stdout.write(f"{result.account.name}:")
            for rate in result.rates:
                days = f"  {rate.transit_days} d" if rate.transit_days else ""
                chosen = "  (chosen by the rules)" if rate.chosen else ""
                self.stdout.write(f"{rate.service:<36} {rate.cost} {rate.currency}{days}{chosen}")
            self._messages(result.messages)

    def handle_label(
        self,
        *,
        order_number,
        account,
        service,
        format,
        out,
        notify_customer,
        no_notify_backmarket,
        **_,
    ):
        [order] = orders_by_number([order_number])
        result = services.ship_with_label(
            order,
            _account(account),
            service,
            label_format=format,
            notify_customer=notify_customer,
            notify_backmarket=not no_notify_backmarket,
            source="cli",
        )
        self._messages(result.messages)
        if not result.ok:
            raise CommandError("no label bought")
        if out:
            Path(out).write_bytes(result.label_pdf or result.label_zpl.encode())
        self.stdout.write(
            f"Order {order.order_number} shipped: {result.tracking_number} {result.tracking_url}"
            + (f"; label written to {out}" if out else "")
        )

    def handle_print(self, *, order_numbers, layout, out, **_):
        shipments = []
        for order in orders_by_number(order_numbers):
            shipment = order.shipments.filter(voided=False).first()
            if shipment is None:
                raise CommandError(f"order {order.order_number} has no shipment")
            shipments.append(shipment)
        if out:
            Path(out).write_bytes(label_document(shipments, layout=layout))
            self.stdout.write(f"{len(shipments)} label(s) written to {out}")
            return
        try:
            printed = printing.print_labels(shipments, layout=layout)
        except printing.PrintError as exc:
            raise CommandError(str(exc)) from exc
        if printed is None:
            raise CommandError("no printer: set SHIPDESK_PRINTER, or write a file with --out")
        self.stdout.write(f"{len(shipments)} label(s) sent to {printed.printer}: {printed.job}")

    def handle_void(self, *, order_number, **_):
        [order] = orders_by_number([order_number])
        shipment = order.shipments.filter(voided=False).first()
        if shipment is None:
            raise CommandError(f"order {order_number} has no shipment to void")
        outcome = services.void_label(shipment, source="cli")
        self._messages(outcome.messages)
        if not outcome.approved:
            raise CommandError(outcome.message)
        self.stdout.write(f"Shipment {shipment.tracking_number} voided: {outcome.message}.")

    def handle_track(self, *, order_number, **_):
        if not order_number:
            self.stdout.write(str(services.track_due()))
            return
        [order] = orders_by_number([order_number])
        for shipment in order.shipments.filter(voided=False):
            result = services.track(shipment)
            self._messages(result.messages)
            state = "delivered" if result.delivered else (result.status or "unknown")
            self.stdout.write(f"{shipment.tracking_number}: {state}")
            for event in result.events:
                self.stdout.write(
                    f"  {event.get('date', '')} {event.get('time', '')}  "
                    f"{event.get('description', '')}"
                )

    def _messages(self, messages):
        for message in messages:
            self.stderr.write(f"carrier: {message}")


def _account(name: str) -> CarrierAccount:
    acc = CarrierAccount.objects.filter(name=name).first()
    if acc is None:
        raise CommandError(f"no carrier account {name!r} (see `shipdesk carrier list`)")
    return acc
