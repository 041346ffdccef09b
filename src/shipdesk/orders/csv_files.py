"""CSV files people upload or name on the command line: read whole, or refused with a reason.

A file is refused as a whole when it is too large, empty, not UTF-8 text, not readable as
CSV or missing a required column; otherwise its rows come back with their line numbers, for
the importer to check each one and report the bad ones by line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

MAX_MEGABYTES = 5
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
# The csv module refuses a field over 128 KB with an error for the whole file; the file is
# at most MAX_BYTES, and the importers check each value's length, reporting it by line.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))


class CsvFileError(ValueError):
    """The whole file is refused; the message says why."""


@dataclass
class CsvRow:
    line: int  # where the row starts in the file, the header being line 1
    values: dict[str, str]  # by column name, lower case; values stripped


def read_csv(file: BinaryIO, *, required: Sequence[str]) -> list[CsvRow]:
    """The file's rows under its header; blank rows are left out."""
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CsvFileError(
            _("The file is larger than %(megabytes)s MB.") % {"megabytes": MAX_MEGABYTES}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise CsvFileError(_("The file is not text: it contains NUL characters."))
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = [column.strip().lower() for column in next(reader, [])]
    if not any(columns):
        raise CsvFileError(_("The file is empty."))
    missing = [column for column in required if column not in columns]
    if missing:
        raise CsvFileError(
            _("The file has no %(columns)s column.") % {"columns": ", ".join(missing)}
        )
    rows = []
    start = reader.line_num + 1
    for cells in reader:
        values = {c: v.strip() for c, v in zip(columns, cells, strict=False) if c}
        if any(values.values()):
            rows.append(CsvRow(start, values))
        start = reader.line_num + 1
    if not rows:
        raise CsvFileError(_("The file has no rows under its header."))
    return rows
