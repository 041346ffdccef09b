from django.core.management.base import BaseCommand, CommandError

from shipdesk.orders.catalogue import import_products_csv
from shipdesk.orders.csv_files import CsvFileError


class Command(BaseCommand):
    help = "Manage the product catalogue (SKU weight, dimensions, location, needs IMEI)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="import a CSV: sku,name,weight_grams,length_cm,...; all rows or none",
        )
        imp.add_argument("file")

    def handle(self, *args, action, file, **options):
        try:
            with open(file, "rb") as f:
                result = import_products_csv(f)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        except CsvFileError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        for error in result.errors:
            self.stderr.write(error)
        if result.errors:
            raise CommandError(f"{len(result.errors)} wrong line(s): nothing imported")
        self.stdout.write(f"{result.created} created, {result.updated} updated")
