"""Colissimo through karrio: a label bought (multipart answer), voided locally (Colissimo has
no cancel call), a refusal returned as data, and delivery with the customer's email."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from shipdesk.carriers import services
from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.carriers.models import CarrierShipment
from shipdesk.notifications.models import OutboxEmail
from shipdesk.orders.models import OrderEvent
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment

from .conftest import account, label_pdf, phone_order, recorded, recorded_with_binary

pytestmark = pytest.mark.django_db

SLS = "https://ws.colissimo.fr/sls-ws/SlsServiceWSRest/2.0"
LAPOSTE = "https://api.laposte.fr/suivi/v2"
PASSWORD, OKAPI = "Colis-pa55word", "okapi-key-0123456789"


@pytest.fixture
def colissimo(orders):
    return account("colissimo", contract_number="811234", password=PASSWORD, laposte_api_key=OKAPI)


def test_a_label_is_bought_and_voided_locally(colissimo, carrier_http):
    order = phone_order("fr-fr")
    pdf = label_pdf("COLISSIMO 6A25012345678")
    carrier_http.on(
        "POST", f"{SLS}/generateLabel", recorded_with_binary("colissimo_label.multipart", label=pdf)
    )

    result = services.ship_with_label(
        order,
        colissimo,
        "colissimo_home_without_signature",
        cost="6.85",
        notify_backmarket=False,
    )

    assert (result.ok, result.messages) == (True, [])
    shipment = Shipment.objects.get(order=order)
    assert bytes(shipment.label_pdf) == pdf
    assert "COLISSIMO 6A25012345678" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert (shipment.carrier_code, shipment.tracking_number, str(shipment.shipment_cost)) == (
        "colissimo",
        "6A25012345678",
        "6.85",
    )
    assert shipment.tracking_url == (
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A25012345678"
    )
    [call] = carrier_http.calls
    sent = call.json()
    assert (sent["contractNumber"], sent["password"]) == ("811234", PASSWORD)
    assert sent["outputFormat"]["outputPrintingType"] == "PDF_10x15_300dpi"
    letter = sent["letter"]
    assert letter["service"]["productCode"] == "DOM"
    assert letter["service"]["commercialName"] == "Atelier Müller"
    assert letter["parcel"]["weight"] == 0.45
    to = order.ship_to
    assert letter["addressee"]["addresseeParcelRef"] == order.order_number
    assert letter["addressee"]["address"]["zipCode"] == to.postal_code
    assert letter["addressee"]["address"]["city"] == to.city
    assert letter["addressee"]["address"]["countryCode"] == "FR"
    assert letter["sender"]["address"]["line2"] == "12 rue des Ateliers"
    assert "customsDeclarations" not in letter  # France to France

    outcome = services.void_label(shipment)

    assert outcome.approved is True
    assert outcome.message == (
        "Colissimo offers no cancellation through its API: the label is voided in shipdesk "
        "only; do not use it"
    )
    assert len(carrier_http.calls) == 1  # nothing was sent to Colissimo
    shipment.refresh_from_db()
    assert shipment.voided


def test_a_refused_label_comes_back_as_messages_and_records_nothing(colissimo, carrier_http):
    order = phone_order("fr-fr")
    carrier_http.on("POST", f"{SLS}/generateLabel", recorded("colissimo_refused.multipart"))

    result = services.ship_with_label(order, colissimo, "colissimo_home_without_signature")

    assert result.ok is False
    assert result.messages == [CarrierMessage("ERROR", "Identifiant ou mot de passe incorrect")]
    assert Shipment.objects.filter(order=order).count() == 0
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"


def test_a_typed_colissimo_number_is_tracked_to_delivery_and_the_customer_emailed(
    colissimo, carrier_http, settings, jobs, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "shipdesk.notifications.backend.LocalOutboxBackend"
    order = phone_order("fr-fr")
    order.store.email_delivery_notification = True
    order.store.save()
    shipment = ship_order(
        order, carrier_code="colissimo", tracking_number="6A25012345678", notify_backmarket=False
    )
    carrier_http.on(
        "GET", f"{LAPOSTE}/idships/6A25012345678", recorded("colissimo_track_delivered.json")
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.track_due()

    assert counts == {"tracked": 1, "delivered": 1, "errors": 0}
    [call] = carrier_http.calls
    assert call.url == f"{LAPOSTE}/idships/6A25012345678?lang=fr_FR"
    assert call.headers["X-Okapi-Key"] == OKAPI
    shipment.refresh_from_db()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert shipment.delivered_at == datetime.combine(
        yesterday, time(11, 7), tzinfo=ZoneInfo("Europe/Paris")
    )
    tracked = CarrierShipment.objects.get(shipment=shipment)
    assert (tracked.account, tracked.label_bought, tracked.tracking_status) == (
        colissimo,
        False,
        "delivered",
    )
    assert tracked.tracking_events[0] == {
        "date": yesterday.isoformat(),
        "time": "11:07",
        "code": "DI1",
        "status": "delivered",
        "description": "Votre colis est livré.",
    }
    [event] = OrderEvent.objects.filter(order=order, kind="delivered")
    assert event.message == f"Delivered (Colissimo 6A25012345678) on {yesterday} 11:07."
    [email] = Message.objects.filter(order=order, kind="email")
    assert (email.payload["email_kind"], email.status) == ("delivery_notification", "sent")
    [kept] = OutboxEmail.objects.all()
    assert kept.subject == f"Votre commande {order.order_number} a été livrée"

    # A later run does not ask again, nor email twice.
    assert services.track_due() == {"tracked": 0, "delivered": 0, "errors": 0}
    assert OutboxEmail.objects.count() == 1


def test_a_delivery_found_days_later_is_recorded_without_emailing_the_customer(
    colissimo, carrier_http, settings, jobs, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "shipdesk.notifications.backend.LocalOutboxBackend"
    order = phone_order("fr-fr")
    order.store.email_delivery_notification = True
    order.store.save()
    shipment = ship_order(
        order, carrier_code="colissimo", tracking_number="6A25012345678", notify_backmarket=False
    )
    long_ago = timezone.localdate() - timedelta(days=10)
    carrier_http.on(
        "GET",
        f"{LAPOSTE}/idships/6A25012345678",
        recorded(
            "colissimo_track_delivered.json",
            day=long_ago.isoformat(),
            day_before=(long_ago - timedelta(days=1)).isoformat(),
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.track_due() == {"tracked": 1, "delivered": 1, "errors": 0}

    shipment.refresh_from_db()
    assert timezone.localtime(shipment.delivered_at).date() == long_ago
    assert OrderEvent.objects.filter(order=order, kind="delivered").count() == 1
    assert Message.objects.filter(kind="email").count() == 0 and OutboxEmail.objects.count() == 0
