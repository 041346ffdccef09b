"""`shipdesk orders invoice`: the invoice generated (or the seller's file), its upload queued;
one line said, refusals one line and a non-zero exit."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shipdesk.invoices.models import Invoice
from shipdesk.outbox import engine
from tests.invoices.helpers import legal_details, pdf_text
from tests.invoices.test_upload import SELLER_PDF, invoice_calls
from tests.sync.returns import shipped_order

pytestmark = pytest.mark.django_db


def invoice(*args) -> str:
    out = StringIO()
    call_command("orders", "invoice", *args, stdout=out)
    return out.getvalue()


def test_an_invoice_is_generated_written_and_sent_once(store, sandbox, tmp_path):
    legal_details(store)
    order = shipped_order(store)
    out = tmp_path / "invoice.pdf"

    said = invoice(order.order_number, "--out", str(out))
    engine.deliver_due()
    again = invoice(order.order_number, "--store", store.name)

    number = Invoice.objects.get(order=order).number
    assert said == (
        f"Invoice {number} of order {order.order_number} (Test store): Back Market upload "
        f"queued; written to {out}.\n"
    )
    assert again.startswith(
        f"Invoice {number} of order {order.order_number} (Test store): Back Market sent on "
    )
    assert number in pdf_text(out.read_bytes())
    assert len(invoice_calls(sandbox, order)) == 1


def test_the_sellers_own_file_is_sent(store, sandbox, tmp_path):
    order = shipped_order(store)
    own = tmp_path / "F-2026-9.pdf"
    own.write_bytes(SELLER_PDF)

    said = invoice(order.order_number, "--file", str(own))
    engine.deliver_due()

    assert said == (
        f"Invoice F-2026-9.pdf of order {order.order_number} (Test store): Back Market upload "
        "queued.\n"
    )
    assert sandbox.state.invoices[order.channel_order_id] == ("F-2026-9.pdf", SELLER_PDF)


def test_refusals_are_one_line(store, sandbox, tmp_path):
    order = shipped_order(store)
    text = tmp_path / "notes.txt"
    text.write_text("not a pdf")

    refusals = []
    for args in (
        ["--file", str(text)],
        ["--file", str(tmp_path / "missing.pdf")],
        [],
        ["--out", str(tmp_path / "no-folder" / "x.pdf")],
    ):
        with pytest.raises(CommandError) as refused:
            invoice(order.order_number, *args)
        refusals.append(str(refused.value))

    assert refusals == [
        "the invoice file is not a PDF",
        f"cannot read {tmp_path / 'missing.pdf'}: No such file or directory",
        f"the invoice of order {order.order_number} needs the store's legal company name, "
        "registered address, VAT number (store settings)",
        f"cannot write {tmp_path / 'no-folder' / 'x.pdf'}: there is no folder "
        f"{tmp_path / 'no-folder'}",
    ]
    assert not Invoice.objects.exists()
    assert invoice_calls(sandbox, order) == []


def test_the_help_says_what_the_store_must_fill_in(capsys):
    with pytest.raises(SystemExit):
        call_command("orders", "invoice", "--help")

    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        "needs the store's legal details, set on the web (Stores > the store > Invoices): legal "
        "company name, registered address, VAT number, legal mentions, the default VAT treatment "
        "(REGULAR: VAT shown at the store's VAT rate; MARGINAL: the margin scheme, no VAT shown, "
        "with the legal mention)"
    ) in help_text
    assert "--file FILE send this PDF (the seller's own invoice) instead of generating one" in (
        help_text
    )


def test_a_manual_orders_invoice_is_written_and_not_sent(tmp_path):
    from shipdesk.orders.models import Order
    from tests.factories import make_order, make_store

    store = make_store("Counter sales", channel="manual")
    legal_details(store)
    order = make_order(store, 4001)
    Order.objects.filter(pk=order.pk).update(country_code="")  # ships to France: French
    out = tmp_path / "invoice.pdf"

    said = invoice(order.order_number, "--out", str(out))

    assert said == (
        f"Invoice INV-{store.pk}-000001 of order 4001 (Counter sales): not for Back Market "
        f"(a manual order); written to {out}.\n"
    )
    text = pdf_text(out.read_bytes())
    assert "Commande : 4001" in text
    assert "Payée le 14/03/2026." in text
    assert "Back Market" not in text
