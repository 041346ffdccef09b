from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shipdesk.documents.packing_slips import orders_by_number, render


class Command(BaseCommand):
    help = "Write packing slips for one or more orders into one PDF."

    def add_arguments(self, parser):
        parser.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--paper", default="A4", choices=["A4", "Letter"])

    def handle(self, *args, order_numbers, out, paper, **options):
        try:
            orders = orders_by_number(order_numbers)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        pdf = render(orders, paper=paper)
        path = Path(out)
        path.write_bytes(pdf)
        self.stdout.write(
            f"Wrote {len(orders)} packing slip{'s' if len(orders) > 1 else ''} to {path} "
            f"({len(pdf) // 1024 + 1} KB, {paper})."
        )
