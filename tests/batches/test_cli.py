"""`shipdesk batch ship|list|reprint|void` and `shipdesk orders picklist`."""

import io
import json

import pytest
from pypdf import PdfReader

from shipdesk.batches.models import Batch
from shipdesk.shipping.models import Shipment
from tests.commands import refusal, run

from .conftest import gls_account, order_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_ship_prints_exactly_what_shipped_what_did_not_and_the_pdf(shop, account, tmp_path):
    second = order_of(shop, ("IP13-B", "B-1"))
    first = order_of(shop, ("CASE-A", "A-1"))
    refused = order_of(shop, ("CASE-C", "C-1"), refused=True)
    out = tmp_path / "labels.pdf"
    numbers = [second.order_number, refused.order_number, first.order_number]

    printed = run(
        "batch", "ship", *numbers, "--account", "Sandbox", "--service", "ups_standard_eu",
        "--out", str(out), "--json",
    )  # fmt: skip

    batch = Batch.objects.get()
    tracking = dict(Shipment.objects.values_list("order_id", "tracking_number"))
    assert json.loads(printed) == {
        "batch": batch.pk,
        "shipped": [
            {"order": first.order_number, "tracking": tracking[first.pk], "carrier": "sandbox"},
            {"order": second.order_number, "tracking": tracking[second.pk], "carrier": "sandbox"},
        ],
        "failed": [
            {
                "order": refused.order_number,
                "reason": "The postal code 00000 is invalid for FR (120208)",
            }
        ],
        "pdf": str(out),
        "pages": 2,
    }
    assert out.read_bytes() == bytes(batch.pdf)
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 2


def test_batch_ship_without_an_account_says_which_order_no_rule_gave_a_service(
    shop, account, tmp_path
):
    order = order_of(shop, ("CASE-A", "A-1"))
    out = tmp_path / "labels.pdf"

    said = refusal("batch", "ship", order.order_number, "--out", str(out))

    batch = Batch.objects.get()
    assert said == f"no label bought in batch {batch.pk}: nothing written to {out}"
    assert not out.exists()
    assert list(batch.batch_orders.values_list("status", "reason")) == [
        (
            "failed",
            f"no carrier service chosen for order {order.order_number}: no shipping rule chose "
            "one; choose a carrier account and a service for the batch",
        )
    ]


def test_batch_ship_refuses_bad_input_before_buying_anything(shop, sandbox, account, tmp_path):
    order = order_of(shop, ("CASE-A", "A-1"))
    out = str(tmp_path / "labels.pdf")
    assert refusal("batch", "ship", order.order_number, "--account", "Sandbox", "--out", out) == (
        "give --account and --service together, or neither"
    )
    assert refusal(
        "batch", "ship", order.order_number, "--account", "Nope", "--service", "x", "--out", out
    ) == ("no carrier account 'Nope' (see `shipdesk carrier list`)")
    assert refusal("batch", "ship", "999", "--out", out) == "no order '999'"
    assert refusal(
        "batch", "ship", order.order_number, "--out", str(tmp_path / "missing" / "labels.pdf")
    ) == (f"cannot write {tmp_path / 'missing' / 'labels.pdf'}: there is no folder "
          f"{tmp_path / 'missing'}")  # fmt: skip
    assert (Batch.objects.count(), sandbox.carrier.calls_to("ship")) == (0, [])


def test_batch_list_reprint_and_void(shop, sandbox, account, tmp_path):
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(2)]
    run(
        "batch", "ship", *[o.order_number for o in orders], "--account", "Sandbox",
        "--service", "ups_standard_eu", "--out", str(tmp_path / "first.pdf"),
    )  # fmt: skip
    batch = Batch.objects.get()

    listed = json.loads(run("batch", "list", "--json"))
    printed = run("batch", "reprint", str(batch.pk), "--out", str(tmp_path / "again.pdf"))

    assert listed == {
        "batches": [
            {
                "batch": batch.pk,
                "created_at": batch.created_at.isoformat(),
                "created_by": None,
                "status": "done",
                "account": "Sandbox",
                "service": "ups_standard_eu",
                "with_slips": False,
                "total": 2,
                "shipped": 2,
                "failed": 0,
                "pages": 2,
                "voided": False,
            }
        ]
    }
    assert printed == f"Wrote batch {batch.pk}'s labels to {tmp_path / 'again.pdf'} (2 pages).\n"
    assert page_texts(tmp_path / "again.pdf") == page_texts(tmp_path / "first.pdf")
    sheet = run(
        "batch", "reprint", str(batch.pk), "--layout", "a4x4", "--out", str(tmp_path / "a4.pdf")
    )  # fmt: skip
    assert sheet == f"Wrote batch {batch.pk}'s labels to {tmp_path / 'a4.pdf'} (1 page).\n"
    assert [t.split() for t in page_texts(tmp_path / "a4.pdf")] == [
        " ".join(page_texts(tmp_path / "first.pdf")).split()
    ]
    assert Batch.objects.get().layout == "a4x4"
    assert (
        refusal(
            "batch", "reprint", str(batch.pk), "--layout", "zpl", "--out", str(tmp_path / "x.pdf")
        )
        == "Error: argument --layout: invalid choice: 'zpl' (choose from '4x6', 'a4', 'a4x4')"
    )
    assert refusal("batch", "reprint", "999", "--out", str(tmp_path / "x.pdf")) == (
        "no batch 999 (see `shipdesk batch list`)"
    )

    voided = run("batch", "void", str(batch.pk), "--yes")

    assert voided == f"Batch {batch.pk}: 2 labels voided.\n"
    assert [p.voided for p in sandbox.carrier.parcels.values()] == [True, True]
    assert refusal("batch", "void", str(batch.pk), "--yes") == (
        f"batch {batch.pk} has no label to void"
    )


def test_batch_ship_says_what_it_wrote_and_why_it_wrote_nothing(shop, gls, tmp_path):
    one, two = order_of(shop, ("CASE-A", "A-1")), order_of(shop, ("CASE-B", "A-2"))
    gls_account("GLS")
    out = tmp_path / "labels.pdf"
    ship = ("--account", "GLS", "--service", "gls_parcel", "--out", str(out))

    printed = run("batch", "ship", one.order_number, *ship)

    assert printed == f"Batch {Batch.objects.get().pk}: 1 shipped, 0 not shipped.\n" + (
        f"Wrote 1 label to {out} (1 page).\n"
    )
    gls.label = b"%PDF-1.4 cut short"  # a PDF's start, as a broken download has
    out.unlink()
    refused = refusal("batch", "ship", two.order_number, *ship)
    batch = Batch.objects.latest("pk")
    assert refused == (
        f"batch {batch.pk}: the label of order {two.order_number} is not a readable PDF; "
        f"nothing written to {out}"
    )
    assert (batch.status, batch.shipped, batch.pages, out.exists()) == ("done", 1, 0, False)


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]
