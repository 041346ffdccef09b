"""Packing slips: one PDF for one or many orders, each order starting on a new page.

Each slip carries the store's branding (logo, company name, colours, contact), the ship-to
address, the items with their options, warehouse location, quantity and the IMEI / serial
number of every unit, the notes to the buyer, the gift message and a Code 128 barcode of the
order number (scanned at the packing bench to find the order).

Each slip is written in its buyer's language (`Order.buyer_language`), dates included: a batch
can hold a German slip after a French one. The texts carry the context "packing slip" so
that another app's translation of "Order" or "Store" never replaces the slip's.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import pgettext
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from shipdesk.documents import fonts
from shipdesk.documents.options import labelled, options_text
from shipdesk.orders.models import Order
from shipdesk.stores.models import Store

log = logging.getLogger(__name__)

PAPER_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 14 * mm
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def render(orders: Iterable[Order], paper: str = "A4") -> bytes:
    """Return one PDF holding a packing slip per order, in the order given."""
    size = PAPER_SIZES.get(paper.upper())
    if size is None:
        raise ValueError(f"unknown paper size {paper!r}; expected A4 or Letter")
    wanted = [o.pk for o in orders]
    if not wanted:
        raise ValueError("no orders to print")
    by_pk = {
        o.pk: o
        for o in Order.objects.filter(pk__in=wanted)
        .select_related("store", "ship_to")
        .prefetch_related("items__units")
    }
    regular, bold = fonts.register()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=_title([by_pk[pk] for pk in wanted]),
        author="shipdesk",
        creator="shipdesk",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates(
        PageTemplate(id="slip", frames=[frame], onPageEnd=lambda c, d: _footer(c, d, regular))
    )
    story: list[Flowable] = []
    for index, pk in enumerate(wanted):
        if index:
            story.append(PageBreak())
        order = by_pk[pk]
        with translation.override(order.buyer_language):
            story.extend(_slip(order, doc.width, regular, bold))
    doc.build(story)
    return buffer.getvalue()


def _title(orders: list[Order]) -> str:
    """The PDF's title: one order's in its buyer's language, a batch's in the reader's."""
    if len(orders) > 1:
        return pgettext("packing slip", "Packing slips")
    with translation.override(orders[0].buyer_language):
        return pgettext("packing slip", "Packing slip %(number)s") % {
            "number": orders[0].order_number
        }


def _date(value) -> str:
    """A date as the active language writes it ('14. März 2026', '14 mars 2026')."""
    return date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


