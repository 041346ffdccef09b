"""`shipdesk batch ship|list|reprint|void` and `shipdesk orders picklist`."""

import io
import json

import pytest
from pypdf import PdfReader

from shipdesk.batches.models import Batch
from tests.commands import refusal, run

from .conftest import order_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_ship_prints_exactly_what_shipped_what_did_not_and_the_pdf(
    shop, account, carrier, tmp_path
):
    second = order_of(shop, ("IP13-B", "B-1"))
    first = order_of(shop, ("CASE-A", "A-1"))
    refused = order_of(shop, ("CASE-C", "C-1"))
    carrier.refused.add(refused.order_number)
    out = tmp_path / "labels.pdf"
    numbers = [second.order_number, refused.order_number, first.order_number]

    printed = run(
        "batch", "ship", *numbers, "--account", "GLS main", "--service", "gls_parcel",
        "--out", str(out), "--json",
    )  # fmt: skip

    batch = Batch.objects.get()
    assert json.loads(printed) == {
        "batch": batch.pk,
        "shipped": [
            {"order": first.order_number, "tracking": f"GLS{first.order_number}", "carrier": "gls"},
            {
                "order": second.order_number,
                "tracking": f"GLS{second.order_number}",
                "carrier": "gls",
            },
        ],
        "failed": [{"order": refused.order_number, "reason": "unknown street (E_ADDRESS)"}],
        "pdf": str(out),
        "pages": 2,
    }
    assert out.read_bytes() == bytes(batch.pdf)
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 2


def test_batch_ship_without_an_account_says_which_order_no_rule_gave_a_service(
    shop, account, carrier, tmp_path
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


def test_batch_ship_refuses_bad_input_before_buying_anything(shop, account, carrier, tmp_path):
    order = order_of(shop, ("CASE-A", "A-1"))
    out = str(tmp_path / "labels.pdf")
    assert refusal("batch", "ship", order.order_number, "--account", "GLS main", "--out", out) == (
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
    assert (Batch.objects.count(), carrier.labels) == (0, [])


def test_batch_list_and_reprint(shop, account, carrier, tmp_path):
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(2)]
    run(
        "batch", "ship", *[o.order_number for o in orders], "--account", "GLS main",
        "--service", "gls_parcel", "--out", str(tmp_path / "first.pdf"),
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
                "account": "GLS main",
                "service": "gls_parcel",
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
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()
    assert refusal("batch", "reprint", "999", "--out", str(tmp_path / "x.pdf")) == (
        "no batch 999 (see `shipdesk batch list`)"
    )
