"""Pick lists: each SKU's quantity summed per location over the orders, in walking order."""

import io

import pytest
from pypdf import PdfReader

from shipdesk.backmarket import LineState
from shipdesk.documents.picklist import PickLine, natural, pick_key, pick_lines, picklist_pdf
from shipdesk.orders.models import Order, OrderItem
from tests.commands import refusal, run
from tests.factories import Line, imported_order, make_store

pytestmark = pytest.mark.django_db

CASE = Line("CASE-13", "Coque iPhone 13", "Apple", 1, "9.00")


def located(order: Order, **shelves: str) -> Order:
    for item in order.items.all():
        item.warehouse_location = shelves.get(item.sku.replace("-", "_"), "")
        item.save()
    return order


def test_quantities_are_summed_per_sku_and_location_in_walking_order():
    store = make_store()
    two_phones = located(
        imported_order(store, lines=(Line(quantity=2, price="738.00"), CASE)),
        IP13_128_BLK_GOOD="A-10",
        CASE_13="B-2",
    )
    one_phone = located(imported_order(store), IP13_128_BLK_GOOD="A-10")
    case_elsewhere = located(imported_order(store, lines=(CASE,)), CASE_13="A-2")
    cancelled = located(
        imported_order(store, lines=(Line("GS21", "Galaxy S21", state=LineState.CANCELLED), CASE)),
        GS21="A-1",
        CASE_13="B-2",
    )
    OrderItem.objects.create(order=cancelled, sku="DISCOUNT", name="Goodwill", adjustment=True)

    lines = pick_lines([two_phones, one_phone, case_elsewhere, cancelled])

    assert lines == [
        PickLine("A-2", "CASE-13", "Coque iPhone 13", 1, 1),
        PickLine("A-10", "IP13-128-BLK-GOOD", "iPhone 13 128 Go - Noir - Débloqué", 3, 2),
        PickLine("B-2", "CASE-13", "Coque iPhone 13", 2, 2),
    ]
    pages = PdfReader(io.BytesIO(picklist_pdf([two_phones, one_phone], title="Batch 7"))).pages
    text = pages[0].extract_text()
    assert len(pages) == 1
    assert text.startswith("Batch 7\n2 orders · 4 units · 2 SKUs · ")
    assert text.split("\n")[6:] == [
        "A-10",
        "IP13-128-BLK-GOOD",
        "iPhone 13 128 Go - Noir - Débloqué",
        " 3",
        "B-2",
        "CASE-13",
        "Coque iPhone 13",
        " 1",
        "Total units",
        " 4",
        "",
    ]


def test_pick_order_is_location_then_sku_numbers_as_numbers_and_no_location_last():
    assert sorted(["A-10", "a-2", "B-1", "A-2b"], key=natural) == ["a-2", "A-2b", "A-10", "B-1"]
    store = make_store()
    nowhere = located(imported_order(store, lines=(CASE,)))
    shelf_10 = located(imported_order(store), IP13_128_BLK_GOOD="S-10")
    shelf_9_case = located(imported_order(store, lines=(CASE,)), CASE_13="S-9")
    shelf_9_phone = located(
        imported_order(store, lines=(Line(), CASE)), IP13_128_BLK_GOOD="S-9", CASE_13="Z-1"
    )
    orders = [nowhere, shelf_10, shelf_9_case, shelf_9_phone]
    for order in orders:
        order.refresh_from_db()  # no prefetched items: pick_key reads them

    assert sorted(orders, key=pick_key) == [shelf_9_case, shelf_9_phone, shelf_10, nowhere]


def test_orders_picklist_command(tmp_path):
    store = make_store()
    order = located(imported_order(store), IP13_128_BLK_GOOD="A-1")
    out = tmp_path / "pick.pdf"

    printed = run("orders", "picklist", order.order_number, "--out", str(out))

    assert printed == f"Wrote the pick list to {out}: 1 order · 1 unit · 1 SKU.\n"
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "\nA-1\nIP13-128-BLK-GOOD\n" in text
    assert refusal("orders", "picklist", "404", "--out", str(out)) == "no order '404'"
