"""The `shipdesk` command line, as scripts and tests use it."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shipdesk.orders.models import Order, Product
from shipdesk.stores.models import Store

from .sync.oracle import all_orders, expected

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_store_add_checks_the_token_and_prints_json(sandbox):
    data = json.loads(
        run(
            "store",
            "add",
            "--name",
            "FR",
            "--region",
            "eu",
            "--token",
            "sandbox-token",
            "--base-url",
            sandbox.url,
            "--json",
        )
    )

    store = Store.objects.get()
    assert data == {"id": store.pk, "name": "FR", "status": "ok"}
    assert store.token == "sandbox-token"
    assert "sandbox-token" not in store.token_encrypted


def test_store_add_with_a_rejected_token_saves_nothing(sandbox):
    with pytest.raises(CommandError, match="Back Market refused the connection, nothing saved"):
        run(
            "store",
            "add",
            "--name",
            "FR",
            "--region",
            "eu",
            "--token",
            "wrong",
            "--base-url",
            sandbox.url,
        )
    assert Store.objects.count() == 0


def test_sync_json_and_orders_list_json(store, sandbox):
    want = expected(all_orders(sandbox.url))

    data = json.loads(run("sync", "--store", str(store.pk), "--json"))

    [result] = data["stores"]
    assert result["store"] == store.pk
    assert result["created"] == len(want["imported"])
    assert result["quarantined"] == 0 and result["errors"] == []
    assert set(result) >= {
        "store",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "quarantined",
        "errors",
    }

    listed = json.loads(run("orders", "list", "--json"))
    assert listed["total"] == len(want["imported"]) == len(listed["orders"])
    first = listed["orders"][0]
    assert first["orderNumber"] == str(Order.objects.get(pk=first["orderId"]).channel_order_id)
    assert {
        "orderKey",
        "shipTo",
        "billTo",
        "items",
        "requestedShippingService",
        "paymentMethod",
        "internalNotes",
        "customerNotes",
        "gift",
        "weight",
        "advancedOptions",
    } <= set(first)

    limited = json.loads(
        run("orders", "list", "--status", "awaiting_shipment", "--limit", "3", "--json")
    )
    assert len(limited["orders"]) == 3
    assert {o["orderStatus"] for o in limited["orders"]} == {"awaiting_shipment"}

    shown = json.loads(run("orders", "show", first["orderNumber"], "--json"))
    assert shown["orderId"] == first["orderId"]


def test_store_set_mapping_validates(store):
    run("store", "set-mapping", str(store.pk), "1=on_hold", "10=awaiting_payment")
    store.refresh_from_db()
    assert store.status_mapping["1"] == "on_hold"
    assert store.status_mapping["10"] == "awaiting_payment"

    with pytest.raises(CommandError, match="unknown status 'sent'"):
        run("store", "set-mapping", str(store.pk), "3=sent")


def test_products_import_csv_all_or_nothing(tmp_path):
    csv = tmp_path / "products.csv"
    good = (
        "sku,name,weight_grams,length_cm,width_cm,height_cm,warehouse_location,needs_imei\n"
        "IP13-128-BLK-GOOD,iPhone 13,320,18,10,6,A-01-02,yes\n"
        "APP-USBC-20W,Charger,90,,,,B-07,no\n"
    )
    csv.write_text(good + ",missing sku,1,,,,,\nBAD-W,Bad weight,heavy,,,,,\n")
    errors = StringIO()

    with pytest.raises(CommandError, match=r"^2 wrong line\(s\): nothing imported$"):
        call_command("products", "import", str(csv), stdout=StringIO(), stderr=errors)
    assert errors.getvalue() == (
        "line 4: sku is empty\nline 5: weight_grams: heavy is not a number\n"
    )
    assert not Product.objects.exists()

    csv.write_text(good)
    assert run("products", "import", str(csv)) == "2 created, 0 updated\n"
    phone = Product.objects.get(sku="IP13-128-BLK-GOOD")
    assert (phone.weight_grams, phone.warehouse_location, phone.needs_imei) == (
        320,
        "A-01-02",
        True,
    )
    assert Product.objects.get(sku="APP-USBC-20W").needs_imei is False
    assert Product.objects.count() == 2


def test_the_real_command_exits_non_zero_on_a_rejected_token(sandbox, tmp_path):
    env = {
        **os.environ,
        "SHIPDESK_HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    cli = [sys.executable, "-m", "shipdesk.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)

    result = subprocess.run(
        [
            *cli,
            "store",
            "add",
            "--name",
            "X",
            "--region",
            "eu",
            "--token",
            "nope",
            "--base-url",
            sandbox.url,
        ],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "Back Market refused the connection, nothing saved" in result.stderr
    assert "nope" not in result.stderr


def test_orders_commands_accept_set_notes_set_imei_ship_and_notify(store, sandbox):
    from shipdesk.sync.importer import import_orders

    import_orders(store)
    order = next(
        o
        for o in Order.objects.filter(awaiting_acceptance=True, is_backship=False)
        if o.items.count() == 1 and o.items.get().quantity == 1 and o.items.get().brand == "Apple"
    )
    sku = order.items.get().sku

    run("orders", "accept", order.order_number)
    run("orders", "set-notes", order.order_number, "--internal", "bench 3", "--to-buyer", "Merci")
    with pytest.raises(CommandError, match=f"missing IMEI / serial number for {sku}"):
        run("orders", "ship", order.order_number, "--carrier", "colissimo", "--tracking", "6A1")
    with pytest.raises(CommandError, match="wrong check digit"):
        run("orders", "set-imei", order.order_number, "--sku", sku, "--imei", "356938035643808")
    run("orders", "set-imei", order.order_number, "--sku", sku, "--imei", "356938035643809")
    shipped = json.loads(
        run(
            "orders",
            "ship",
            order.order_number,
            "--carrier",
            "colissimo",
            "--tracking",
            "6A 1",
            "--service",
            "colissimo_home",
            "--cost",
            "6.50",
            "--json",
        )
    )
    counts = json.loads(run("notify", "--json"))

    assert (shipped["trackingNumber"], shipped["carrierCode"], shipped["shipmentCost"]) == (
        "6A1",
        "colissimo",
        6.5,
    )
    nothing = {"pending": 0, "sent": 0, "failed": 0, "dead": 0}
    # The acceptance (sent by `orders accept`) and the shipment.
    assert counts == {"backmarket": {**nothing, "sent": 2}, "webhook": nothing, "email": nothing}
    order.refresh_from_db()
    assert (order.internal_notes, order.notes_to_buyer, order.status) == (
        "bench 3",
        "Merci",
        "shipped",
    )
