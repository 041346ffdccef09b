from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shipdesk.carriers.models import CarrierAccount
from shipdesk.core.cli import find_order, get_store, print_json, whole_number
from shipdesk.orders.actions import OrderActionError
from shipdesk.rules.apply import apply_rules_to
from shipdesk.rules.conditions import RuleError
from shipdesk.rules.edit import remove_rule, save_rule, summaries
from shipdesk.rules.models import ShippingRule
from shipdesk.stores.models import Warehouse

# flag -> condition, as `rules add` takes them (numbers are checked by the rule itself)
CONDITIONS = {
    "requested_service": ("TEXT", "the buyer's requested service contains this text"),
    "shipper": ("NAME", "a line's Back Market shipper is this one (e.g. Colissimo)"),
    "delay_hours": ("HOURS", "a line's Back Market delay is this many hours (e.g. 24)"),
    "sku_prefix": ("PREFIX", "a line's SKU starts with this"),
    "min_items": ("N", "at least N units"),
    "max_items": ("N", "at most N units"),
    "min_weight": ("GRAMS", "at least this weight (the order's, else its products')"),
    "max_weight": ("GRAMS", "at most this weight"),
    "min_total": ("AMOUNT", "an order total of at least this"),
    "max_total": ("AMOUNT", "an order total of at most this"),
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--hold-until wants a date as YYYY-MM-DD, not {text!r}") from None


def _size(text: str) -> dict:
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 3:
        raise CommandError(f"--size wants LENGTHxWIDTHxHEIGHT in cm (e.g. 16x9x4.5), not {text!r}")
    return dict(zip(("length_cm", "width_cm", "height_cm"), parts, strict=True))


def _account_id(name: str) -> int:
    account = CarrierAccount.objects.filter(name=name).first()
    if account is None:
        raise CommandError(f"no carrier account {name!r} (see `shipdesk carrier list`)")
    return account.pk


def _warehouse_id(ref: str) -> int:
    ref = ref.strip()
    warehouse = Warehouse.objects.filter(pk=int(ref)).first() if ref.isdecimal() else None
    warehouse = warehouse or Warehouse.objects.filter(name=ref).order_by("pk").first()
    if warehouse is None:
        raise CommandError(f"no warehouse {ref!r} (give its id or name)")
    return warehouse.pk


class Command(BaseCommand):
    help = "Shipping rules: list, add, remove, and apply them again to orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the rules, in the order they run")
        listing.add_argument("--store", help="only this store's (id or name)")
        listing.add_argument("--json", action="store_true", help="print JSON")

        add = sub.add_parser(
            "add",
            help="add a rule: orders meeting every condition given get every action given",
            description="Every condition given must hold (none: every order); later rules "
            "overwrite what earlier ones set; tags add up.",
        )
        add.add_argument("--store", required=True, help="the store (id or name)")
        add.add_argument("--name", required=True, help="unique in the store")
        add.add_argument(
            "--position",
            type=whole_number(1, 10_000),
            help="where it runs, 1 first (default: last)",
        )
        add.add_argument("--inactive", action="store_true", help="add it switched off")
        when = add.add_argument_group("conditions")
        for name, (metavar, text) in CONDITIONS.items():
            when.add_argument("--" + name.replace("_", "-"), metavar=metavar, help=text)
        when.add_argument(
            "--country",
            action="append",
            default=[],
            metavar="CC",
            help="the ship-to country is one of these (ISO-2; repeat, or comma-separate)",
        )
        when.add_argument(
            "--sku", action="append", default=[], help="a line has one of these SKUs (repeat)"
        )
        when.add_argument(
            "--backship", choices=["yes", "no"], help="the order is (or is not) BackShip"
        )
        then = add.add_argument_group("actions")
        then.add_argument("--account", help="the carrier account to buy the label from (name)")
        then.add_argument("--service", help="the account's service code (with --account)")
        then.add_argument("--package", help="the package code, e.g. package, small_package")
        then.add_argument("--weight", metavar="GRAMS", help="the parcel's weight")
        then.add_argument("--size", metavar="LxWxH", help="the parcel's size in cm, e.g. 16x9x4.5")
        hold = then.add_mutually_exclusive_group()
        hold.add_argument("--hold-until", metavar="YYYY-MM-DD", help="put on hold until then")
        hold.add_argument(
            "--hold-days", metavar="N", help="put on hold for N days from the import (1 to 365)"
        )
        then.add_argument("--tag", help="add this tag")
        then.add_argument("--warehouse", help="ship from this warehouse (id or name)")

        remove = sub.add_parser("remove", help="delete a rule")
        remove.add_argument("rule_id", type=whole_number(1, 10**18), metavar="RULE_ID")

        apply = sub.add_parser(
            "apply",
            help="apply the rules again to orders (what was set by hand is kept)",
        )
        apply.add_argument("order_number", nargs="+", metavar="ORDER_NUMBER")
        apply.add_argument("--store", help="for order numbers several stores have")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "handle_" + action)(**options)
        except (RuleError, OrderActionError) as exc:
            raise CommandError(str(exc)) from exc

    def handle_list(self, *, store, json, **_):
        rules = ShippingRule.objects.select_related("store").order_by(
            "store__name", "position", "id"
        )
        if store:
            rules = rules.filter(store=get_store(store))
        rules = list(rules)
        if json:
            print_json(
                self,
                [
                    {
                        "id": rule.pk,
                        "store": rule.store.name,
                        "store_id": rule.store_id,
                        "position": rule.position,
                        "name": rule.name,
                        "active": rule.active,
                        "conditions": rule.conditions,
                        "actions": rule.actions,
                    }
                    for rule in rules
                ],
            )
            return
        if not rules:
            self.stdout.write("No rules (add one with `shipdesk rules add`).")
            return
        for rule, (when, then) in zip(rules, summaries(rules), strict=True):
            state = "" if rule.active else " (inactive)"
            self.stdout.write(
                f"{rule.pk:>5}  {rule.store.name}  #{rule.position}  {rule.name}{state}"
            )
            self.stdout.write(f"       if: {'; '.join(when) or 'every order'}")
            self.stdout.write(f"       then: {'; '.join(then)}")

    def handle_add(self, *, store, name, position, inactive, **options):
        store = get_store(store)
        conditions = {
            "requested_service": options["requested_service"],
            "shipper": options["shipper"],
            "delay_hours": options["delay_hours"],
            "countries": ",".join(options["country"]),
            "skus": options["sku"],
            "sku_prefix": options["sku_prefix"],
            "min_items": options["min_items"],
            "max_items": options["max_items"],
            "min_weight_grams": options["min_weight"],
            "max_weight_grams": options["max_weight"],
            "min_total": options["min_total"],
            "max_total": options["max_total"],
            "backship": {"yes": True, "no": False}.get(options["backship"]),
        }
        actions = {
            "carrier_account": _account_id(options["account"]) if options["account"] else None,
            "service_code": options["service"],
            "package_code": options["package"],
            "weight_grams": options["weight"],
            **(_size(options["size"]) if options["size"] else {}),
            "hold_until": _date(options["hold_until"]) if options["hold_until"] else None,
            "hold_days": options["hold_days"],
            "tag": options["tag"],
            "warehouse": _warehouse_id(options["warehouse"]) if options["warehouse"] else None,
        }
        rule = save_rule(
            store,
            name=name,
            position=position,
            active=not inactive,
            conditions={k: v for k, v in conditions.items() if v is not None},
            actions={k: v for k, v in actions.items() if v is not None},
        )
        self.stdout.write(
            f"Rule {rule.pk} {rule.name!r} added to {store.name} at position {rule.position}."
        )

    def handle_remove(self, *, rule_id, **_):
        rule = ShippingRule.objects.select_related("store").filter(pk=rule_id).first()
        if rule is None:
            raise CommandError(f"no rule {rule_id} (see `shipdesk rules list`)")
        remove_rule(rule)
        self.stdout.write(f"Rule {rule_id} {rule.name!r} removed from {rule.store.name}.")

    def handle_apply(self, *, order_number, store, **_):
        orders = [find_order(number, store=store) for number in dict.fromkeys(order_number)]
        outcome = apply_rules_to(orders, source="cli")
        for order, applied in outcome.applied:
            said = " ".join(str(a) for a in applied) or "No rule changed anything."
            self.stdout.write(f"Order {order.order_number}: {said}")
        if outcome.refused:
            raise CommandError("; ".join(reason for _order, reason in outcome.refused))
