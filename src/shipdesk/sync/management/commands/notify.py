from django.core.management.base import BaseCommand

from shipdesk.core.cli import print_json
from shipdesk.sync.outbox import deliver_due


class Command(BaseCommand):
    help = "Deliver due Back Market shipment notifications now."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json, **options):
        counts = deliver_due()
        if json:
            print_json(self, counts)
        else:
            self.stdout.write(", ".join(f"{n} {status}" for status, n in counts.items()))
