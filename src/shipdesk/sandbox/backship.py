"""The BackShip label the sandbox serves at a delivery's `labelUrl`: a real PDF.

Back Market buys BackShip labels for the seller; its answer points to a 10x15 cm PDF. The
sandbox draws one from the delivery (carrier, tracking number) and the order's shipping
address, with the tracking number as text and as a Code 128 barcode.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from shipdesk.documents import fonts

WIDTH, HEIGHT = 100 * mm, 150 * mm


def _address_lines(order: dict) -> list[str]:
    address = order.get("shipping_address") or {}
    name = " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
    city = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    lines = [name, address.get("company"), address.get("street"), address.get("street2"), city]
    return [str(line) for line in (*lines, address.get("country")) if line]


def backship_label_pdf(delivery: dict, order: dict) -> bytes:
    regular, bold = fonts.register()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(WIDTH, HEIGHT), invariant=True)  # same label, same bytes
    page.setTitle(f"BackShip {delivery['trackingNumber']}")
    page.setFont(bold, 16)
    page.drawString(8 * mm, HEIGHT - 14 * mm, f"BackShip · {delivery['carrierName']}")
    page.setFont(regular, 9)
    page.drawString(8 * mm, HEIGHT - 20 * mm, f"Back Market order {order['order_id']}")
    page.line(8 * mm, HEIGHT - 24 * mm, WIDTH - 8 * mm, HEIGHT - 24 * mm)
    page.setFont(bold, 11)
    y = HEIGHT - 32 * mm
    for line in _address_lines(order):
        page.drawString(8 * mm, y, line[:40])
        y -= 5.5 * mm
    barcode = createBarcodeDrawing(
        "Code128",
        value=delivery["trackingNumber"],
        barHeight=25 * mm,
        barWidth=0.33 * mm,
        humanReadable=False,
    )
    x = (WIDTH - barcode.width) / 2
    renderPDF.draw(barcode, page, max(x, 2 * mm), 30 * mm)
    page.setFont(bold, 12)
    page.drawCentredString(WIDTH / 2, 22 * mm, delivery["trackingNumber"])
    page.setFont(regular, 8)
    page.drawCentredString(WIDTH / 2, 10 * mm, "Back Market sandbox - not for shipping")
    page.showPage()
    page.save()
    return out.getvalue()
