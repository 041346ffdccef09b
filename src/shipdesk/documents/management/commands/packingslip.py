import os
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shipdesk.core.cli import find_order
from shipdesk.documents.packing_slips import render


class Command(BaseCommand):
    help = "Write packing slips for one or more orders into one PDF."

    def add_arguments(self, parser):
        parser.add_argument("order_numbers", nargs="+", metavar="ORDER_NUMBER")
        parser.add_argument("--store", help="the store (id or name) of the order numbers")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument(
            "--paper",
            default="A4",
            choices=["A4", "Letter"],
            help="paper size (default: %(default)s)",
        )

    def handle(self, *args, order_numbers, store, out, paper, **options):
        path = Path(out)
        if not path.parent.is_dir():  # said before rendering what may be hundreds of slips
            raise CommandError(f"cannot write {path}: there is no folder {path.parent}")
        orders = [find_order(number, store=store) for number in order_numbers]
        pdf = render(orders, paper=paper)
        try:
            write_whole(path, pdf)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.stdout.write(
            f"Wrote {len(orders)} packing slip{'s' if len(orders) > 1 else ''} to {path} "
            f"({len(pdf) // 1024 + 1} KB, {paper})."
        )


def write_whole(path: Path, data: bytes) -> None:
    """Write `data` to `path` entirely or not at all: a file that was there stays intact."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # Mode 666 less the umask, like any file the user writes (mkstemp's 600 would not be).
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
