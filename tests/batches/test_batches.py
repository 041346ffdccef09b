"""Batches: each order checked, labels bought in parallel (bounded per carrier account), one
PDF in pick order, a failed order listed with its reason without stopping the others."""

import io
import threading

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY
from pypdf import PdfReader

from shipdesk.batches import actions
from shipdesk.batches.actions import (
    BatchError,
    batch_pdf,
    batch_picklist_pdf,
    create_batch,
    process_batch,
    reprint_batch,
    void_batch,
)
from shipdesk.batches.models import Batch, BatchOrder
from shipdesk.batches.tasks import start_batch
from shipdesk.carriers.services import add_sandbox_account, ship_with_label
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment

from .conftest import gls_account, order_of, orders_split_between

pytestmark = pytest.mark.django_db(transaction=True)

REFUSAL = "The postal code 00000 is invalid for FR (120208)"


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(pdf)).pages]


def label_text(order: Order) -> str:
    """What a label's page says, as documents.labels writes it: order and tracking number."""
    return f"{order.order_number} {order.shipments.get(voided=False).tracking_number}"


def ship_calls(sandbox, account) -> list:
    profile = account.server_url.rsplit("/", 1)[1]
    return [call for call in sandbox.carrier.calls_to("ship") if call.profile == profile]


def test_a_batch_ships_every_order_but_two_and_prints_the_labels_in_pick_order(
    shop, sandbox, account, settings
):
    settings.SHIPDESK_BATCH_CONCURRENCY = 3
    on_b2 = order_of(shop, ("IP13-B", "B-2"))
    on_a10 = order_of(shop, ("IP13-A", "A-10"))
    on_a2 = order_of(shop, ("CASE-Z", "A-2"))  # shelf A-2 comes before A-10
    on_a10_too = order_of(shop, ("IP13-A", "A-10"))
    without_imei = order_of(shop, ("IP14-C", "A-1"), imei=False)
    refused = order_of(shop, ("IP12-D", "C-1"), refused=True)
    nowhere = order_of(shop, ("CASE-A", ""))  # no location: last
    orders = [on_b2, on_a10, on_a2, on_a10_too, without_imei, refused, nowhere]

    batch = create_batch(orders, user=None, account=account, service="ups_standard_eu")
    done = process_batch(batch.pk)

    shipped = [on_a2, on_a10, on_a10_too, on_b2, nowhere]
    assert (done.status, done.error, done.total, done.shipped, done.failed, done.pages) == (
        "done",
        "",
        7,
        5,
        2,
        5,
    )
    tracking = dict(Shipment.objects.values_list("order_id", "tracking_number"))
    assert [
        (e.order_id, e.status, e.reason, e.shipment and e.shipment.tracking_number)
        for e in done.batch_orders.select_related("shipment")
    ] == [
        (
            without_imei.pk,
            "failed",
            f"cannot ship order {without_imei.order_number}: missing IMEI / serial number "
            "for IP14-C (iPhone IP14-C)",
            None,
        ),
        (on_a2.pk, "shipped", "", tracking[on_a2.pk]),
        (on_a10.pk, "shipped", "", tracking[on_a10.pk]),
        (on_a10_too.pk, "shipped", "", tracking[on_a10_too.pk]),
        (on_b2.pk, "shipped", "", tracking[on_b2.pk]),
        (refused.pk, "failed", REFUSAL, None),
        (nowhere.pk, "shipped", "", tracking[nowhere.pk]),
    ]
    assert page_texts(bytes(done.pdf)) == [label_text(o) for o in shipped]
    assert batch_pdf(done) == bytes(done.pdf)
    assert sorted(Order.objects.filter(status="shipped").values_list("pk", flat=True)) == sorted(
        o.pk for o in shipped
    )
    # Back Market is told through the outbox, once per shipment.
    assert sorted(
        Message.objects.filter(kind="backmarket").values_list("order_id", flat=True)
    ) == sorted(o.pk for o in shipped)
    # The phone without an IMEI never reached the carrier; the refused order did, once.
    assert len(ship_calls(sandbox, account)) == 6


def most_at_once(calls) -> int:
    """Most requests in flight at one moment, from their start and end times."""
    edges = sorted([(c.started, 1) for c in calls] + [(c.ended, -1) for c in calls])
    most = now = 0
    for _at, step in edges:
        now += step
        most = max(most, now)
    return most


def test_the_sandbox_carrier_never_sees_more_than_the_bound_in_flight_per_account(
    shop, sandbox, settings
):
    settings.SHIPDESK_BATCH_CONCURRENCY = 2
    slow = add_sandbox_account("Slow", url=sandbox.url, latency_ms=60)
    slower = add_sandbox_account("Slower", url=sandbox.url, latency_ms=70)
    orders = orders_split_between(shop, (slow, slower), "ups_standard_eu", 12)

    done = process_batch(create_batch(orders, user=None).pk)

    assert (done.shipped, done.failed) == (12, 0)
    calls = {acc.name: ship_calls(sandbox, acc) for acc in (slow, slower)}
    assert {name: len(c) for name, c in calls.items()} == {"Slow": 6, "Slower": 6}
    assert {name: most_at_once(c) <= 2 for name, c in calls.items()} == {
        "Slow": True,
        "Slower": True,
    }


