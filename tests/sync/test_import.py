"""The import against the Back Market sandbox, over HTTP on 127.0.0.1."""

import math

import pytest

from shipdesk.orders.models import Order, OrderEvent, OrderItem, Tag
from shipdesk.stores.connection import replace_token
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from shipdesk.sync.models import ImportRun, QuarantinedOrder

from .oracle import admin, all_orders, expected

pytestmark = pytest.mark.django_db


def test_first_import_takes_every_paid_order_with_an_address(store, sandbox):
    raw = all_orders(sandbox.url)
    want = expected(raw)

    run = import_orders(store)

    assert run.status == ImportRun.Status.OK
    assert run.fetched == len(raw)
    assert run.created == len(want["imported"])
    assert run.set_aside == len(want["set_aside"])
    assert run.skipped == len(want["skipped"])
    assert run.quarantined == 0
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == want["imported"]
    assert (
        sorted(
            int(q)
            for q in QuarantinedOrder.objects.filter(kind="no_shipping_address").values_list(
                "channel_order_id", flat=True
            )
        )
        == want["set_aside"]
    )
    assert run.pages == math.ceil(len(raw) / 50)
    assert run.requests == run.pages


def test_imported_order_carries_back_market_fields(store, sandbox):
    raw = {o["order_id"]: o for o in all_orders(sandbox.url)}

    import_orders(store)

    for order in Order.objects.all()[:40]:
        source = raw[order.channel_order_id]
        ship = source["shipping_address"]
        assert order.order_number == str(source["order_id"])
        assert order.ship_to.street1 == ship["street"].strip()
        assert order.ship_to.phone == (ship["phone"] or "").strip()
        assert order.customer_email == (ship["email"] if "@" in (ship["email"] or "") else "")
        assert order.payment_method == source["payment_method"]
        assert order.currency == source["currency"]
        first = source["orderlines"][0]
        assert order.requested_shipping_service.startswith(
            f"{first['shipper']} — {first['shipping_delay']} h"
        )
        assert order.items.count() == len(source["orderlines"])
        for line in source["orderlines"]:
            item = order.items.get(channel_line_id=line["id"])
            assert item.sku == line["listing"]
            assert item.channel_state == line["state"]
            assert item.quantity == line["quantity"]
            assert str(item.unit_price * line["quantity"]) == line["price"]
            assert item.units.count() == line["quantity"]
            assert {"name": "Grade", "value": item.options[0]["value"]} == item.options[0]


def test_reimport_changes_nothing_and_duplicates_nothing(store):
    first = import_orders(store)
    Store.objects.filter(pk=store.pk).update(import_cursor=None)  # force a full re-read

    second = import_orders(store)

    assert second.fetched == first.fetched
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.created
    assert Order.objects.count() == first.created


def test_incremental_import_reads_only_what_changed(store, sandbox):
    import_orders(store)
    new_ids = admin(sandbox.url, "orders", {"count": 3})["order_ids"]

    run = import_orders(store)

    assert run.created == 3
    assert set(
        Order.objects.filter(channel_order_id__in=new_ids).values_list("status", flat=True)
    ) == {"awaiting_shipment"}
    assert run.fetched < 10  # the overlap window, not the whole history


def test_crash_after_a_page_then_rerun_loses_and_duplicates_nothing(store, sandbox):
    want = expected(all_orders(sandbox.url))

    class Crash(Exception):
        pass

    def crash_after_two_pages(run):
        if run.pages == 2:
            raise Crash

    with pytest.raises(Crash):
        import_orders(store, progress=crash_after_two_pages)
    assert Order.objects.count() > 0
    store.refresh_from_db()
    assert store.import_cursor is None  # not advanced by an unfinished run

    run = import_orders(store)

    assert run.status == ImportRun.Status.OK
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == want["imported"]
    crashed = ImportRun.objects.exclude(pk=run.pk).get()
    assert (crashed.status, crashed.errors[0]["kind"]) == ("failed", "Crash")


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(store):
    ghost = ImportRun.objects.create(store=store, trigger="schedule")

    import_orders(store)

    ghost.refresh_from_db()
    assert (ghost.status, ghost.errors[0]["kind"]) == ("failed", "Interrupted")


def test_rejected_token_flags_only_that_store_and_set_token_resumes(sandbox_factory, db):
    from shipdesk.stores.connection import connect_store

    a = sandbox_factory(orders=60, seed=11, token="token-a")
    b = sandbox_factory(orders=60, seed=12, token="token-b")
    store_a = connect_store(
        name="A", region="eu", token="token-a", base_url=a.url, first_import_days=90
    )
    store_b = connect_store(
        name="B", region="eu", token="token-b", base_url=b.url, first_import_days=90
    )
    import_orders(store_a)
    import_orders(store_b)
    admin(a.url, "revoke")
    missed = admin(a.url, "orders", {"count": 4})["order_ids"]
    admin(b.url, "orders", {"count": 2})

    failed = import_orders(store_a)
    other = import_orders(store_b)

    assert failed.status == ImportRun.Status.FAILED
    assert failed.errors[0]["kind"] == "TokenRejected"
    store_a.refresh_from_db()
    assert store_a.health == Store.Health.TOKEN_REJECTED
    assert store_a.auto_import is True  # never switched off
    assert "token-a" not in store_a.last_error
    assert other.status == ImportRun.Status.OK and other.created == 2

    admin(a.url, "token", {"token": "token-a2"})
    replace_token(store_a, "token-a2")
    resumed = import_orders(store_a)

    assert resumed.status == ImportRun.Status.OK
    assert set(missed) <= set(
        Order.objects.filter(store=store_a).values_list("channel_order_id", flat=True)
    )
    store_a.refresh_from_db()
    assert store_a.health == Store.Health.OK


