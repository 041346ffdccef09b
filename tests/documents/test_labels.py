"""Label documents: carrier labels laid out 4x6, A4 or four per A4, and ZPL.

Labels here are PDFs drawn for the test, each with a line of text at a known spot, so where
the document puts it (and how big) is read back from the page (pypdf's text positions).
"""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from shipdesk.carriers.models import CarrierAccount, CarrierShipment
from shipdesk.documents.labels import LabelDocumentError, label_document
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

SIX_BY_FOUR = (4 * 72, 6 * 72)
A4_SIZE = (round(A4[0], 2), round(A4[1], 2))


def drawn_label(text: str, size=SIX_BY_FOUR) -> bytes:
    """A label of `size` points with `text` 10 pt from its left, 20 pt from its top."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=size)
    page.setFont("Helvetica", 10)
    page.drawString(10, size[1] - 20, text)
    page.showPage()
    page.save()
    return out.getvalue()


@pytest.fixture
def store(db):
    return make_store()


def shipment(store, number: int, *, pdf: bytes | None = None, zpl: str = "", voided=False):
    order = make_order(store, number)
    made = Shipment.objects.create(
        order=order,
        carrier_code="sandbox",
        tracking_number=f"1ZTEST{number}",
        ship_date=timezone.localdate(),
        label_pdf=pdf,
        voided=voided,
    )
    if zpl:
        account = CarrierAccount.objects.filter(name="Sandbox").first()
        if account is None:
            account = CarrierAccount(name="Sandbox", carrier_code="sandbox", server_url="http://x")
            account.credentials = {}
            account.save()
        CarrierShipment.objects.create(shipment=made, account=account, label_zpl=zpl)
    return made


def placed(document: bytes) -> list[list[tuple[str, float, float, float]]]:
    """Per page: (text, x, y, scale) of each visible line, where it lands on the page."""
    pages = []
    for page in PdfReader(io.BytesIO(document)).pages:
        found = []

        def visit(text, cm, tm, font, size, found=found):
            if not text.strip() or "1ZTEST" in text:
                return  # the invisible search line: checked on its own
            a, b, c, d, e, f = cm
            x = tm[4] * a + tm[5] * c + e
            y = tm[4] * b + tm[5] * d + f
            found.append((text.strip(), round(x, 1), round(y, 1), round(a or b, 3)))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def sizes(document: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
        for p in PdfReader(io.BytesIO(document)).pages
    ]


def test_4x6_one_label_per_page_each_findable_by_order_and_tracking(store):
    shipments = [shipment(store, n, pdf=drawn_label(f"LABEL {n}")) for n in (101, 102, 103)]

    document = label_document(shipments, layout="4x6")

    assert sizes(document) == [SIX_BY_FOUR] * 3
    # A 4x6 label on a 4x6 page: where it was, at its size.
    assert placed(document) == [[(f"LABEL {n}", 10.0, 412.0, 1.0)] for n in (101, 102, 103)]
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]
    assert [f"{n} 1ZTEST{n}" in text for n, text in zip((101, 102, 103), texts, strict=True)] == [
        True
    ] * 3


def test_a4_keeps_a_thermal_label_its_size_centred_and_shrinks_an_a4_label_on_4x6(store):
    small = shipment(store, 201, pdf=drawn_label("SMALL"))
    large = shipment(store, 202, pdf=drawn_label("LARGE", size=A4))

    on_a4 = label_document([small, large], layout="a4")
    on_4x6 = label_document([large], layout="4x6")

    assert sizes(on_a4) == [A4_SIZE, A4_SIZE]
    left, bottom = (A4[0] - 288) / 2, (A4[1] - 432) / 2
    assert placed(on_a4) == [
        [("SMALL", round(left + 10, 1), round(bottom + 412, 1), 1.0)],
        [("LARGE", 10.0, round(A4[1] - 20, 1), 1.0)],
    ]
    scale = 288 / A4[0]  # the width limits it
    top = (432 + A4[1] * scale) / 2
    assert sizes(on_4x6) == [SIX_BY_FOUR]
    assert placed(on_4x6) == [[("LARGE", round(10 * scale, 1), round(top - 20 * scale, 1), 0.484)]]


def test_a4x4_four_labels_per_page_in_reading_order(store):
    shipments = [shipment(store, n, pdf=drawn_label(f"L{n}")) for n in range(301, 306)]

    document = label_document(shipments, layout="a4x4")

    assert sizes(document) == [A4_SIZE, A4_SIZE]
    half_width, half_height = A4[0] / 2, A4[1] / 2
    scale = half_height / 432  # a 4x6 label in a quarter of A4: its height limits it
    left = (half_width - 288 * scale) / 2
    spots = [
        (column * half_width + left + 10 * scale, row * half_height + (432 - 20) * scale)
        for row in (1, 0)
        for column in (0, 1)
    ]
    assert placed(document) == [
        [
            (f"L{n}", round(x, 1), round(y, 1), round(scale, 3))
            for n, (x, y) in zip(range(301, 305), spots, strict=True)
        ],
        [("L305", round(spots[0][0], 1), round(spots[0][1], 1), round(scale, 3))],
    ]
    second = PdfReader(io.BytesIO(document)).pages[1].extract_text()
    assert "305 1ZTEST305" in second and "304" not in second


def test_a_landscape_label_is_turned_to_fill_a_4x6_page(store):
    landscape = shipment(store, 401, pdf=drawn_label("WIDE", size=(150 * mm, 100 * mm)))

    document = label_document([landscape], layout="4x6")

    [[(text, x, y, _)]] = placed(document)
    scale = min(288 / (100 * mm), 432 / (150 * mm))
    # Turned a quarter left: the label's top edge is now on the page's left.
    assert text == "WIDE"
    page = PdfReader(io.BytesIO(document)).pages[0]
    matrices = []
    page.extract_text(
        visitor_text=lambda t, cm, tm, f, s: t.strip() == "WIDE" and matrices.append(cm)
    )
    a, b, c, d, _e, _f = matrices[0]
    assert (round(a, 3), round(b, 3), round(c, 3), round(d, 3)) == (
        0.0,
        round(scale, 3),
        round(-scale, 3),
        0.0,
    )
    # (10, top - 20) on the label: 20 from the page's left, 10 from its bottom, scaled.
    assert (x, y) == (
        round(20 * scale + (288 - 100 * mm * scale) / 2, 1),
        round(10 * scale + (432 - 150 * mm * scale) / 2, 1),
    )


def test_zpl_labels_are_concatenated_for_a_thermal_printer(store):
    first = shipment(store, 501, zpl="^XA\n^FDONE^FS\n^XZ\n")
    second = shipment(store, 502, zpl="^XA\n^FDTWO^FS\n^XZ")

    assert label_document([first, second], layout="zpl") == (
        b"^XA\n^FDONE^FS\n^XZ\n^XA\n^FDTWO^FS\n^XZ\n"
    )


def test_labels_that_cannot_print_in_the_layout_are_refused_by_order(store):
    pdf = shipment(store, 601, pdf=drawn_label("PDF"))
    zpl = shipment(store, 602, zpl="^XA^XZ")
    none = shipment(store, 603)
    voided = shipment(store, 604, pdf=drawn_label("OLD"), voided=True)
    broken = shipment(store, 605, pdf=b"%PDF-1.4 not really")

    cases = [
        ([pdf, zpl], "4x6", "the label of order 602 is in ZPL: print it with the ZPL layout"),
        ([pdf], "zpl", "order 601 has no ZPL label (1ZTEST601): print it as a PDF"),
        ([none], "a4", "order 603 has no label (1ZTEST603)"),
        ([voided], "a4", "the label 1ZTEST604 of order 604 is voided: do not use it"),
        ([broken], "a4x4", "the label of order 605 is not a readable PDF"),
        ([pdf], "letter", "unknown label layout letter; expected one of 4x6, a4, a4x4, zpl"),
        ([], "4x6", "no labels to print"),
    ]
    for shipments, layout, message in cases:
        with pytest.raises(LabelDocumentError) as refused:
            label_document(shipments, layout=layout)
        assert str(refused.value) == message
