"""Packing slips: the PDF's text as pypdf reads it, for one order and for a batch."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image
from pypdf import PdfReader

from shipdesk.documents.packing_slips import render
from shipdesk.orders.actions import set_identifier, set_notes
from shipdesk.orders.models import Order
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from tests.factories import IMEI, imported_order, make_order, make_store, sandbox_order

pytestmark = pytest.mark.django_db


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def branded_store(store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    store.company_name = "Électronique Müller & Søn"
    store.phone = "+33 1 23 45 67 89"
    store.website = "https://reconditionné.example.com"
    store.email = "contact@muller.example.com"
    store.brand_color = "#114477"
    store.logo.save("logo.png", ContentFile(png("#114477")), save=False)
    store.save()
    import_orders(store)
    return store


def phone_order() -> Order:
    """A new single-line, single-unit phone order awaiting shipment."""
    return imported_order(Store.objects.get())


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_packing_slip_shows_branding_items_options_location_imei_and_notes(branded_store):
    order = phone_order()
    item = order.items.get()
    item.warehouse_location = "A-03-2"
    item.save()
    set_identifier(order, sku=item.sku, imei=IMEI)
    set_notes(order, to_buyer="Merci ! Garantie 12 mois, señor García.")
    order.gift, order.gift_message = True, "Joyeux anniversaire, Jürgen ß"
    order.save()

    pdf = render([order])

    [page] = text_of(pdf)
    assert f"Commande {order.order_number}" in page
    assert "Électronique Müller & Søn" in page
    assert "+33 1 23 45 67 89" in page and "contact@muller.example.com" in page
    assert item.sku in page
    # A French buyer's slip: the options the import wrote in English, in French.
    assert "|État : Bon état|Stockage : 128 GB|Couleur : Noir|Verrouillage : Débloqué|" in (
        lines_of(page)
    )
    assert "A-03-2" in page
    assert f"Unité 1 : IMEI {IMEI}" in page
    assert "Merci ! Garantie 12 mois, señor García." in page
    assert "Joyeux anniversaire, Jürgen ß" in page
    assert order.ship_to.name in page
    # The human-readable line under the Code 128 barcode.
    assert page.count(order.order_number) >= 3
    reader = PdfReader(io.BytesIO(pdf))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    assert len(reader.pages[0].images) == 1  # the logo
    fonts = {
        str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].get_object().values()
    }
    assert any(f.split("+")[-1] in ("DejaVuSans", "BitstreamVeraSans-Roman") for f in fonts)


def test_a_batch_is_one_pdf_with_each_order_on_its_own_page_on_letter_paper(branded_store):
    orders = [phone_order(), phone_order(), phone_order()]

    pdf = render(orders, paper="Letter")

    pages = text_of(pdf)
    assert len(pages) == 3
    for page, order in zip(pages, orders, strict=True):
        assert f"Commande {order.order_number}" in page
        assert order.items.get().sku in page
        others = [o.order_number for o in orders if o != order]
        assert not any(f"Commande {n}" in page for n in others)
    mediabox = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert [round(float(v)) for v in mediabox[2:]] == [612, 792]


def test_a_missing_logo_file_prints_the_slip_without_it(branded_store):
    order = phone_order()
    branded_store.logo.storage.delete(branded_store.logo.name)

    pdf = render([order])

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 0
    assert "Électronique Müller & Søn" in reader.pages[0].extract_text()


def test_unknown_paper_size_is_refused(branded_store):
    with pytest.raises(ValueError, match="unknown paper size 'A5'; expected A4 or Letter"):
        render([phone_order()], paper="A5")


def test_packingslip_command_writes_the_pdf(branded_store, tmp_path):
    first, second = phone_order(), phone_order()
    out = tmp_path / "slips.pdf"
    stdout = io.StringIO()

    call_command(
        "packingslip",
        first.order_number,
        second.order_number,
        out=str(out),
        paper="Letter",
        stdout=stdout,
    )

    pages = text_of(out.read_bytes())
    assert [
        f"Commande {o.order_number}" in p for p, o in zip(pages, [first, second], strict=True)
    ] == [True, True]
    assert stdout.getvalue().startswith(f"Wrote 2 packing slips to {out} (")
    with pytest.raises(CommandError, match="no order '0000'"):
        call_command("packingslip", "0000", out=str(out))


@pytest.mark.parametrize("command", [["packingslip"], ["orders", "packing-slip"]], ids=" ".join)
def test_packing_slip_of_an_order_number_two_stores_have_needs_the_store(db, tmp_path, command):
    paris, lyon = make_store("Refurb Paris"), make_store("Refurb Lyon")
    make_order(paris, 1001, customer="Léa Martin")
    make_order(lyon, 1001, customer="Hugo Bernard")
    out = tmp_path / "slip.pdf"

    with pytest.raises(CommandError) as several:
        call_command(*command, "1001", out=str(out))
    call_command(*command, "1001", store="Refurb Lyon", out=str(out), stdout=io.StringIO())

    assert str(several.value) == (
        f"order number '1001' exists in several stores: 'Refurb Lyon' (id {lyon.pk}), "
        f"'Refurb Paris' (id {paris.pk}); pick one with --store ID_OR_NAME"
    )
    [page] = text_of(out.read_bytes())
    assert ("Hugo Bernard" in page, "Léa Martin" in page) == (True, False)


@pytest.mark.urls("tests.documents.urls")
def test_packing_slips_page_for_signed_in_users(branded_store, client):
    from django.contrib.auth.models import User

    first, second = phone_order(), phone_order()
    url = f"/packing-slips.pdf?orders={second.pk},{first.pk}&paper=Letter"
    assert client.get(url).status_code == 302

    client.force_login(User.objects.create_user("packer", password="pw-123456"))
    page = client.get(url)

    assert (page.status_code, page["Content-Type"]) == (200, "application/pdf")
    assert page["Content-Disposition"] == 'inline; filename="packing-slips.pdf"'
    pages = text_of(page.content)
    assert [
        f"Commande {second.order_number}" in pages[0],
        f"Commande {first.order_number}" in pages[1],
    ] == [True, True]
    assert client.get("/packing-slips.pdf?orders=x").status_code == 400
    assert client.get(f"/packing-slips.pdf?orders={first.pk}&paper=A3").status_code == 400


# What each buyer reads: the title, the order's heading word, the order date (14 March 2026)
# as the language writes it, the ship-to heading, the column headers and the item's options.
SLIP_TEXTS = {
    "de-de": (
        "LIEFERSCHEIN",
        "Bestellung",
        "14. März 2026",
        "Lieferadresse",
        "Lagerort|Artikelnummer|Artikel|Menge",
        "Zustand: Gut|Speicher: 128 GB|Farbe: Noir|SIM-Lock: Ohne Simlock",
    ),
    "es-es": (
        "ALBARÁN",
        "Pedido",
        "14 de marzo de 2026",
        "Enviar a",
        "Ubicación|Referencia|Artículo|Cant.",
        "Estado: Bueno|Almacenamiento: 128 GB|Color: Noir|Bloqueo: Libre",
    ),
    "it-it": (
        "BOLLA DI CONSEGNA",
        "Ordine",
        "14 Marzo 2026",  # Django's Italian capitalises the month
        "Spedire a",
        "Posizione|Codice articolo|Articolo|Qtà",
        "Condizioni: Buono|Memoria: 128 GB|Colore: Noir|Blocco operatore: Sbloccato",
    ),
    "nl-nl": (
        "PAKBON",
        "Bestelling",
        "14 maart 2026",
        "Verzenden naar",
        "Locatie|Artikelnummer|Artikel|Aantal",
        "Staat: Goed|Opslag: 128 GB|Kleur: Noir|Simlock: Simlockvrij",
    ),
    # Swedish is not a language shipdesk writes: the buyer reads English.
    "sv-se": (
        "PACKING SLIP",
        "Order",
        "March 14, 2026",
        "Ship to",
        "Location|SKU|Item|Qty",
        "Grade: Good|Storage: 128 GB|Colour: Noir|Lock status: Unlocked",
    ),
}


def lines_of(page: str) -> str:
    return "|".join(line.strip() for line in page.splitlines())


@pytest.mark.parametrize("country_code", SLIP_TEXTS)
def test_a_slip_is_in_its_buyers_language(store, country_code):
    order = sandbox_order(store, country_code=country_code)
    title, heading, date, ship_to, columns, options = SLIP_TEXTS[country_code]

    [page] = text_of(render([order]))

    assert lines_of(page).startswith(
        f"{store.name}|{title}|{heading} {order.order_number} · {date}|{order.order_number}|"
        f"{ship_to}|"
    )
    assert f"|{columns}|" in lines_of(page)
    assert f"|{options}|" in lines_of(page)
    english = ("PACKING SLIP", "Ship to", "Location", "Total units", "Thank you")
    assert [text in page for text in english] == [country_code == "sv-se"] * 5


def test_a_batch_has_each_slip_in_its_own_buyers_language(store):
    french = sandbox_order(store, country_code="fr-fr")
    german = sandbox_order(store, country_code="de-de")
    english = sandbox_order(store, country_code="en-gb")

    pages = [lines_of(page) for page in text_of(render([french, german, english]))]

    assert [page.split("|")[1:3] for page in pages] == [
        ["BON DE LIVRAISON", f"Commande {french.order_number} · 14 mars 2026"],
        ["LIEFERSCHEIN", f"Bestellung {german.order_number} · 14. März 2026"],
        ["PACKING SLIP", f"Order {english.order_number} · March 14, 2026"],
    ]
    assert pages[1].endswith(
        f"|Vielen Dank für Ihre Bestellung. — {store.name}"
        f"|{store.name} · Lieferschein zur Bestellung {german.order_number}|2"
    )
