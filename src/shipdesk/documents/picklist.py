"""Pick lists: what to take from the shelves for a set of orders, in walking order.

One line per SKU and warehouse location, its quantity summed over the orders, sorted by
location then SKU (the order a picker walks the shelves in; the orders of a batch are
printed in the same order, see `pick_key`). Cancelled and refunded lines are not picked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shipdesk.backmarket.states import CANCELLED_LINE_STATES
from shipdesk.documents import fonts
from shipdesk.orders.models import Order, OrderItem

MARGIN = 14 * mm
_NUMBERS = re.compile(r"(\d+)")


def natural(text: str) -> tuple:
    """A sort key putting shelf "A-2" before "A-10" (numbers compared as numbers)."""
    return tuple(
        int(part) if index % 2 else part.casefold()
        for index, part in enumerate(_NUMBERS.split(text))
    )


def picked(item: OrderItem) -> bool:
    """Does this line go in the parcel? Not shipdesk's adjustments, nor cancelled lines."""
    return not item.adjustment and item.channel_state not in CANCELLED_LINE_STATES


def _item_key(location: str, sku: str) -> tuple:
    return (not location, natural(location), natural(sku))  # no location: last


def pick_key(order: Order) -> tuple:
    """Where an order comes in pick order: by its first item's location, then SKU
    (reads prefetched items)."""
    keys = [_item_key(i.warehouse_location, i.sku) for i in order.items.all() if picked(i)]
    return (min(keys, default=(True, (), ())), natural(order.order_number), order.pk)


@dataclass(frozen=True)
class PickLine:
    location: str
    sku: str
    name: str
    quantity: int
    orders: int  # how many of the orders need it


def pick_lines(orders: Iterable[Order]) -> list[PickLine]:
    """The SKUs to pick for these orders, each location's quantity summed, in walking order."""
    items = (
        OrderItem.objects.filter(order__in=[o.pk for o in orders])
        .exclude(adjustment=True)
        .order_by("id")
    )
    totals: dict[tuple[str, str], list] = {}
    for item in items:
        if not picked(item):
            continue
        line = totals.setdefault((item.warehouse_location, item.sku), [item.name, 0, set()])
        line[1] += item.quantity
        line[2].add(item.order_id)
    return [
        PickLine(location, sku, name, quantity, len(order_ids))
        for (location, sku), (name, quantity, order_ids) in sorted(
            totals.items(), key=lambda pair: _item_key(*pair[0])
        )
    ]


def counted(number: int, word: str) -> str:
    return f"{number} {word}{'s' * (number != 1)}"


def summary_of(orders: list[Order], lines: list[PickLine]) -> str:
    """E.g. "3 orders · 5 units · 2 SKUs"."""
    units = sum(line.quantity for line in lines)
    return " · ".join(
        (counted(len(set(orders)), "order"), counted(units, "unit"), counted(len(lines), "SKU"))
    )


def picklist_pdf(orders: Iterable[Order], *, title: str = "") -> bytes:
    """One A4 PDF: the pick list of these orders (`title` says which, e.g. a batch)."""
    orders = list(orders)
    if not orders:
        raise ValueError("no orders to pick")
    lines = pick_lines(orders)
    regular, bold = fonts.register()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    strong = ParagraphStyle("strong", parent=base, fontName=bold)
    heading = ParagraphStyle("heading", parent=base, fontName=bold, fontSize=16, leading=19)
    quantity = ParagraphStyle("quantity", parent=strong, fontSize=11, alignment=2)
    units = sum(line.quantity for line in lines)
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    summary = f"{summary_of(orders, lines)} · {now}"
    rows: list[list] = [[Paragraph(t, strong) for t in ("Location", "SKU", "Item", "Qty", "")]]
    rows += [
        [
            Paragraph(escape(line.location or "—"), strong),
            Paragraph(escape(line.sku), base),
            Paragraph(escape(line.name), base),
            Paragraph(str(line.quantity), quantity),
            "",  # a box to tick
        ]
        for line in lines
    ]
    rows.append(["", "", Paragraph("Total units", strong), Paragraph(str(units), quantity), ""])
    width = A4[0] - 2 * MARGIN
    table = Table(
        rows,
        colWidths=[width * 0.15, width * 0.27, width * 0.44, width * 0.08, width * 0.06],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, colors.HexColor("#cccccc")),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (4, 1), (4, -2), 0.6, colors.black),
                ("INNERGRID", (4, 1), (4, -2), 0.6, colors.black),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title or "Pick list",
        author="shipdesk",
        creator="shipdesk",
    )
    story = [Paragraph(escape(title or "Pick list"), heading), Paragraph(summary, base)]
    doc.build([*story, Spacer(1, 5 * mm), table])
    return buffer.getvalue()
