"""An order's invoice as a PDF, in the buyer's language.

What it carries: the seller's legal details (name, address, VAT number, legal mentions),
the invoice's number and date, the order, the buyer's billing address, the lines and
totals. Back Market's prices include VAT.

VAT treatment, line by line (each product's `vat_type`, else the store's default):
- REGULAR: the line's VAT at the store's rate is shown, and the totals say the amount
  excluding VAT, the VAT and the amount including it;
- MARGINAL (the margin scheme for second-hand goods): no VAT is shown for the line; the
  invoice carries the legal mention ("TVA sur la marge — article 297 A du CGI" in French).
An order mixing both is one invoice: its regular lines' VAT is shown, its margin-scheme
lines are marked with * and the mention. Shipping follows the goods: under the margin scheme
when every line is, else at the regular rate.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shipdesk.documents import fonts
from shipdesk.documents.packing_slips import colour, markup_lines, text_colour_on
from shipdesk.orders.models import Product, VatType

MIXED = "MIXED"
CENT = Decimal("0.01")
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "SEK": "kr"}
MARGIN = 16 * mm


@dataclass(frozen=True)
class Line:
    description: str
    sku: str
    quantity: int
    total: Decimal  # including VAT
    vat_type: str
    vat: Decimal  # 0 under the margin scheme

    @property
    def unit_price(self) -> Decimal:
        return (self.total / self.quantity).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Document:
    content: bytes
    vat_type: str  # REGULAR, MARGINAL or MIXED
    total: Decimal


def vat_of(total: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a price that includes it."""
    return (total - total / (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)


def lines(order, settings) -> list[Line]:
    """The invoice's lines: the order's live lines, then shipping if charged."""
    items = order.live_items()
    products = {p.sku: p.vat_type for p in Product.objects.filter(sku__in={i.sku for i in items})}
    result = []
    for item in items:
        vat_type = products.get(item.sku) or settings.vat_type
        result.append(
            Line(
                item.name,
                item.sku,
                item.quantity,
                item.line_price,
                vat_type,
                vat_of(item.line_price, settings.vat_rate)
                if vat_type == VatType.REGULAR
                else Decimal("0"),
            )
        )
    if order.shipping_amount:
        marginal = result and all(line.vat_type == VatType.MARGINAL for line in result)
        vat_type = VatType.MARGINAL if marginal else VatType.REGULAR
        vat = Decimal("0") if marginal else vat_of(order.shipping_amount, settings.vat_rate)
        result.append(Line(_("Delivery charges"), "", 1, order.shipping_amount, vat_type, vat))
    return result


def invoice_vat_type(invoice_lines: list[Line]) -> str:
    kinds = {line.vat_type for line in invoice_lines}
    return kinds.pop() if len(kinds) == 1 else (MIXED if kinds else VatType.REGULAR)


def render(invoice, settings) -> Document:
    """The invoice's PDF, written in its language (the buyer's)."""
    order = invoice.order
    with translation.override(invoice.language or order.buyer_language):
        invoice_lines = lines(order, settings)
        vat_type = invoice_vat_type(invoice_lines)
        total = sum((line.total for line in invoice_lines), Decimal("0"))
        content = _pdf(invoice, settings, invoice_lines, vat_type, total)
    return Document(content, vat_type, total)


def money(amount: Decimal, currency: str) -> str:
    text = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{text} {SYMBOLS.get(currency, currency)}"


def _day(value) -> str:
    return formats.date_format(timezone.localtime(value).date(), "SHORT_DATE_FORMAT")


def _pdf(invoice, settings, invoice_lines, vat_type, total) -> bytes:
    order, store = invoice.order, invoice.store
    regular, bold = fonts.register()
    brand = colour(store.brand_color, "#0b3d91")
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
    strong = ParagraphStyle("strong", parent=base, fontName=bold)
    right = ParagraphStyle("right", parent=base, alignment=2)
    heading = ParagraphStyle("heading", parent=strong, textColor=brand, spaceAfter=2)
    title = ParagraphStyle(
        "title", parent=strong, fontSize=18, leading=22, alignment=2, textColor=brand
    )
    seller = ParagraphStyle("seller", parent=strong, fontSize=13, leading=16, textColor=brand)
    head = ParagraphStyle("head", parent=strong, textColor=text_colour_on(brand))
    currency = order.currency

    seller_block = [
        Paragraph(escape(settings.legal_name), seller),
        Paragraph(markup_lines(*settings.address.splitlines()), base),
        Paragraph(escape(_("VAT number: %(vat)s") % {"vat": settings.vat_number}), base),
        Paragraph(markup_lines(store.email, store.phone, store.website), small),
    ]
    facts = [
        (_("Invoice number"), invoice.number),
        (_("Invoice date"), _day(timezone.now())),
        (_("Back Market order") if store.is_backmarket else _("Order"), order.order_number),
        (_("Order date"), _day(order.order_date)),
    ]
    invoice_block = [Paragraph(escape(_("Invoice")).upper(), title), Spacer(1, 2 * mm)] + [
        Paragraph(
            escape(_("%(label)s: %(value)s") % {"label": label, "value": "\0"}).replace(
                "\0", f"<b>{escape(value)}</b>"
            ),
            right,
        )
        for label, value in facts
    ]
    width = A4[0] - 2 * MARGIN
    top = Table([[seller_block, invoice_block]], colWidths=[width * 0.55, width * 0.45])
    top.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )

    to = order.bill_to
    buyer = [
        Paragraph(escape(_("Bill to")), heading),
        Paragraph(
            markup_lines(*to.postal_lines(), order.customer_email),
            base,
        ),
    ]

    shows_vat = vat_type != VatType.MARGINAL
    rate = f"{formats.number_format(settings.vat_rate.normalize(), use_l10n=True)} %"
    header = [_("Item"), _("Qty"), _("Unit price"), _("Total")]
    if shows_vat:
        header.insert(3, _("VAT"))
    rows = [[Paragraph(escape(h), head) for h in header]]
    for line in invoice_lines:
        marked = line.vat_type == VatType.MARGINAL and vat_type == MIXED
        name = escape(line.description) + (" *" if marked else "")
        if line.sku:
            name += f"<br/><font size='7.5'>{escape(line.sku)}</font>"
        row = [
            Paragraph(name, base),
            Paragraph(str(line.quantity), right),
            Paragraph(money(line.unit_price, currency), right),
            Paragraph(money(line.total, currency), right),
        ]
        if shows_vat:
            vat = (
                f"{rate} · {money(line.vat, currency)}" if line.vat_type == VatType.REGULAR else "*"
            )
            row.insert(3, Paragraph(vat, right))
        rows.append(row)
    widths = [0.46, 0.08, 0.15, 0.16, 0.15] if shows_vat else [0.55, 0.1, 0.17, 0.18]
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), brand),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#cccccc")),
            ]
        )
    )

    vat_total = sum((line.vat for line in invoice_lines), Decimal("0"))
    regular_total = sum(
        (line.total for line in invoice_lines if line.vat_type == VatType.REGULAR), Decimal("0")
    )
    sums: list[tuple[str, Decimal]] = []
    if vat_type == VatType.REGULAR:
        sums = [
            (_("Total excl. VAT"), total - vat_total),
            (_("VAT %(rate)s") % {"rate": rate}, vat_total),
            (_("Total incl. VAT"), total),
        ]
    elif vat_type == MIXED:
        sums = [
            (_("Total excl. VAT of the items at regular VAT"), regular_total - vat_total),
            (_("VAT %(rate)s") % {"rate": rate}, vat_total),
            (_("Items under the margin scheme *"), total - regular_total),
            (_("Total"), total),
        ]
    else:
        sums = [(_("Total"), total)]
    totals = Table(
        [
            [Paragraph(escape(label), right), Paragraph(money(amount, currency), right)]
            for label, amount in sums
        ],
        colWidths=[width * 0.8, width * 0.2],
    )
    totals.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 1, brand)]))

    story = [top, Spacer(1, 8 * mm), *buyer, Spacer(1, 6 * mm), table, Spacer(1, 3 * mm), totals]
    if vat_type != VatType.REGULAR:
        mention = _("Margin scheme — second-hand goods")
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(("* " if vat_type == MIXED else "") + mention), strong),
        ]
    paid = order.payment_date or order.order_date
    paid_text = (
        _("Paid on Back Market on %(date)s.") if store.is_backmarket else _("Paid on %(date)s.")
    )
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape(paid_text % {"date": _day(paid)}), base),
    ]
    if settings.legal_mentions:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(markup_lines(*settings.legal_mentions.splitlines()), small),
        ]

    footer = f"{settings.legal_name} · {_('Invoice')} {invoice.number}"

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(MARGIN, MARGIN / 2, footer)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, str(canvas.getPageNumber()))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{_('Invoice')} {invoice.number}",
        author=settings.legal_name,
        creator="shipdesk",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
