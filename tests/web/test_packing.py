"""The pack station's page without a browser: a scan starts an order, each scan answers with
the station's state (htmx), the last one buys the label with the rules' service, prints it
(the browser, or the configured printer) and ships the order."""

import os
import stat

import pytest

from shipdesk.orders.models import Order, OrderEvent
from shipdesk.shipping.models import Shipment
from shipdesk.web.models import UserPreference
from tests.factories import CHARGER, IMEI, PHONE, sandbox_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def order(store, account):
    """A phone and a charger, weighed, the rules having chosen Sandbox Lyon's Standard."""
    order = sandbox_order(store, lines=(PHONE, CHARGER))
    order.items.update(weight_grams=300)
    Order.objects.filter(pk=order.pk).update(
        carrier_account=account, carrier_code="sandbox", service_code="ups_standard_eu"
    )
    return order


def scan(client, order, code):
    response = client.post(f"/pack/{order.pk}/scan/", {"code": code}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_scanning_a_packing_slip_opens_its_order(shipper_client, order):
    unknown = shipper_client.post("/pack/", {"code": "NOPE-1"})
    found = shipper_client.post("/pack/", {"code": order.order_number})

    assert unknown.status_code == 400
    assert "No order or tracking number NOPE-1." in unknown.content.decode()
    assert found["Location"] == f"/pack/{order.pk}/"
    page = shipper_client.get(found["Location"]).content.decode()
    assert f"<h1>Packing order {order.order_number}</h1>" in page
    assert "0 of 2 verified" in page
    assert OrderEvent.objects.filter(order=order, kind="packing_started").count() == 1


def test_with_htmx_the_station_follows_to_the_order(shipper_client, order):
    response = shipper_client.post("/pack/", {"code": order.order_number}, **HTMX)

    assert response["HX-Redirect"] == f"/pack/{order.pk}/"


def test_each_scan_answers_and_the_last_ships_the_order_with_its_label(
    shipper_client, order, sandbox
):
    shipper_client.post("/pack/", {"code": order.order_number})

    wrong = scan(shipper_client, order, "CASE-IP13-CLEAR")
    charger = scan(shipper_client, order, CHARGER.sku)
    phone = scan(shipper_client, order, PHONE.sku)
    done = scan(shipper_client, order, IMEI)

    assert 'data-result="refused"' in wrong
    assert "Pack station: CASE-IP13-CLEAR refused: not in this order." in wrong
    assert 'data-result="ok"' in charger and "1 of 2 verified" in charger
    assert 'data-result="waiting"' in phone
    assert f"Scan the IMEI / serial number of {PHONE.sku}" in phone
    shipment = Shipment.objects.get(order=order)
    assert 'data-result="done"' in done and "2 of 2 verified" in done
    assert f"Shipped with Sandbox carrier {shipment.tracking_number}." in done
    assert f'data-label-url="/orders/{order.pk}/shipments/{shipment.pk}/label/"' in done
    assert "Scan the next packing slip" in done
    assert (shipment.carrier_code, shipment.service_code) == ("sandbox", "ups_standard_eu")
    assert sandbox.carrier.parcel(shipment.tracking_number).reference == order.order_number
    order.refresh_from_db()
    assert order.status == "shipped"


def test_the_label_goes_to_the_printer_when_one_is_set(
    shipper_client, order, settings, tmp_path, monkeypatch
):
    jobs = tmp_path / "jobs"
    lp = tmp_path / "bin" / "lp"
    lp.parent.mkdir()
    lp.write_text(
        f'#!/bin/sh\necho "$@" > {jobs}.args\ncat > {jobs}.pdf\necho "request id is Zebra-7"\n'
    )
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{lp.parent}{os.pathsep}{os.environ['PATH']}")
    settings.SHIPDESK_PRINTER = "Zebra"
    shipper_client.post("/pack/", {"code": order.order_number})
    scan(shipper_client, order, CHARGER.sku)

    done = scan(shipper_client, order, IMEI)

    assert "Label sent to the printer Zebra." in done
    assert "data-label-url" not in done
    assert (tmp_path / "jobs.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "jobs.args").read_text().split()[:2] == ["-d", "Zebra"]


def test_without_a_service_chosen_the_packer_is_told_and_can_try_again(
    shipper_client, order, account
):
    Order.objects.filter(pk=order.pk).update(carrier_account=None)
    shipper_client.post("/pack/", {"code": order.order_number})
    scan(shipper_client, order, CHARGER.sku)

    refused = scan(shipper_client, order, IMEI)
    Order.objects.filter(pk=order.pk).update(carrier_account=account)
    again = shipper_client.post(f"/pack/{order.pk}/finish/", **HTMX).content.decode()

    assert 'data-result="refused"' in refused
    assert (
        f"no carrier service is chosen for order {order.order_number}: choose one on its page"
        in refused
    )
    assert "Buy the label again" in refused
    assert 'data-result="done"' in again
    assert Shipment.objects.filter(order=order).count() == 1


def test_after_shipping_the_next_scan_is_the_next_packing_slip(shipper_client, order, store):
    following = sandbox_order(store, lines=(CHARGER,))
    shipper_client.post("/pack/", {"code": order.order_number})
    scan(shipper_client, order, CHARGER.sku)
    scan(shipper_client, order, IMEI)

    response = shipper_client.post(
        f"/pack/{order.pk}/scan/", {"code": following.order_number}, **HTMX
    )

    assert response["HX-Redirect"] == f"/pack/{following.pk}/"


def test_the_station_speaks_french(client, shipper, order):
    UserPreference.objects.create(user=shipper, language="fr")
    client.force_login(shipper)
    client.post("/pack/", {"code": order.order_number})

    html = scan(client, order, "CASE-IP13-CLEAR")

    assert "Poste d’emballage : CASE-IP13-CLEAR refusé : absent de cette commande." in html
    assert "0 sur 2 vérifiées" in html