def test_each_account_gets_exactly_its_bound_of_requests_at_once(shop, gls, settings):
    settings.SHIPDESK_BATCH_CONCURRENCY = 3
    gls.hold_until = 6  # each request waits for five others: met only by 3 per account
    first, second = gls_account("GLS one"), gls_account("GLS two")
    orders = orders_split_between(shop, (first, second), "gls_parcel", 12)

    done = process_batch(create_batch(orders, user=None).pk)

    assert list(done.batch_orders.values_list("reason", flat=True)) == [""] * 12
    assert (dict(gls.most_in_flight), gls.most_in_all) == ({"GLS one": 3, "GLS two": 3}, 6)


def test_slips_follow_their_labels(shop, account):
    first = order_of(shop, ("CASE-1", "A-1"))
    second = order_of(shop, ("CASE-2", "A-2"))

    done = process_batch(
        create_batch(
            [second, first],
            user=None,
            account=account,
            service="ups_standard_eu",
            with_slips=True,
            layout="a4x4",  # a slip after each label: one label per page
        ).pk
    )

    texts = page_texts(bytes(done.pdf))  # the slips in the buyers' French
    assert done.pages == 4
    assert texts[0] == label_text(first)
    assert texts[1].endswith(
        f"Test store · bon de livraison de la commande {first.order_number}\n1"
    )
    assert texts[2] == label_text(second)
    assert texts[3].endswith(
        f"Test store · bon de livraison de la commande {second.order_number}\n1"
    )


def test_four_labels_to_a_sheet_and_a_reprint_in_another_layout(shop, account):
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(5)]

    done = process_batch(
        create_batch(
            orders, user=None, account=account, service="ups_standard_eu", layout="a4x4"
        ).pk
    )

    assert done.pages == 2
    # Two labels side by side read as one line or two: compare the words, in order.
    assert [text.split() for text in page_texts(bytes(done.pdf))] == [
        " ".join(label_text(o) for o in orders[:4]).split(),
        label_text(orders[4]).split(),
    ]
    again = reprint_batch(done, layout="4x6")
    assert (again.layout, again.pages) == ("4x6", 5)
    assert Batch.objects.get(pk=done.pk).pages == 5
    with pytest.raises(
        BatchError, match="^a batch prints its labels in one of 4x6, a4, a4x4, not zpl$"
    ):
        reprint_batch(done, layout="zpl")


def test_without_an_account_each_order_ships_with_the_service_its_rules_chose(
    shop, sandbox, account
):
    chosen = order_of(shop, ("CASE-1", "A-1"))
    chosen.carrier_account, chosen.service_code = account, "ups_express_eu"
    chosen.save()
    unchosen = order_of(shop, ("CASE-2", "A-2"))

    done = process_batch(create_batch([chosen, unchosen], user=None).pk)

    assert [(e.order_id, e.status, e.reason) for e in done.batch_orders.all()] == [
        (chosen.pk, "shipped", ""),
        (
            unchosen.pk,
            "failed",
            f"no carrier service chosen for order {unchosen.order_number}: no shipping rule "
            "chose one; choose a carrier account and a service for the batch",
        ),
    ]
    assert Shipment.objects.get().service_code == "ups_express_eu"
    assert len(ship_calls(sandbox, account)) == 1


def test_an_order_with_an_incomplete_address_is_not_sent_to_the_carrier(shop, sandbox, account):
    order = order_of(shop, ("CASE-1", "A-1"))
    order.ship_to.street1, order.ship_to.city = "", " "
    order.ship_to.save()

    done = process_batch(
        create_batch([order], user=None, account=account, service="ups_standard_eu").pk
    )

    assert (done.status, done.pdf, done.pages) == ("done", None, 0)
    assert list(done.batch_orders.values_list("status", "reason")) == [
        ("failed", f"the address of order {order.order_number} has no street, city")
    ]
    assert ship_calls(sandbox, account) == []
    with pytest.raises(BatchError, match=f"^batch {done.pk} has no label to print$"):
        batch_pdf(done)


def test_progress_is_saved_as_orders_end(shop, account, settings, monkeypatch):
    settings.SHIPDESK_BATCH_CONCURRENCY = 1  # one order at a time
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}"), refused=n == 1) for n in range(3)]
    batch = create_batch(orders, user=None, account=account, service="ups_standard_eu")
    assert (batch.status, batch.total, batch.done) == ("pending", 3, 0)
    saved = []
    # Outcomes that end together are saved together: each order waits to be bought until
    # the one before it is saved, so that each is seen saved on its own.
    reported = threading.Semaphore(0)
    bought = []

    def buy_after_the_last_is_saved(order, *args, **kwargs):
        if bought:
            assert reported.acquire(timeout=30)
        bought.append(order.order_number)
        return ship_with_label(order, *args, **kwargs)

    def seen(progress):
        stored = Batch.objects.get(pk=batch.pk)
        saved.append((progress.shipped, progress.failed, stored.shipped, stored.failed))
        reported.release()

    monkeypatch.setattr(actions, "ship_with_label", buy_after_the_last_is_saved)
    done = process_batch(batch.pk, progress=seen)

    assert saved == [(1, 0, 1, 0), (1, 1, 1, 1), (2, 1, 2, 1)]
    assert bought == [o.order_number for o in orders]
    assert list(done.batch_orders.values_list("status", flat=True)) == [
        "shipped",
        "failed",
        "shipped",
    ]
    assert (done.started_at is not None, done.finished_at is not None) == (True, True)


