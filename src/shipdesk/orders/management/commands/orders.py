from django.core.management.base import BaseCommand, CommandError

from shipdesk.core.cli import get_store, print_json
from shipdesk.orders import shipstation
from shipdesk.orders.actions import OrderActionError, accept_order, set_identifier, set_notes
from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.shipstation import shipment as shipment_json
from shipdesk.stores.models import STATUS_VALUES


class Command(BaseCommand):
    help = "List, show and act on orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list")
        lst.add_argument("--status", choices=sorted(STATUS_VALUES))
        lst.add_argument("--store")
        lst.add_argument("--limit", type=int)
        lst.add_argument("--json", action="store_true")
        show = sub.add_parser("show")
        show.add_argument("order_number")
        show.add_argument("--json", action="store_true")

        accept = sub.add_parser("accept", help="accept the order's paid lines on Back Market")
        accept.add_argument("order_number")
        accept.add_argument("--sku", action="append", help="only this line (repeatable)")

        notes = sub.add_parser("set-notes")
        notes.add_argument("order_number")
        notes.add_argument("--internal")
        notes.add_argument("--to-buyer")

        imei = sub.add_parser(
            "set-imei", help="set IMEI / serial numbers, one unit per --imei/--serial"
        )
        imei.add_argument("order_number")
        imei.add_argument("--sku", required=True)
        imei.add_argument("--imei", action="append", default=[])
        imei.add_argument("--serial", action="append", default=[])
        imei.add_argument("--allow-duplicate", action="store_true")

        slip = sub.add_parser("packing-slip", help="packing slips for orders, one PDF")
        slip.add_argument("order_numbers", nargs="+")
        slip.add_argument("--out", required=True)
        slip.add_argument("--paper", choices=["A4", "Letter"], default="A4")

        ship = sub.add_parser("ship", help="record a shipment and notify Back Market")
        ship.add_argument("order_number")
        ship.add_argument("--carrier", required=True)
        ship.add_argument("--tracking", default="")
        ship.add_argument("--service", default="")
        ship.add_argument("--cost", default="0")
        ship.add_argument("--notes-to-buyer")
        ship.add_argument("--notify-customer", action="store_true")
        ship.add_argument("--no-notify-backmarket", action="store_true")
        ship.add_argument("--json", action="store_true")

    def handle(self, *args, action, **o):
        getattr(self, "handle_" + action.replace("-", "_"))(**o)

    def handle_list(self, *, status, store, limit, json, **_):
        qs = Order.objects.filter(deleted=False).order_by("-order_date", "-id")
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
        for o in qs.select_related("ship_to"):
            self.stdout.write(
                f"{o.order_number:>10}  {o.order_date:%Y-%m-%d %H:%M}  {o.status:<18} "
                f"{o.ship_to.name:<30} {o.ship_to.country}  {o.order_total} {o.currency}"
            )
        self.stdout.write(f"{total} orders")

    def handle_show(self, *, order_number, json, **_):
        order = find_order(order_number)
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
            self.stdout.write(f"  {event}")

    def handle_accept(self, *, order_number, sku, **_):
        order = accept_order(find_order(order_number), skus=sku, source="cli")
        self.stdout.write(f"Order {order.order_number} accepted on Back Market.")

    def handle_set_notes(self, *, order_number, internal, to_buyer, **_):
        if internal is None and to_buyer is None:
            raise CommandError("give --internal and/or --to-buyer")
        set_notes(find_order(order_number), internal=internal, to_buyer=to_buyer, source="cli")
        self.stdout.write("Notes saved.")

    def handle_set_imei(self, *, order_number, sku, imei, serial, allow_duplicate, **_):
        if not imei and not serial:
            raise CommandError("give --imei or --serial (repeat for several units)")
        order = find_order(order_number)
        for value in imei:
            unit = set_identifier(
                order, sku=sku, imei=value, allow_duplicate=allow_duplicate, source="cli"
            )
            self.stdout.write(f"{sku} unit {unit.index + 1}: IMEI {unit.imei}")
        for value in serial:
            unit = set_identifier(
                order, sku=sku, serial_number=value, allow_duplicate=allow_duplicate, source="cli"
            )
            self.stdout.write(f"{sku} unit {unit.index + 1}: serial {unit.serial_number}")

    def handle_ship(
        self,
        *,
        order_number,
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
            find_order(order_number),
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
            print_json(self, shipment_json(shipment))
        else:
            self.stdout.write(
                f"Order {order_number} shipped with {shipment.carrier_code} {shipment.tracking_number}; "
                + (
                    "Back Market notification queued."
                    if shipment.notify_channel
                    else "Back Market not notified."
                )
            )

    def handle_packing_slip(self, *, order_numbers, out, paper, **_):
        from django.core.management import call_command

        call_command("packingslip", *order_numbers, out=out, paper=paper, stdout=self.stdout)

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except OrderActionError as exc:
            raise CommandError(str(exc)) from exc


def find_order(order_number: str) -> Order:
    matches = list(Order.objects.filter(order_number=order_number, deleted=False)[:2])
    if not matches:
        raise CommandError(f"no order {order_number!r}")
    if len(matches) > 1:
        raise CommandError(f"order number {order_number!r} exists in several stores")
    return matches[0]
