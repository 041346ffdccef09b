"""Label documents: the carrier labels of shipments, laid out for the printer at hand.

Layouts (`LAYOUTS`): "4x6", one label per 4x6 in page (thermal printers); "a4", one label
per A4 page; "a4x4", four labels per A4 page, one per quarter (A4 sheets of four labels);
"zpl", the labels' ZPL one after another, for a ZPL thermal printer, when they were bought
in ZPL. Reprints, batches and the API print through `label_document`.

Each page of a carrier's PDF label is placed as it is, centred in its slot, turned a
quarter when that makes it bigger, and scaled to fit: up or down on a 4x6 page, only down
on A4 (a thermal-size label stays its size, to be cut out). Under each placed label lies
an invisible line of text, its order and tracking numbers: in a long batch a PDF reader
finds an order's label (the carriers' labels are often pictures).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, DictionaryObject, NameObject
from reportlab.lib.pagesizes import A4

from shipdesk.carriers.models import CarrierShipment
from shipdesk.shipping.models import Shipment

INCH = 72.0

LAYOUTS = {
    "4x6": gettext_lazy("4×6 in labels (thermal printer)"),
    "a4": gettext_lazy("A4, one label per page"),
    "a4x4": gettext_lazy("A4, four labels per page"),
    "zpl": gettext_lazy("ZPL (thermal printer)"),
}
DEFAULT_LAYOUT = "4x6"
MEDIA_TYPES = {"zpl": "application/x-zpl"}  # the others: application/pdf


@dataclass(frozen=True)
class Sheet:
    """A page size and the slots (x, y, width, height, in points) labels go into."""

    width: float
    height: float
    slots: tuple[tuple[float, float, float, float], ...]
    enlarge: bool  # labels smaller than their slot are scaled up


_A4_WIDTH, _A4_HEIGHT = A4
SHEETS = {
    "4x6": Sheet(4 * INCH, 6 * INCH, ((0, 0, 4 * INCH, 6 * INCH),), True),
    "a4": Sheet(_A4_WIDTH, _A4_HEIGHT, ((0, 0, _A4_WIDTH, _A4_HEIGHT),), False),
    # Reading order: top left, top right, bottom left, bottom right.
    "a4x4": Sheet(
        _A4_WIDTH,
        _A4_HEIGHT,
        tuple(
            (column * _A4_WIDTH / 2, row * _A4_HEIGHT / 2, _A4_WIDTH / 2, _A4_HEIGHT / 2)
            for row in (1, 0)
            for column in (0, 1)
        ),
        False,
    ),
}


class LabelDocumentError(ValueError):
    """A label that cannot be printed in the layout asked; the message says which and why."""


def media_type(layout: str) -> str:
    return MEDIA_TYPES.get(layout, "application/pdf")


def file_extension(layout: str) -> str:
    return "zpl" if layout == "zpl" else "pdf"


def label_document(shipments: Iterable[Shipment], *, layout: str) -> bytes:
    """One document with the labels of `shipments`, in the order given."""
    if layout not in LAYOUTS:
        raise LabelDocumentError(
            _("unknown label layout %(layout)s; expected one of %(layouts)s")
            % {"layout": layout, "layouts": ", ".join(LAYOUTS)}
        )
    shipments = list(shipments)
    if not shipments:
        raise LabelDocumentError(_("no labels to print"))
    zpl = dict(
        CarrierShipment.objects.filter(shipment__in=shipments).values_list(
            "shipment_id", "label_zpl"
        )
    )
    for shipment in shipments:
        _check(shipment, layout, zpl.get(shipment.pk, ""))
    if layout == "zpl":
        return "".join(zpl[s.pk].rstrip("\n") + "\n" for s in shipments).encode()
    return _pdf(shipments, SHEETS[layout])


def _check(shipment: Shipment, layout: str, zpl: str) -> None:
    number = {"number": shipment.order.order_number, "tracking": shipment.tracking_number}
    if shipment.voided:
        raise LabelDocumentError(
            _("the label %(tracking)s of order %(number)s is voided: do not use it") % number
        )
    if layout == "zpl" and not zpl:
        raise LabelDocumentError(
            _("order %(number)s has no ZPL label (%(tracking)s): print it as a PDF") % number
        )
    if layout != "zpl" and not shipment.label_pdf:
        if zpl:
            raise LabelDocumentError(
                _("the label of order %(number)s is in ZPL: print it with the ZPL layout") % number
            )
        raise LabelDocumentError(_("order %(number)s has no label (%(tracking)s)") % number)


def _label_pages(shipment: Shipment) -> list[PageObject]:
    try:
        pages = list(PdfReader(io.BytesIO(bytes(shipment.label_pdf))).pages)
        if any(page.rotation for page in pages):
            # A /Rotate'd page is drawn as it shows (pypdf turns pages a writer holds).
            pages = list(PdfWriter(clone_from=io.BytesIO(bytes(shipment.label_pdf))).pages)
            for page in pages:
                page.transfer_rotation_to_content()
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LabelDocumentError(
            _("the label of order %(number)s is not a readable PDF")
            % {"number": shipment.order.order_number}
        ) from exc
    return pages


def _fit(page: PageObject, slot, enlarge: bool) -> Transformation:
    """The transformation that puts `page` centred in `slot`, turned if that fits better."""
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    width, height = float(box.width), float(box.height)
    x, y, slot_width, slot_height = slot
    upright = min(slot_width / width, slot_height / height)
    turned = min(slot_width / height, slot_height / width)
    turn = turned > upright * 1.0001
    scale = turned if turn else upright
    if not enlarge:
        scale = min(scale, 1.0)
    move = Transformation().translate(-left, -bottom)
    if turn:
        move = move.rotate(90).translate(height, 0)
        width, height = height, width
    return move.scale(scale).translate(
        x + (slot_width - width * scale) / 2, y + (slot_height - height * scale) / 2
    )


def _pdf_string(text: str) -> bytes:
    latin = text.encode("latin-1", "replace")
    return b"(" + latin.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _blank_with_search_text(writer: PdfWriter, sheet: Sheet, captions) -> PageObject:
    """A new page holding invisible text (render mode 3), one line per label to place."""
    page = writer.add_blank_page(width=sheet.width, height=sheet.height)
    lines = [
        b"BT 3 Tr /SearchText 6 Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET" % (x + 4, y + 4, _pdf_string(c))
        for (x, y, _w, _h), c in captions
    ]
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/SearchText"): _HELVETICA})}
    )
    content = ContentStream(None, writer)
    content.set_data(b"\n".join(lines))
    page.replace_contents(content)
    return page


_HELVETICA = DictionaryObject(
    {
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }
)


def _pdf(shipments: list[Shipment], sheet: Sheet) -> bytes:
    placed = [
        (page, f"{shipment.order.order_number} {shipment.tracking_number}")
        for shipment in shipments
        for page in _label_pages(shipment)
    ]
    per_sheet = len(sheet.slots)
    writer = PdfWriter()
    for start in range(0, len(placed), per_sheet):
        labels = list(zip(sheet.slots, placed[start : start + per_sheet], strict=False))
        target = _blank_with_search_text(
            writer, sheet, [(slot, caption) for slot, (_page, caption) in labels]
        )
        for slot, (page, _caption) in labels:
            target.merge_transformed_page(page, _fit(page, slot, sheet.enlarge))
        target.compress_content_streams()
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