def test_a_batch_is_processed_once(shop, sandbox, account):
    batch = create_batch(
        [order_of(shop, ("CASE-1", "A-1"))], user=None, account=account, service="ups_standard_eu"
    )
    first = process_batch(batch.pk)

    again = process_batch(batch.pk)

    assert (first.status, again.status, again.shipped) == ("done", "done", 1)
    assert len(ship_calls(sandbox, account)) == 1


def test_voiding_a_batch_voids_each_label_at_the_carrier(shop, sandbox, account):
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(3)]
    done = process_batch(
        create_batch(orders, user=None, account=account, service="ups_standard_eu").pk
    )
    numbers = list(Shipment.objects.order_by("id").values_list("tracking_number", flat=True))

    result = void_batch(done)

    assert (len(result.voided), result.refused) == (3, [])
    assert [sandbox.carrier.parcel(n).voided for n in numbers] == [True, True, True]
    assert list(Shipment.objects.values_list("voided", flat=True)) == [True, True, True]
    assert sorted(Order.objects.values_list("status", flat=True)) == ["awaiting_shipment"] * 3
    assert list(done.batch_orders.values_list("status", flat=True)) == ["voided"] * 3
    done.refresh_from_db()
    assert (done.voided_at is not None, done.pdf, done.pages) == (True, None, 0)
    with pytest.raises(BatchError, match=f"^batch {done.pk} has no label to print$"):
        batch_pdf(done)


def test_the_batch_pick_list_sums_what_it_shipped(shop, account):
    phone = order_of(shop, ("IP13-A", "A-10"), ("CASE-A", "B-1"))
    two = order_of(shop, ("IP13-A", "A-10"))
    refused = order_of(shop, ("IP13-A", "A-10"), refused=True)
    batch = create_batch(
        [phone, two, refused], user=None, account=account, service="ups_standard_eu"
    )
    before = PdfReader(io.BytesIO(batch_picklist_pdf(batch))).pages[0].extract_text()

    done = process_batch(batch.pk)

    after = PdfReader(io.BytesIO(batch_picklist_pdf(done))).pages[0].extract_text()
    assert before.split("\n")[:2] == [f"Pick list · batch {batch.pk}", before.split("\n")[1]]
    assert before.split("\n")[1].startswith("3 orders · 4 units · 2 SKUs · ")
    assert after.split("\n")[1].startswith("2 orders · 3 units · 2 SKUs · ")
    assert after.split("\n")[6:] == [
        "A-10",
        "IP13-A",
        "iPhone IP13-A",
        " 2",
        "B-1",
        "CASE-A",
        "Case CASE-A",
        " 1",
        "Total units",
        " 3",
        "",
    ]


def test_a_batch_is_refused_without_orders_or_with_half_a_service(shop, account):
    order = order_of(shop, ("CASE-1", "A-1"))
    with pytest.raises(BatchError, match="^select at least one order$"):
        create_batch([], user=None)
    half = "^choose both a carrier account and a service, or neither$"
    with pytest.raises(BatchError, match=half):
        create_batch([order], user=None, account=account)
    with pytest.raises(BatchError, match=half):
        create_batch([order], user=None, service="ups_standard_eu")
    with pytest.raises(
        BatchError, match="^a batch prints its labels in one of 4x6, a4, a4x4, not zpl$"
    ):
        create_batch([order], user=None, layout="zpl")
    account.active = False
    account.save()
    with pytest.raises(BatchError, match="^carrier account Sandbox is not active$"):
        create_batch([order], user=None, account=account, service="ups_standard_eu")
    assert (Batch.objects.count(), BatchOrder.objects.count()) == (0, 0)


def test_the_worker_processes_a_batch_once_its_transaction_is_committed(shop, sandbox, account):
    order = order_of(shop, ("CASE-1", "A-1"))
    HUEY.immediate = True  # the queued job runs at once, in this thread
    try:
        with transaction.atomic():
            batch = create_batch([order], user=None, account=account, service="ups_standard_eu")
            start_batch(batch)
            assert (Batch.objects.get().status, ship_calls(sandbox, account)) == ("pending", [])
    finally:
        HUEY.immediate = False

    done = Batch.objects.get()
    assert (done.status, done.shipped, done.pages) == ("done", 1, 1)
    assert len(ship_calls(sandbox, account)) == 1
