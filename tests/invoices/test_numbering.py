"""Invoice numbers: one gap-free sequence per store, one invoice (one number) per order."""

import pytest

from shipdesk.invoices import actions, pdf
from shipdesk.invoices.actions import generate_invoice
from shipdesk.invoices.models import Invoice, InvoiceSettings
from shipdesk.orders.models import Order, OrderEvent
from tests.factories import make_order, make_store
from tests.invoices.helpers import legal_details
from tests.orders.test_races import race, widen


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_a_crash_after_the_number_is_taken_gives_the_number_back(monkeypatch):
    store = make_store()
    legal_details(store)
    first, second = make_order(store, 2001), make_order(store, 2002)
    render = pdf.render
    taken = []

    def crash_once(invoice, settings):
        taken.append(invoice.number)
        if len(taken) == 1:
            raise Crash("the PDF could not be written")
        return render(invoice, settings)

    monkeypatch.setattr(pdf, "render", crash_once)

    with pytest.raises(Crash):
        generate_invoice(first)
    invoice = generate_invoice(second)

    assert taken == [f"INV-{store.pk}-000001", f"INV-{store.pk}-000001"]
    assert (invoice.order_id, invoice.sequence, invoice.number) == (
        second.pk,
        1,
        f"INV-{store.pk}-000001",
    )
    assert not Invoice.objects.filter(order=first).exists()
    assert not OrderEvent.objects.filter(order=first, kind="invoice_generated").exists()
    assert InvoiceSettings.objects.get(store=store).next_number == 2
    assert generate_invoice(first).number == f"INV-{store.pk}-000002"


@pytest.mark.django_db
def test_an_order_has_one_invoice_and_asking_again_returns_it():
    store = make_store()
    legal_details(store, number_prefix="F2026-")
    order = make_order(store, 2003)

    first = generate_invoice(order)
    again = generate_invoice(Order.objects.get(pk=order.pk))

    assert (again.pk, again.number) == (first.pk, "F2026-000001")
    assert InvoiceSettings.objects.get(store=store).next_number == 2
    assert list(
        OrderEvent.objects.filter(order=order, kind="invoice_generated").values_list(
            "message", flat=True
        )
    ) == ["Invoice F2026-000001 generated."]


@pytest.mark.django_db
def test_each_store_has_its_own_sequence():
    paris, lyon = make_store("Paris"), make_store("Lyon")
    legal_details(paris)
    legal_details(lyon)

    numbers = [
        generate_invoice(make_order(paris, 2004)).number,
        generate_invoice(make_order(lyon, 2005)).number,
        generate_invoice(make_order(paris, 2006)).number,
    ]

    assert numbers == [
        f"INV-{paris.pk}-000001",
        f"INV-{lyon.pk}-000001",
        f"INV-{paris.pk}-000002",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_invoices_written_at_once_get_consecutive_numbers(monkeypatch):
    """The window: the PDF is written after the number is taken; both threads meet there
    unless the second one waits for the first one's lock on the sequence."""
    store = make_store()
    legal_details(store)
    first, second = make_order(store, 2007), make_order(store, 2008)
    widen(monkeypatch, pdf, "render")

    results = race(lambda: generate_invoice(first), lambda: generate_invoice(second))

    assert [type(r) for r in results] == [Invoice, Invoice]
    assert sorted(r.sequence for r in results) == [1, 2]
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-{store.pk}-000001",
        f"INV-{store.pk}-000002",
    ]
    assert InvoiceSettings.objects.get(store=store).next_number == 3


@pytest.mark.django_db(transaction=True)
def test_two_people_invoicing_one_order_at_once_make_one_invoice(monkeypatch):
    store = make_store()
    legal_details(store)
    order = make_order(store, 2009)
    widen(monkeypatch, actions, "_take_number")

    results = race(
        lambda: generate_invoice(Order.objects.get(pk=order.pk)),
        lambda: generate_invoice(Order.objects.get(pk=order.pk)),
    )

    [invoice] = Invoice.objects.all()
    assert [r.pk for r in results] == [invoice.pk, invoice.pk]
    assert invoice.number == f"INV-{store.pk}-000001"
    assert InvoiceSettings.objects.get(store=store).next_number == 2
    assert OrderEvent.objects.filter(order=order, kind="invoice_generated").count() == 1


@pytest.mark.django_db
def test_file_names_are_safe_to_download_and_upload():
    from shipdesk.invoices.actions import attach_seller_pdf
    from tests.invoices.test_upload import SELLER_PDF

    store = make_store()
    legal_details(store, number_prefix='F/2026 "A"-')

    generated = generate_invoice(make_order(store, 2010))
    own = attach_seller_pdf(make_order(store, 2011), SELLER_PDF, 'facture "mai".pdf')
    unnamed = attach_seller_pdf(make_order(store, 2012), SELLER_PDF, "../")

    assert generated.number == 'F/2026 "A"-000001'
    assert (generated.filename, own.filename, unnamed.filename) == (
        "invoice-F2026_A-000001.pdf",
        "facture_mai.pdf",
        "invoice-2012.pdf",
    )
