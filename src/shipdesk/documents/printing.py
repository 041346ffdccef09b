"""Labels sent straight to a printer, where one is configured (`SHIPDESK_PRINTER`).

`SHIPDESK_PRINTER` names a CUPS queue (`Zebra_GK420d`) or a CUPS server's queue by its IPP
URI (`ipp://print.lan:631/printers/zebra`). Documents go to it through CUPS's client, `lp`:
ZPL raw, PDFs on the layout's paper. Without it nothing is printed and that is no error
(the browser prints); a printer that cannot be reached is said, never raised past callers.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from shipdesk.documents.labels import label_document
from shipdesk.shipping.models import Shipment

LP_TIMEOUT_S = 30
_QUEUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,126}$")
MEDIA = {"4x6": "w288h432", "a4": "A4", "a4x4": "A4"}


class PrintError(Exception):
    """The document did not reach the printer; the message says why."""


@dataclass(frozen=True)
class Printed:
    printer: str
    job: str  # what lp answered, e.g. "request id is Zebra-12 (1 file(s))"


def configured_printer() -> str:
    return (getattr(settings, "SHIPDESK_PRINTER", "") or "").strip()


def destination(printer: str) -> list[str]:
    """lp's options naming `printer`: `-d QUEUE`, or `-h HOST:PORT -d QUEUE` for an IPP URI."""
    if "://" not in printer:
        if not _QUEUE.fullmatch(printer):
            raise PrintError(
                _("SHIPDESK_PRINTER %(printer)r is not a printer name") % {"printer": printer}
            )
        return ["-d", printer]
    parts = urlsplit(printer)
    kind, _slash, queue = parts.path.strip("/").partition("/")
    if (
        parts.scheme not in ("ipp", "ipps")
        or not parts.hostname
        or kind not in ("printers", "classes")
        or not _QUEUE.fullmatch(queue)
    ):
        raise PrintError(
            _("SHIPDESK_PRINTER %(printer)r is not an ipp://host/printers/QUEUE address")
            % {"printer": printer}
        )
    server = f"{parts.hostname}:{parts.port or 631}"
    return ["-h", server, "-d", queue]


def send(document: bytes, *, layout: str, title: str, printer: str | None = None) -> Printed | None:
    """Print `document` (a label document in `layout`); None when no printer is configured."""
    printer = printer or configured_printer()
    if not printer:
        return None
    command = ["lp", *destination(printer), "-t", title[:100]]
    command += ["-o", "raw"] if layout == "zpl" else ["-o", f"media={MEDIA[layout]}"]
    try:
        done = subprocess.run(
            [*command, "-"], input=document, capture_output=True, timeout=LP_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise PrintError(_("lp (the CUPS client) is not installed on the server")) from None
    except subprocess.TimeoutExpired:
        raise PrintError(
            _("the printer did not take the job within %(seconds)s s") % {"seconds": LP_TIMEOUT_S}
        ) from None
    answer = done.stdout.decode(errors="replace").strip()
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise PrintError(
            _("the printer %(printer)s refused the job: %(reason)s")
            % {
                "printer": printer,
                "reason": (reason[0] if reason else f"lp exit {done.returncode}")[:300],
            }
        )
    return Printed(printer, answer)


def print_labels(shipments: Iterable[Shipment], *, layout: str) -> Printed | None:
    """The shipments' labels in `layout` to the configured printer; None when there is none."""
    if not configured_printer():
        return None
    shipments = list(shipments)
    document = label_document(shipments, layout=layout)
    numbers = ", ".join(s.order.order_number for s in shipments[:3])
    more = f" (+{len(shipments) - 3})" if len(shipments) > 3 else ""
    return send(document, layout=layout, title=f"shipdesk labels {numbers}{more}")