def test_customer_cancellation_after_import_updates_order_and_history(store, sandbox):
    import_orders(store)
    order = Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=True).first()
    order.internal_notes = "picked, on the packing bench"
    order.save()

    admin(sandbox.url, f"orders/{order.channel_order_id}/customer-cancel")
    run = import_orders(store)

    order.refresh_from_db()
    assert run.updated >= 1
    assert order.status == "cancelled"
    assert order.internal_notes == "picked, on the packing bench"
    assert "Cancelled on Back Market while being prepared" in order.warning
    update = order.events.filter(kind="updated").latest("at")
    assert "status awaiting_shipment → cancelled" in update.message
    assert order.events.filter(kind="warning").count() == 1


def test_reimport_keeps_what_the_seller_owns(store, sandbox):
    import_orders(store)
    order = Order.objects.filter(awaiting_acceptance=True).first()
    item = order.items.first()
    order.internal_notes, order.weight_grams, order.on_hold, order.status = (
        "notes",
        450,
        True,
        "on_hold",
    )
    order.save()
    order.tags.add(Tag.objects.create(name="VIP"))
    unit = item.units.first()
    unit.imei = "356938035643809"
    unit.save()
    OrderItem.objects.filter(pk=item.pk).update(warehouse_location="A-01-02")

    admin(sandbox.url, f"orders/{order.channel_order_id}/customer-cancel")
    import_orders(store)

    order.refresh_from_db()
    item.refresh_from_db()
    assert (order.internal_notes, order.weight_grams, order.on_hold) == ("notes", 450, True)
    assert list(order.tags.values_list("name", flat=True)) == ["VIP"]
    assert item.units.first().imei == "356938035643809"
    assert item.warehouse_location == "A-01-02"


def test_custom_status_mapping_applies_per_store(store, sandbox):
    store.status_mapping = {**store.status_mapping, "1": "on_hold", "10": "awaiting_payment"}
    store.save()
    raw = all_orders(sandbox.url)

    import_orders(store)

    paid = {o["order_id"] for o in raw if o["state"] == 1}
    pending = {o["order_id"] for o in raw if o["state"] == 10}
    statuses = dict(Order.objects.values_list("channel_order_id", "status"))
    assert {statuses[i] for i in paid if i in statuses} == {"on_hold"}
    assert {statuses[i] for i in pending if i in statuses} <= {"awaiting_payment"}
    assert OrderEvent.objects.filter(kind="imported").count() == len(statuses)


def test_an_update_keeps_a_seller_edit_made_while_the_import_was_running(
    store, sandbox, monkeypatch
):
    # Given an imported order the customer then cancels on Back Market
    import_orders(store)
    order = Order.objects.filter(awaiting_acceptance=True).first()
    item = order.items.first()
    admin(sandbox.url, f"orders/{order.channel_order_id}/customer-cancel")

    # When a packer saves notes and a location after the import read the order, before it wrote
    from shipdesk.sync import importer

    update = importer._update

    def packer_saves_first(store, existing, *args):
        Order.objects.filter(pk=existing.pk).update(internal_notes="scratched screen", gift=True)
        OrderItem.objects.filter(pk=item.pk).update(warehouse_location="B-02-03")
        return update(store, existing, *args)

    monkeypatch.setattr(importer, "_update", packer_saves_first)
    run = import_orders(store)

    # Then the import wrote what Back Market owns and left the packer's edit alone
    order.refresh_from_db()
    item.refresh_from_db()
    assert run.updated >= 1
    assert order.status == "cancelled"
    assert (order.internal_notes, order.gift) == ("scratched screen", True)
    assert item.warehouse_location == "B-02-03"


def test_a_token_replaced_during_a_failing_run_is_not_flagged(store, sandbox, monkeypatch):
    # Given the store's token revoked on Back Market
    admin(sandbox.url, "revoke")
    from shipdesk.sync import importer

    client_for = importer.client_for

    def seller_replaces_the_token_meanwhile(store_, **kwargs):
        client = client_for(store_, **kwargs)  # reads the old token
        admin(sandbox.url, "token", {"token": "token-new"})
        replace_token(Store.objects.get(pk=store_.pk), "token-new")
        return client

    monkeypatch.setattr(importer, "client_for", seller_replaces_the_token_meanwhile)

    # When the run, still on the old token, is refused
    run = import_orders(store)

    # Then the run failed on the old token, and the store with its new token stays healthy
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["kind"] == "TokenRejected"
    store.refresh_from_db()
    assert store.health == Store.Health.OK
    assert store.token == "token-new"
    monkeypatch.undo()
    assert import_orders(store).status == ImportRun.Status.OK
