"""The `carrier` command, the printable label page and the periodic tracking job."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from shipdesk.carriers.models import CarrierAccount
from shipdesk.shipping.models import Shipment

from .conftest import phone_order, recorded
from .test_ups import CLIENT_SECRET, UPS, gif_label, token_route

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.carriers.urls")]


def run(*args) -> str:
    out = io.StringIO()
    call_command("carrier", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_add_an_account_buy_a_label_print_it_and_track_it(orders, carrier_http, client, tmp_path):
    assert (
        run(
            "add",
            "UPS Paris",
            "--carrier",
            "ups",
            "--test",
            "--country",
            "fr",
            "--set",
            "client_id=ShipdeskTestClientId",
            "--set",
            f"client_secret={CLIENT_SECRET}",
            "--set",
            "account_number=4A6V82",
        )
        == "Carrier account UPS Paris (ups) added.\n"
    )
    listing = run("list")
    assert listing.split() == [
        "UPS",
        "Paris",
        "ups",
        "test",
        "client_id=••••ntId,",
        "client_secret=••••,",
        "account_number=••••6V82",
    ]
    assert CarrierAccount.objects.get().country_code == "FR"
    order = phone_order("de-de")
    token_route(carrier_http)
    carrier_http.on(
        "POST",
        f"{UPS}/api/shipments/v2409/ship",
        recorded("ups_ship.json", label=gif_label(), order_number=order.order_number),
    )
    out = tmp_path / "label.pdf"

    printed = run(
        "label",
        order.order_number,
        "--account",
        "UPS Paris",
        "--service",
        "ups_standard_eu",
        "--out",
        str(out),
        "--no-notify-backmarket",
    )

    shipment = Shipment.objects.get(order=order)
    assert printed == (
        f"Order {order.order_number} shipped: 1Z4A6V826891547346 "
        f"https://www.ups.com/track?tracknum=1Z4A6V826891547346; label written to {out}\n"
    )
    assert out.read_bytes() == bytes(shipment.label_pdf)
    assert shipment.service_code == "ups_standard_eu"
    assert carrier_http.calls[-1].json()["ShipmentRequest"]["Shipment"]["Service"]["Code"] == "11"

    assert client.get(f"/shipments/{shipment.pk}/label.pdf").status_code == 302
    client.force_login(User.objects.create_user("packer", password="pw-123456"))
    page = client.get(f"/shipments/{shipment.pk}/label.pdf")
    assert (page.status_code, page["Content-Type"]) == (200, "application/pdf")
    assert page.content == bytes(shipment.label_pdf)
    assert page["Content-Disposition"] == (
        f'inline; filename="label-{order.order_number}-1Z4A6V826891547346.pdf"'
    )

    carrier_http.on(
        "GET",
        f"{UPS}/api/track/v1/details/1Z4A6V826891547346",
        recorded("ups_track_delivered.json"),
    )
    from shipdesk.carriers.tasks import track_shipments

    assert track_shipments.call_local() == {"tracked": 1, "delivered": 1, "errors": 0}
    shipment.refresh_from_db()
    assert shipment.delivered_at is not None
    assert CLIENT_SECRET not in listing + printed


def test_a_shipment_without_a_label_has_no_label_page(orders, client):
    from shipdesk.shipping.actions import ship_order

    order = phone_order("fr-fr")
    shipment = ship_order(
        order, carrier_code="colissimo", tracking_number="6A25012345678", notify_backmarket=False
    )
    client.force_login(User.objects.create_user("packer", password="pw-123456"))

    assert client.get(f"/shipments/{shipment.pk}/label.pdf").status_code == 404


def test_add_refuses_missing_and_unknown_credentials(orders):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ups needs client_secret"):
        run("add", "UPS", "--carrier", "ups", "--set", "client_id=a", "--set", "account_number=b")
    with pytest.raises(CommandError, match="unknown ups credential 'api_key'"):
        run(
            "add",
            "UPS",
            "--carrier",
            "ups",
            "--set",
            "client_id=a",
            "--set",
            "client_secret=b",
            "--set",
            "account_number=c",
            "--set",
            "api_key=d",
        )
    assert CarrierAccount.objects.count() == 0
