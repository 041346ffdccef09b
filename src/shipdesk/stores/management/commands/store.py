import json

from django.core.management.base import BaseCommand, CommandError

from shipdesk.backmarket import BackMarketError
from shipdesk.core.cli import get_store, print_json
from shipdesk.stores.connection import connect_store, replace_token
from shipdesk.stores.models import REGIONS, Store, validate_status_mapping


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


class Command(BaseCommand):
    help = "Connect and manage Back Market stores."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="connect a Back Market store (checks the token first)")
        add.add_argument("--name", required=True)
        add.add_argument("--region", choices=[r for r, _ in REGIONS], required=True)
        add.add_argument("--token", required=True)
        add.add_argument("--base-url", default="")
        add.add_argument("--country-code", default="fr-fr")
        add.add_argument("--auto-accept", action="store_true")
        add.add_argument("--import-interval", type=int, default=120, help="seconds (minimum 60)")
        add.add_argument("--first-import-days", type=int, default=30)
        add.add_argument("--json", action="store_true")

        lst = sub.add_parser("list")
        lst.add_argument("--json", action="store_true")

        tok = sub.add_parser("set-token", help="replace an expired or revoked token in place")
        tok.add_argument("store")
        tok.add_argument("--token", required=True)

        mapping = sub.add_parser("set-mapping", help="map Back Market states to shipdesk statuses")
        mapping.add_argument("store")
        mapping.add_argument(
            "pairs",
            nargs="+",
            metavar="STATE=STATUS",
            help="e.g. 1=on_hold 10=awaiting_payment 0=skip",
        )

        settings = sub.add_parser("set", help="change import settings")
        settings.add_argument("store")
        settings.add_argument("--auto-accept", choices=["on", "off"])
        settings.add_argument("--auto-import", choices=["on", "off"])
        settings.add_argument("--import-interval", type=int, help="seconds (minimum 60)")

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
        from datetime import timedelta

        if Store.objects.filter(name=name).exists():
            raise CommandError(f"a store named {name!r} already exists")
        try:
            store = connect_store(
                name=name,
                region=region,
                token=token,
                base_url=base_url,
                country_code=country_code,
                auto_accept=auto_accept,
                import_interval=timedelta(seconds=max(import_interval, 60)),
                first_import_days=first_import_days,
            )
        except BackMarketError as exc:
            raise CommandError(f"Back Market refused the connection, nothing saved: {exc}") from exc
        if json:
            print_json(self, {"id": store.pk, "name": store.name, "status": store.health})
        else:
            self.stdout.write(f"Connected store {store.pk} ({store.name}); token accepted.")

    def handle_list(self, *, json, **_):
        stores = [store_dict(s) for s in Store.objects.all()]
        if json:
            print_json(self, {"stores": stores})
            return
        for s in stores:
            self.stdout.write(
                f"{s['id']:>4}  {s['name']:<30} {s['region']}  {s['status']:<15} "
                f"last import {s['last_import_at'] or 'never'}"
                + (f"  error: {s['last_error']}" if s["last_error"] else "")
            )

    def handle_set_token(self, *, store, token, **_):
        store = get_store(store)
        try:
            replace_token(store, token)
        except BackMarketError as exc:
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
        from datetime import timedelta

        store = get_store(store)
        if auto_accept:
            store.auto_accept = auto_accept == "on"
        if auto_import:
            store.auto_import = auto_import == "on"
        if import_interval:
            store.import_interval = timedelta(seconds=max(import_interval, 60))
        store.save()
        print_json(self, store_dict(store))