class _FooterText(Flowable):
    """Zero-size marker: tells the page footer which order's pages follow."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._shipdesk_footer = self.text


def orders_by_number(order_numbers: Iterable[str]) -> list[Order]:
    """The orders with these numbers, in that order; LookupError names a missing or ambiguous one."""
    result = []
    for number in order_numbers:
        matches = list(Order.objects.filter(order_number=number, deleted=False)[:2])
        if not matches:
            raise LookupError(f"no order {number!r}")
        if len(matches) > 1:
            raise LookupError(f"order number {number!r} exists in several stores")
        result.append(matches[0])
    return result


def _footer(canvas, doc, font: str) -> None:
    text = getattr(canvas, "_shipdesk_footer", "")
    canvas.saveState()
    canvas.setFont(font, 7.5)
    canvas.setFillColor(colors.HexColor("#666666"))
    canvas.drawString(doc.leftMargin, MARGIN, text)
    canvas.drawRightString(doc.leftMargin + doc.width, MARGIN, f"{canvas.getPageNumber()}")
    canvas.restoreState()


def colour(value: str, default: str) -> colors.Color:
    return colors.HexColor(value if value and _HEX.match(value) else default)


def text_colour_on(background: colors.Color) -> colors.Color:
    """Black or white, whichever reads better on the brand colour."""
    luminance = 0.2126 * background.red + 0.7152 * background.green + 0.0722 * background.blue
    return colors.black if luminance > 0.6 else colors.white


def company_name(store: Store) -> str:
    return store.company_name or store.name


def _styles(regular: str, bold: str, brand: colors.Color) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")
        ),
        "company": ParagraphStyle(
            "company", parent=base, fontName=bold, fontSize=15, leading=18, textColor=brand
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=bold,
            fontSize=16,
            leading=19,
            alignment=2,
            textColor=brand,
        ),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=bold,
            fontSize=9.5,
            leading=12,
            textColor=brand,
            spaceAfter=2,
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "th": ParagraphStyle("th", parent=base, fontName=bold, textColor=text_colour_on(brand)),
        "qty": ParagraphStyle("qty", parent=base, fontName=bold, fontSize=11, alignment=1),
    }


def _logo(store: Store) -> Image | None:
    if not store.logo:
        return None
    try:
        with store.logo.open("rb") as f:
            data = f.read()
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
    except Exception:  # a missing or non-image logo must not stop the packing bench
        log.warning(
            "store %s: logo %s cannot be read; printing without it", store.pk, store.logo.name
        )
        return None
    scale = min(45 * mm / width, 18 * mm / height)
    image = Image(io.BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def markup_lines(*values: str) -> str:
    """Paragraph markup: one line per non-empty value."""
    return "<br/>".join(escape(v) for v in values if v)


def _slip(order: Order, width: float, regular: str, bold: str) -> list[Flowable]:
    store = order.store
    brand = colour(store.brand_color, "#0b3d91")
    accent = colour(store.accent_color, "#f5a623")
    s = _styles(regular, bold, brand)
    name = company_name(store)
    contact = markup_lines(store.phone, store.website, store.email)

    left: list[Flowable] = []
    if logo := _logo(store):
        left += [logo, Spacer(1, 2 * mm)]
    left.append(Paragraph(escape(name), s["company"]))
    if contact:
        left.append(Paragraph(contact, s["small"]))
    barcode = createBarcodeDrawing(
        "Code128",
        value=order.order_number,
        barHeight=13 * mm,
        barWidth=0.4 * mm,
        humanReadable=True,
        fontName="Helvetica",
        fontSize=8,
    )
    order_date = _date(order.order_date)
    number = {"number": f"<b>{escape(order.order_number)}</b>"}
    right: list[Flowable] = [
        Paragraph(escape(pgettext("packing slip", "PACKING SLIP")), s["title"]),
        Paragraph(
            f"{escape(pgettext('packing slip', 'Order %(number)s')) % number} · {escape(order_date)}",
            s["right"],
        ),
        Spacer(1, 2 * mm),
        barcode,
    ]
    header = Table([[left, right]], colWidths=[width * 0.55, width * 0.45])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )

    to = order.ship_to
    ship_to = [
        Paragraph(escape(pgettext("packing slip", "Ship to")), s["heading"]),
        Paragraph(
            markup_lines(*to.postal_lines(), to.phone),
            s["base"],
        ),
    ]
    details = [
        (pgettext("packing slip", "Order date"), order_date),
        (pgettext("packing slip", "Ship by"), _date(order.ship_by_date)),
        (pgettext("packing slip", "Shipping"), order.requested_shipping_service),
        (pgettext("packing slip", "Store"), store.name),
    ]
    info = [Paragraph(escape(pgettext("packing slip", "Order")), s["heading"])] + [
        Paragraph(escape(labelled(label, value)), s["base"]) for label, value in details if value
    ]
    addresses = Table([[ship_to, info]], colWidths=[width * 0.55, width * 0.45])
    addresses.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )

    story: list[Flowable] = [
        _FooterText(
            pgettext("packing slip", "%(company)s · packing slip for order %(number)s")
            % {"company": name, "number": order.order_number}
        ),
        header,
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=2, color=accent, spaceAfter=4 * mm),
        addresses,
        Spacer(1, 5 * mm),
        _items_table(order, width, s, brand),
    ]
    if order.notes_to_buyer:
        story.append(
            _box(pgettext("packing slip", "Notes"), order.notes_to_buyer, width, s, accent)
        )
    if order.gift:
        message = order.gift_message or pgettext("packing slip", "This order is a gift.")
        story.append(_box(pgettext("packing slip", "Gift message"), message, width, s, accent))
    thanks = pgettext("packing slip", "Thank you for your order. — %(company)s") % {"company": name}
    story += [Spacer(1, 6 * mm), Paragraph(escape(thanks), s["small"])]
    return story


def _items_table(order: Order, width: float, s: dict, brand: colors.Color) -> Table:
    rows: list[list] = [
        [
            Paragraph(escape(heading), s["th"])
            for heading in (
                pgettext("packing slip", "Location"),
                pgettext("packing slip", "SKU"),
                pgettext("packing slip", "Item"),
                pgettext("packing slip", "Qty"),
            )
        ]
    ]
    total = 0
    for item in order.items.all():
        if item.adjustment:
            continue
        total += item.quantity
        parts = [f"<b>{escape(item.name)}</b>"]
        parts += [escape(option) for option in options_text(item.options)]
        for unit in item.units.all():
            ids = [
                pgettext("packing slip", "IMEI %(imei)s") % {"imei": unit.imei}
                if unit.imei
                else "",
                pgettext("packing slip", "Serial %(serial)s") % {"serial": unit.serial_number}
                if unit.serial_number
                else "",
            ]
            ids = [i for i in ids if i]
            if ids:
                unit_label = pgettext("packing slip", "Unit %(number)s") % {
                    "number": unit.index + 1
                }
                parts.append(escape(labelled(unit_label, " · ".join(ids))))
        rows.append(
            [
                Paragraph(escape(item.warehouse_location or "—"), s["bold"]),
                Paragraph(escape(item.sku), s["base"]),
                Paragraph("<br/>".join(parts), s["base"]),
                Paragraph(str(item.quantity), s["qty"]),
            ]
        )
    rows.append(
        [
            "",
            "",
            Paragraph(escape(pgettext("packing slip", "Total units")), s["bold"]),
            Paragraph(str(total), s["qty"]),
        ]
    )
    table = Table(
        rows, colWidths=[width * 0.13, width * 0.27, width * 0.51, width * 0.09], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), brand),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, colors.HexColor("#cccccc")),
                ("LINEABOVE", (0, -1), (-1, -1), 1, brand),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _box(title: str, text: str, width: float, s: dict, accent: colors.Color) -> Flowable:
    body = Paragraph(escape(text).replace("\n", "<br/>"), s["base"])
    table = Table([[Paragraph(escape(title), s["heading"])], [body]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, accent),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])
