from django.core.management.base import BaseCommand

from shipdesk.core.cli import print_json
from shipdesk.outbox.engine import deliver_due


class Command(BaseCommand):
    help = (
        "Deliver everything due in the outbox now (Back Market updates, webhooks, customer "
        "emails); print the counts by kind and status."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json, **options):
        counts = deliver_due()
        if json:
            print_json(self, counts)
            return
        for kind, by_status in counts.items():
            self.stdout.write(f"{kind}: " + ", ".join(f"{n} {s}" for s, n in by_status.items()))
