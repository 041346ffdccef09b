"""UPS through karrio: rates, a label bought and voided, and delivery from tracking."""

import base64
import io
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from shipdesk.carriers import services
from shipdesk.carriers.models import CarrierShipment
from shipdesk.orders.models import Order, OrderEvent
from shipdesk.shipping.models import Shipment

from .conftest import account, phone_order, recorded

pytestmark = pytest.mark.django_db

UPS = "https://wwwcie.ups.com"
CLIENT_ID, CLIENT_SECRET = "ShipdeskTestClientId", "s3cr3t-UPS-client-secret"


def gif_label() -> str:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(out, format="GIF")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def ups(orders):
    acc = account("ups", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, account_number="4A6V82")
    acc.test_mode = True
    acc.save()
    return acc


def token_route(carrier_http):
    carrier_http.on(
        "POST",
        f"{UPS}/security/v1/oauth/token",
        recorded("ups_token.json", issued_at=int(clock.time() * 1000)),
    )


def label_routes(carrier_http, order):
    """UPS's answers: a token, the order's label, and the label's cancellation."""
    token_route(carrier_http)
    carrier_http.on(
        "POST",
        f"{UPS}/api/shipments/v2409/ship",
        recorded("ups_ship.json", label=gif_label(), order_number=order.order_number),
    )
    carrier_http.on(
        "DELETE",
        f"{UPS}/api/shipments/v2409/void/cancel/1Z4A6V826891547346",
        recorded("ups_void.json"),
    )


