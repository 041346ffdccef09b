"""Batches: each order checked, labels bought in parallel (bounded per carrier account), one
PDF in pick order, a failed order listed with its reason without stopping the others."""

import io

import pytest
from pypdf import PdfReader

from shipdesk.batches.actions import BatchError, batch_pdf, create_batch, process_batch
from shipdesk.batches.models import Batch, BatchOrder
from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment

from .conftest import order_of

pytestmark = pytest.mark.django_db(transaction=True)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_batch_ships_every_order_but_two_and_prints_the_labels_in_pick_order(
    shop, account, carrier, settings
):
    settings.SHIPDESK_BATCH_CONCURRENCY = 3
    on_b2 = order_of(shop, ("IP13-B", "B-2"))
    on_a10 = order_of(shop, ("IP13-A", "A-10"))
    on_a2 = order_of(shop, ("CASE-Z", "A-2"))  # shelf A-2 comes before A-10
    on_a10_too = order_of(shop, ("IP13-A", "A-10"))
    without_imei = order_of(shop, ("IP14-C", "A-1"), imei=False)
    refused = order_of(shop, ("IP12-D", "C-1"))
    nowhere = order_of(shop, ("CASE-A", ""))  # no location: last
    carrier.refused.add(refused.order_number)
    orders = [on_b2, on_a10, on_a2, on_a10_too, without_imei, refused, nowhere]

    batch = create_batch(orders, user=None, account=account, service="gls_parcel")
    done = process_batch(batch.pk)

    shipped = [on_a2, on_a10, on_a10_too, on_b2, nowhere]
    assert (done.status, done.total, done.shipped, done.failed, done.done, done.pages) == (
        "done",
        7,
        5,
        2,
        7,
        5,
    )
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
        (on_a2.pk, "shipped", "", f"GLS{on_a2.order_number}"),
        (on_a10.pk, "shipped", "", f"GLS{on_a10.order_number}"),
        (on_a10_too.pk, "shipped", "", f"GLS{on_a10_too.order_number}"),
        (on_b2.pk, "shipped", "", f"GLS{on_b2.order_number}"),
        (refused.pk, "failed", "unknown street (E_ADDRESS)", None),
        (nowhere.pk, "shipped", "", f"GLS{nowhere.order_number}"),
    ]
    assert page_texts(bytes(done.pdf)) == [f"LABEL {o.order_number}" for o in shipped]
    assert batch_pdf(done) == bytes(done.pdf)
    assert sorted(Order.objects.filter(status="shipped").values_list("pk", flat=True)) == sorted(
        o.pk for o in shipped
    )
    # Back Market is told through the outbox, once per shipment.
    assert sorted(
        Message.objects.filter(kind="backmarket").values_list("order_id", flat=True)
    ) == sorted(o.pk for o in shipped)
    assert carrier.most_in_flight <= 3


def test_labels_in_flight_never_exceed_the_bound_per_account(shop, account, carrier, settings):
    settings.SHIPDESK_BATCH_CONCURRENCY = 3
    carrier.hold_until = 3  # each label request waits for two others: parallel, or stuck
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(9)]

    done = process_batch(create_batch(orders, user=None, account=account, service="gls_parcel").pk)

    assert (done.shipped, done.failed) == (9, 0)
    assert carrier.most_in_flight == 3


def test_slips_follow_their_labels(shop, account, carrier):
    first = order_of(shop, ("CASE-1", "A-1"))
    second = order_of(shop, ("CASE-2", "A-2"))

    done = process_batch(
        create_batch(
            [second, first], user=None, account=account, service="gls_parcel", with_slips=True
        ).pk
    )

    texts = page_texts(bytes(done.pdf))
    assert done.pages == 4
    assert texts[0] == f"LABEL {first.order_number}"
    assert texts[1].endswith(f"Refurb Paris · packing slip for order {first.order_number}\n1")
    assert texts[2] == f"LABEL {second.order_number}"
    assert texts[3].endswith(f"Refurb Paris · packing slip for order {second.order_number}\n1")


def test_without_an_account_each_order_ships_with_the_service_its_rules_chose(
    shop, account, carrier
):
    chosen = order_of(shop, ("CASE-1", "A-1"))
    chosen.carrier_account, chosen.service_code = account, "gls_parcel"
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
    assert Shipment.objects.get().service_code == "gls_parcel"


def test_an_order_with_an_incomplete_address_is_not_sent_to_the_carrier(shop, account, carrier):
    order = order_of(shop, ("CASE-1", "A-1"))
    order.ship_to.street1, order.ship_to.city = "", " "
    order.ship_to.save()

    done = process_batch(create_batch([order], user=None, account=account, service="gls_parcel").pk)

    assert (done.status, done.pdf, done.pages) == ("done", None, 0)
    assert list(done.batch_orders.values_list("status", "reason")) == [
        ("failed", f"the address of order {order.order_number} has no street, city")
    ]
    assert carrier.labels == []
    with pytest.raises(BatchError, match=f"^batch {done.pk} has no label to print$"):
        batch_pdf(done)


def test_progress_is_saved_as_orders_end(shop, account, carrier, settings):
    settings.SHIPDESK_BATCH_CONCURRENCY = 1  # one order at a time: one save each
    orders = [order_of(shop, (f"CASE-{n}", f"A-{n}")) for n in range(3)]
    carrier.refused.add(orders[1].order_number)
    batch = create_batch(orders, user=None, account=account, service="gls_parcel")
    assert (batch.status, batch.total, batch.done) == ("pending", 3, 0)
    saved = []

    def seen(progress):
        stored = Batch.objects.get(pk=batch.pk)
        saved.append((progress.shipped, progress.failed, stored.shipped, stored.failed))

    done = process_batch(batch.pk, progress=seen)

    assert saved == [(1, 0, 1, 0), (1, 1, 1, 1), (2, 1, 2, 1)]
    assert list(done.batch_orders.values_list("status", flat=True)) == [
        "shipped",
        "failed",
        "shipped",
    ]
    assert (done.started_at is not None, done.finished_at is not None) == (True, True)


def test_a_batch_is_processed_once(shop, account, carrier):
    batch = create_batch(
        [order_of(shop, ("CASE-1", "A-1"))], user=None, account=account, service="gls_parcel"
    )
    first = process_batch(batch.pk)

    again = process_batch(batch.pk)

    assert (first.status, again.status, again.shipped, len(carrier.labels)) == (
        "done",
        "done",
        1,
        1,
    )


def test_a_batch_is_refused_without_orders_or_with_half_a_service(shop, account):
    order = order_of(shop, ("CASE-1", "A-1"))
    with pytest.raises(BatchError, match="^select at least one order$"):
        create_batch([], user=None)
    with pytest.raises(
        BatchError, match="^choose both a carrier account and a service, or neither$"
    ):
        create_batch([order], user=None, account=account)
    with pytest.raises(
        BatchError, match="^choose both a carrier account and a service, or neither$"
    ):
        create_batch([order], user=None, service="gls_parcel")
    account.active = False
    account.save()
    with pytest.raises(BatchError, match="^carrier account GLS main is not active$"):
        create_batch([order], user=None, account=account, service="gls_parcel")
    assert Batch.objects.count() == 0
    assert BatchOrder.objects.count() == 0
