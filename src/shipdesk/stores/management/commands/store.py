import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from shipdesk.backmarket import BackMarketError
from shipdesk.core.cli import confirm, get_store, local_time, print_json, whole_number
from shipdesk.stores.connection import (
    MARKETPLACES,
    StoreRefused,
    connect_store,
    removal_blocker,
    remove_store,
    replace_token,
    unreachable_message,
    user_agent_warning,
)
from shipdesk.stores.models import REGIONS, Store, server_url, validate_status_mapping

REGION_HELP = (
    "eu (www.backmarket.fr, also the UK), us (www.backmarket.com), ap (www.backmarket.co.jp)"
)
FIRST_MARKETPLACES = ", ".join(f"{codes[0]} for {region}" for region, codes in MARKETPLACES.items())


def store_dict(store: Store) -> dict:
    return {
        "id": store.pk,
        "name": store.name,
        "region": store.region,
        "base_url": store.base_url or None,
        "country_code": store.country_code,
        "status": store.health,
        "last_error": store.last_error or None,
        "last_import_at": store.last_import_at,
        "import_cursor": store.import_cursor,
        "auto_import": store.auto_import,
        "auto_accept": store.auto_accept,
        "import_interval_s": int(store.import_interval.total_seconds()),
        "status_mapping": store.status_mapping,
    }


def failure(exc: BackMarketError, server: str, *, nothing: str) -> CommandError:
    """A network failure said as such; otherwise what Back Market answered."""
    unreachable = unreachable_message(exc, server)
    if unreachable is not None:
        return CommandError(f"{unreachable}; {nothing}")
    return CommandError(f"Back Market refused the connection, {nothing}: {exc}")