def test_a_label_is_bought_then_voided_with_the_requests_ups_expects(ups, carrier_http):
    order = phone_order("de-de")
    label_routes(carrier_http, order)

    result = services.ship_with_label(
        order, ups, "ups_standard", cost="12.40", notify_backmarket=False
    )

    assert result.ok and result.messages == []
    shipment = Shipment.objects.get(order=order)
    assert (shipment.carrier_code, shipment.service_code, shipment.tracking_number) == (
        "ups",
        "ups_standard",
        "1Z4A6V826891547346",
    )
    assert shipment.tracking_url == "https://www.ups.com/track?tracknum=1Z4A6V826891547346"
    assert shipment.shipment_cost == Decimal("12.40")
    assert bytes(shipment.label_pdf).startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(bytes(shipment.label_pdf))).pages) == 1
    order.refresh_from_db()
    assert order.status == "shipped"
    carrier_shipment = CarrierShipment.objects.get(shipment=shipment)
    assert (carrier_shipment.account, carrier_shipment.shipment_identifier) == (
        ups,
        "1Z4A6V826891547346",
    )

    token, ship = carrier_http.calls
    assert (token.method, token.url, token.data) == (
        "POST",
        f"{UPS}/security/v1/oauth/token",
        "grant_type=client_credentials",
    )
    assert (
        token.headers["authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    )
    assert ship.headers["authorization"] == (
        "Bearer eyJraWQiOiJ1cHMtdGVzdC10b2tlbiJ9.ups-access-token"
    )
    sent = ship.json()["ShipmentRequest"]
    body = sent["Shipment"]
    to = order.ship_to
    assert body["Shipper"]["ShipperNumber"] == "4A6V82"
    assert body["Shipper"]["Name"] == "Atelier Müller"
    assert body["Shipper"]["Address"] == {
        "AddressLine": ["12 rue des Ateliers"],
        "City": "Paris",
        "PostalCode": "75011",
        "CountryCode": "FR",
    }
    assert body["ShipTo"]["Name"] == to.name
    assert body["ShipTo"]["Address"]["City"] == to.city
    assert body["ShipTo"]["Address"]["PostalCode"] == to.postal_code
    assert body["ShipTo"]["Address"]["CountryCode"] == "DE"
    assert body["Service"]["Code"] == "11"
    [package] = body["Package"]
    assert package["PackageWeight"]["Weight"] == "0.45"
    assert package["PackageWeight"]["UnitOfMeasurement"]["Code"] == "KGS"
    assert sent["Request"]["TransactionReference"]["CustomerContext"] == order.order_number

    outcome = services.void_label(shipment)

    assert (outcome.approved, outcome.message) == (True, "label cancelled at the carrier")
    void = carrier_http.calls[-1]
    assert (void.method, void.url) == (
        "DELETE",
        f"{UPS}/api/shipments/v2409/void/cancel/1Z4A6V826891547346",
    )
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.voided and order.status == "awaiting_shipment"
    assert CarrierShipment.objects.get(shipment=shipment).label_voided_at is not None
    assert list(
        OrderEvent.objects.filter(order=order, kind__startswith="label").values_list(
            "kind", "message"
        )
    ) == [
        ("label_bought", "Label bought from ups main (ups_standard): 1Z4A6V826891547346, 12.40."),
        ("label_voided", "Label 1Z4A6V826891547346: label cancelled at the carrier."),
    ]
    assert carrier_http.unmatched == []


def test_a_refused_void_leaves_the_shipment_as_it_was(ups, carrier_http):
    order = phone_order("de-de")
    token_route(carrier_http)
    carrier_http.on(
        "POST",
        f"{UPS}/api/shipments/v2409/ship",
        recorded("ups_ship.json", label=gif_label(), order_number=order.order_number),
    )
    carrier_http.on(
        "DELETE",
        f"{UPS}/api/shipments/v2409/void/cancel/",
        recorded("ups_void_refused.json"),
        status=400,
    )
    shipment = services.ship_with_label(
        order, ups, "ups_standard", notify_backmarket=False
    ).shipment

    outcome = services.void_label(shipment)

    assert outcome.approved is False
    assert outcome.message == (
        "the carrier refused to cancel the label: Void period has expired (190117)"
    )
    shipment.refresh_from_db()
    assert shipment.voided is False
    [event] = OrderEvent.objects.filter(order=order, kind="label_void_refused")
    assert event.message == (
        "Label 1Z4A6V826891547346 not voided: the carrier refused to cancel the label: "
        "Void period has expired (190117)."
    )


def test_delivery_is_detected_from_tracking_and_recorded_once(ups, carrier_http):
    order = phone_order("de-de")
    token_route(carrier_http)
    carrier_http.on(
        "POST",
        f"{UPS}/api/shipments/v2409/ship",
        recorded("ups_ship.json", label=gif_label(), order_number=order.order_number),
    )
    shipment = services.ship_with_label(
        order, ups, "ups_standard", notify_backmarket=False
    ).shipment
    carrier_http.on(
        "GET",
        f"{UPS}/api/track/v1/details/1Z4A6V826891547346",
        recorded("ups_track_in_transit.json"),
        times=1,
    )
    carrier_http.on(
        "GET",
        f"{UPS}/api/track/v1/details/1Z4A6V826891547346",
        recorded("ups_track_delivered.json"),
    )

    first = services.track_due()

    assert first == {"tracked": 1, "delivered": 0, "errors": 0}
    shipment.refresh_from_db()
    assert shipment.delivered_at is None
    carrier_shipment = CarrierShipment.objects.get(shipment=shipment)
    assert carrier_shipment.tracking_status == "in_transit"
    assert services.track_due() == {"tracked": 0, "delivered": 0, "errors": 0}  # not due yet

    CarrierShipment.objects.filter(pk=carrier_shipment.pk).update(last_tracked_at=None)
    second = services.track_due()

    assert second == {"tracked": 1, "delivered": 1, "errors": 0}
    shipment.refresh_from_db()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert shipment.delivered_at == datetime.combine(
        yesterday, time(14, 32), tzinfo=ZoneInfo("Europe/Paris")
    )
    [event] = OrderEvent.objects.filter(order=order, kind="delivered")
    assert event.message == f"Delivered (UPS 1Z4A6V826891547346) on {yesterday} 14:32."
    track = carrier_http.calls[-1]
    assert (track.method, track.url) == (
        "GET",
        f"{UPS}/api/track/v1/details/1Z4A6V826891547346?locale=en_US&returnSignature=true",
    )
    assert track.headers["transactionSrc"] == "karrio-test"
    # Delivered shipments are no longer tracked.
    assert services.shipments_to_track().count() == 0
    assert carrier_http.unmatched == []


def test_rates_cheapest_first_with_the_parcel_sent(ups, carrier_http):
    order = phone_order("de-de")
    token_route(carrier_http)
    carrier_http.on("POST", f"{UPS}/api/rating/v2409/Shop", recorded("ups_rates.json"))

    result = services.rates(order, ups)

    assert result.messages == []
    assert [(r.service, r.cost, r.currency, r.transit_days) for r in result.rates] == [
        ("ups_standard_eu", Decimal("12.40"), "EUR", 2),
        ("ups_worldwide_saver_eu", Decimal("21.70"), "EUR", None),
    ]
    rate_call = carrier_http.calls[-1]
    assert rate_call.url == f"{UPS}/api/rating/v2409/Shop?additionalinfo=timeintransit"
    shipment = rate_call.json()["RateRequest"]["Shipment"]
    assert shipment["ShipTo"]["Address"]["PostalCode"] == order.ship_to.postal_code
    assert shipment["Package"][0]["PackageWeight"]["Weight"] == "0.45"


def test_no_label_is_bought_for_an_order_that_cannot_ship(ups, carrier_http):
    order = phone_order("de-de")
    order.items.get().units.update(imei="")  # a phone without its IMEI cannot ship
    label_routes(carrier_http, order)

    with pytest.raises(services.OrderActionError) as refused:
        services.ship_with_label(order, ups, "ups_standard", notify_backmarket=False)

    item = order.items.get()
    assert str(refused.value) == (
        f"cannot ship order {order.order_number}: missing IMEI / serial number for "
        f"{item.sku} ({item.name})"
    )
    assert carrier_http.calls == []  # not even a token: nothing asked of UPS
    assert Shipment.objects.filter(order=order).count() == 0


def test_a_label_bought_for_an_order_shipped_meanwhile_is_cancelled(ups, carrier_http, monkeypatch):
    from shipdesk.shipping import actions as shipping_actions

    order = phone_order("de-de")
    label_routes(carrier_http, order)
    buy_label = services.buy_label

    def a_colleague_ships_it_while_the_label_is_bought(*args, **kwargs):
        result = buy_label(*args, **kwargs)
        shipping_actions.ship_order(
            Order.objects.get(pk=order.pk), carrier_code="ups", tracking_number="1ZOTHER"
        )
        return result

    monkeypatch.setattr(services, "buy_label", a_colleague_ships_it_while_the_label_is_bought)

    with pytest.raises(services.OrderActionError) as refused:
        services.ship_with_label(order, ups, "ups_standard", notify_backmarket=False)

    assert str(refused.value) == (
        f"order {order.order_number} is already shipped (the label was cancelled at the carrier)"
    )
    # token, label, then the cancellation with the account's token, kept from the label
    assert [c.method for c in carrier_http.calls] == ["POST", "POST", "DELETE"]
    assert list(Shipment.objects.filter(order=order).values_list("tracking_number", flat=True)) == [
        "1ZOTHER"
    ]


def test_credentials_are_encrypted_masked_and_never_logged(ups, carrier_http, caplog, capfd):
    from shipdesk.carriers.models import CarrierAccount

    carrier_http.on(
        "POST",
        f"{UPS}/security/v1/oauth/token",
        recorded("ups_token_refused.json"),
        status=401,
    )
    order = phone_order("de-de")

    with caplog.at_level("DEBUG"):
        result = services.buy_label(order, ups, "ups_standard")

    assert result.ok is False
    assert [str(m) for m in result.messages] == ["ClientId •••• is invalid (10401)"]
    stored = CarrierAccount.objects.values_list("credentials_encrypted", flat=True).get()
    assert CLIENT_SECRET not in stored and CLIENT_ID not in stored
    assert CarrierAccount.objects.get().credentials["client_secret"] == CLIENT_SECRET
    assert ups.masked_credentials() == {
        "client_id": "••••ntId",
        "client_secret": "••••",
        "account_number": "••••6V82",
    }
    captured = capfd.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "ClientId •••• is invalid" in caplog.text
    assert CLIENT_SECRET not in logged
