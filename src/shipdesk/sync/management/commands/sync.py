from django.core.management.base import BaseCommand, CommandError

from shipdesk.core.cli import get_store, is_terminal, print_json
from shipdesk.stores.editing import StoreInactive
from shipdesk.stores.models import BACKMARKET, Store
from shipdesk.sync.importer import ImportAlreadyRunning, import_orders


class Command(BaseCommand):
    help = "Import orders from Back Market now, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="store id or name (default: every store)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, store, json, **options):
        # Every active Back Market store: the manual orders store has nothing to import.
        every = Store.objects.filter(active=True, channel=BACKMARKET)
        stores = [get_store(store)] if store else list(every)
        if not stores:
            raise CommandError(
                "no active store: connect one with `shipdesk store add`, or reactivate one"
            )
        results, failed = [], False
        for s in stores:
            try:
                run = self._import(s, show_progress=not json and is_terminal(self))
            except StoreInactive as exc:
                raise CommandError(str(exc)) from None
            except ImportAlreadyRunning as exc:
                results.append({"store": s.pk, "errors": [{"message": str(exc)}]})
                failed = True
                continue
            results.append(run.as_dict())
            failed = failed or run.status != run.Status.OK
            if not json:
                self.stdout.write(
                    f"{s.name}: {run.fetched} fetched, {run.created} created, {run.updated} updated, "
                    f"{run.unchanged} unchanged, {run.skipped} not paid yet, {run.set_aside} without "
                    f"address, {run.quarantined} quarantined, {run.requests} requests"
                    + "".join(f"\n  error: {e['message']}" for e in run.errors)
                )
        if json:
            print_json(self, {"stores": results})
        if failed:
            raise CommandError("some imports failed (see errors above)")

    def _import(self, store, *, show_progress):
        if not show_progress:
            return import_orders(store, trigger="cli")
        from rich.progress import Progress

        with Progress() as bar:
            task = bar.add_task(f"Importing {store.name}", total=None)

            def progress(run):
                bar.update(task, completed=run.fetched, total=run.total or None)

            return import_orders(store, trigger="cli", progress=progress)