class Command(BaseCommand):
    help = "Connect and manage Back Market stores."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="connect a Back Market store (checks the token first)")
        add.add_argument("--name", required=True, help="the store's name in shipdesk (unique)")
        add.add_argument(
            "--region",
            choices=[r for r, _ in REGIONS],
            required=True,
            help=f"Back Market's platform: {REGION_HELP}",
        )
        add.add_argument(
            "--token",
            required=True,
            help="the API token from Back Office → Options → Integrations (stored encrypted)",
        )
        add.add_argument(
            "--base-url",
            default="",
            help="another server than the region's: Back Market's pre-production or a "
            "`shipdesk sandbox`, e.g. http://127.0.0.1:8765 (default: the region's)",
        )
        add.add_argument(
            "--country-code",
            default="",
            help="the store's marketplace language, sent with every request: Back Market "
            "answers in it, e.g. de-de. It filters nothing: the token imports the orders of "
            f"every country of the region's platform (default: {FIRST_MARKETPLACES})",
        )
        add.add_argument(
            "--auto-accept",
            action="store_true",
            help="accept paid orders on Back Market as they are imported (default: off)",
        )
        add.add_argument(
            "--import-interval",
            type=whole_number(60, 86_400),
            default=120,
            help="seconds between imports, from 60 (default: %(default)s)",
        )
        add.add_argument(
            "--first-import-days",
            type=whole_number(1, 365),
            default=30,
            help="the first import reads this many days back (default: %(default)s)",
        )
        add.add_argument("--json", action="store_true", help="print the new store as JSON")

        lst = sub.add_parser("list", help="the stores, their connection and last import")
        lst.add_argument("--json", action="store_true")

        tok = sub.add_parser("set-token", help="replace an expired or revoked token in place")
        tok.add_argument("store", help="the store's id or name")
        tok.add_argument("--token", required=True)

        mapping = sub.add_parser("set-mapping", help="map Back Market states to shipdesk statuses")
        mapping.add_argument("store", help="the store's id or name")
        mapping.add_argument(
            "pairs",
            nargs="+",
            metavar="STATE=STATUS",
            help="e.g. 1=on_hold 10=awaiting_payment 0=skip",
        )

        settings = sub.add_parser("set", help="change import settings")
        settings.add_argument("store", help="the store's id or name")
        settings.add_argument("--auto-accept", choices=["on", "off"])
        settings.add_argument("--auto-import", choices=["on", "off"])
        settings.add_argument(
            "--import-interval", type=whole_number(60, 86_400), help="seconds (minimum 60)"
        )

        remove = sub.add_parser(
            "remove",
            help="delete a store with its orders, shipments and history (asks first)",
            description="Delete a store with its orders, shipments and history. Refused while "
            "it has orders to ship or shipments not yet reported to Back Market, unless "
            "--force. Back Market is not told: the token stays valid there.",
        )
        remove.add_argument("store", help="the store's id or name")
        remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        remove.add_argument(
            "--force",
            action="store_true",
            help="remove it even with orders to ship or shipments not reported",
        )

    def handle(self, *args, action, **o):
        getattr(self, "handle_" + action.replace("-", "_"))(**o)

    def handle_add(
        self,
        *,
        name,
        region,
        token,
        base_url,
        country_code,
        auto_accept,
        import_interval,
        first_import_days,
        json,
        **_,
    ):
        # Said first: when Back Market's firewall refuses the placeholder, this is why.
        warning = user_agent_warning(server_url(region, base_url))
        if warning:
            self.stderr.write(f"warning: {warning}")
        try:
            store = connect_store(
                name=name,
                region=region,
                token=token,
                base_url=base_url,
                country_code=country_code,
                auto_accept=auto_accept,
                import_interval=timedelta(seconds=import_interval),
                first_import_days=first_import_days,
            )
        except StoreRefused as exc:
            raise CommandError(f"{exc}; nothing saved") from exc
        except BackMarketError as exc:
            raise failure(exc, server_url(region, base_url), nothing="nothing saved") from exc
        if json:
            print_json(self, {"id": store.pk, "name": store.name, "status": store.health})
        else:
            self.stdout.write(f"Connected store {store.pk} ({store.name}); token accepted.")

    def handle_list(self, *, json, **_):
        stores = [store_dict(s) for s in Store.objects.all()]
        if json:
            print_json(self, {"stores": stores})
            return
        if not stores:
            self.stdout.write(
                "No store connected; add one with "
                "`shipdesk store add --name NAME --region eu --token TOKEN`."
            )
            return
        for s in stores:
            self.stdout.write(
                f"{s['id']:>4}  {s['name']:<30} {s['region']}  {s['status']:<15} "
                f"last import {local_time(s['last_import_at'])}"
                + (f"  error: {s['last_error']}" if s["last_error"] else "")
            )

    def handle_set_token(self, *, store, token, **_):
        store = get_store(store)
        try:
            replace_token(store, token)
        except StoreRefused as exc:
            raise CommandError(f"{exc}; nothing changed") from exc
        except BackMarketError as exc:
            if unreachable_message(exc, store.server) is not None:
                raise failure(exc, store.server, nothing="nothing changed") from exc
            raise CommandError(
                f"Back Market refused the new token, nothing changed: {exc}"
            ) from exc
        self.stdout.write(f"Token of store {store.pk} ({store.name}) replaced; imports resume.")

    def handle_set_mapping(self, *, store, pairs, **_):
        store = get_store(store)
        wanted = dict(store.status_mapping or {})
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"expected STATE=STATUS, got {pair!r}")
            wanted[key.strip()] = value.strip() or None
        try:
            store.status_mapping = validate_status_mapping(wanted)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        store.save(update_fields=["status_mapping", "modified_at"])
        self.stdout.write(json.dumps(store.status_mapping))

    def handle_set(self, *, store, auto_accept, auto_import, import_interval, **_):
        store = get_store(store)
        if auto_accept:
            store.auto_accept = auto_accept == "on"
        if auto_import:
            store.auto_import = auto_import == "on"
        if import_interval:
            store.import_interval = timedelta(seconds=import_interval)
        store.save()
        print_json(self, store_dict(store))

    def handle_remove(self, *, store, yes, force, **_):
        store = get_store(store)
        blocker = None if force else removal_blocker(store)
        if blocker:
            raise CommandError(f"{blocker}: nothing removed (--force removes it anyway)")
        confirm(
            self,
            f"Remove store {store.pk} ({store.name}) and its {store.orders.count()} orders?",
            yes=yes,
            refusal=f"removing store {store.name!r} deletes its orders and their history",
        )
        try:
            removed = remove_store(store, force=force)
        except StoreRefused as exc:  # an order arrived since the question
            raise CommandError(f"{exc}: nothing removed (--force removes it anyway)") from exc
        self.stdout.write(
            f"Store {store.pk} ({store.name}) removed with {removed['orders']} orders and "
            f"{removed['shipments']} shipments."
        )
