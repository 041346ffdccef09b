"""Shipment confirmation and delivery emails, received by a real SMTP server (aiosmtpd)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shipdesk.notifications import emails
from shipdesk.notifications.models import EmailTemplate
from shipdesk.orders.models import OrderEvent
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment
from tests.factories import sandbox_order

from .conftest import phone_order, ship

pytestmark = pytest.mark.django_db


def send_due() -> dict:
    """Send the emails due; the emails' counts by status."""
    return engine.deliver_due("email")["email"]


def customer_emails():
    return Message.objects.filter(kind="email")


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    }


def test_both_emails_are_received_once_with_content_and_branding(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    order = phone_order("fr-fr")
    item = order.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship(order, notes_to_buyer="Chargeur inclus, merci !")  # queues the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        confirmation = emails.queue_shipment_confirmation(shipment)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = emails.queue_delivery_notification(shipment)
    # The same events again, and the periodic safety net: nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert emails.queue_shipment_confirmation(shipment) == confirmation
        assert emails.queue_delivery_notification(shipment) == delivery
    assert send_due() == {"pending": 0, "sent": 2, "failed": 0, "dead": 0}

    assert len(smtp.messages) == 2
    assert [e.rcpt_tos for e in smtp.envelopes] == [[order.customer_email]] * 2
    shipped, delivered = smtp.messages
    assert shipped["Subject"] == f"Votre commande {order.order_number} a été expédiée"
    assert delivered["Subject"] == f"Votre commande {order.order_number} a été livrée"
    link = "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    # The options the import wrote in English, in the buyer's French.
    options = "État : Bon état, Stockage : 128 GB, Couleur : Noir, Verrouillage : Débloqué"
    for message in (shipped, delivered):
        assert message["From"] == "Atelier Müller <orders@atelier.example.com>"
        assert message["Reply-To"] == "bonjour@atelier.example.com"
        assert message["To"] == order.customer_email
        assert message.get_content_type() == "multipart/alternative"
        body = parts(message)
        assert sorted(body) == ["text/html", "text/plain"]
        text, html = body["text/plain"], body["text/html"]
        assert f"- 1 × {item.name} ({options})" in text
        assert "Transporteur : Colissimo\nNuméro de suivi : 6A12345678901\n" in text
        assert link in text
        assert text.endswith("Atelier Müller")
        assert f'<a href="{link}">{link}</a>' in html
        assert "background:#114477;color:#ffffff" in html
        assert "background:#ffcc00" in html
        assert '<div style="font-size:20px;font-weight:bold;">Atelier Müller</div>' in html
        assert "+33 1 84 80 12 34" in html and "https://atelier.example.com" in html
    assert parts(shipped)["text/plain"] == (
        f"Bonjour {order.ship_to.name},\n\n"
        f"Bonne nouvelle : votre commande {order.order_number} chez Atelier Müller est en "
        "route.\n\n"
        f"- 1 × {item.name} ({options})\n\n"
        "Transporteur : Colissimo\n"
        "Numéro de suivi : 6A12345678901\n"
        f"Suivre votre colis : {link}\n\n"
        "Chargeur inclus, merci !\n\n"
        "Merci pour votre commande,\nAtelier Müller"
    )

    rows = customer_emails().filter(order=order).order_by("id")
    assert [(r.payload["email_kind"], r.status, r.attempts, r.payload["to"]) for r in rows] == [
        ("shipment_confirmation", "sent", 1, order.customer_email),
        ("delivery_notification", "sent", 1, order.customer_email),
    ]
    assert [r.attempt_log.get().request["message_id"] for r in rows] == [
        shipped["Message-ID"],
        delivered["Message-ID"],
    ]
    events = OrderEvent.objects.filter(order=order, kind="customer_email_sent").order_by("id")
    assert [e.message for e in events] == [
        f"Shipment confirmation emailed to {order.customer_email}.",
        f"Delivery notification emailed to {order.customer_email}.",
    ]


def test_english_email_with_the_stores_own_template_and_logo(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from tests.documents.test_packing_slips import png

    branded_store.logo.save("logo.png", ContentFile(png("#114477")), save=False)
    branded_store.save()
    EmailTemplate.objects.create(
        store=branded_store,
        kind="shipment_confirmation",
        language="en",
        subject="{company_name}: order {order_number} {unknown}",
        body="Hi {customer_name}, {carrier} has {tracking_number} <{tracking_link}> for:\n{items}"
        "\n\n{notes_to_buyer}\n\n-- {company_name}",
    )
    order = phone_order("en-gb")
    item = order.items.get()
    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        ship(order, carrier_code="ups", tracking_number="1Z999AA10123456784")

    [message] = smtp.messages
    assert message["Subject"] == f"Atelier Müller: order {order.order_number} {{unknown}}"
    assert message.get_content_type() == "multipart/related"
    link = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    options = ", ".join(f"{o['name']}: {o['value']}" for o in item.options)
    body = parts(message)
    assert body["text/plain"] == (
        f"Hi {order.ship_to.name}, UPS has 1Z999AA10123456784 <{link}> for:\n"
        f"- 1 × {item.name} ({options})\n\n-- Atelier Müller"
    )
    assert (
        f'UPS has 1Z999AA10123456784 &lt;<a href="{link}">{link}</a>&gt; for:<br>'
        in (body["text/html"])
    )
    assert '<img src="cid:logo" alt="Atelier Müller"' in body["text/html"]
    [logo] = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert logo["Content-ID"] == "<logo>"


def test_no_email_when_the_setting_is_off_or_the_order_has_no_address(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    branded_store.email_shipment_confirmation = False
    branded_store.email_delivery_notification = False
    branded_store.save()
    order = phone_order("fr-fr")
    shipment = ship(order)

    with django_capture_on_commit_callbacks(execute=True):
        assert emails.queue_shipment_confirmation(shipment) is None
        assert emails.queue_delivery_notification(shipment) is None
    order.customer_email = "Deleted"
    order.save()
    shipment.notify_customer = True  # asked for this shipment, but there is no address
    with django_capture_on_commit_callbacks(execute=True):
        assert emails.queue_shipment_confirmation(shipment) is None

    assert smtp.messages == []
    assert customer_emails().count() == 0


def test_notify_customer_on_the_shipment_sends_even_with_the_store_setting_off(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    branded_store.email_shipment_confirmation = False
    branded_store.save()
    order = phone_order("fr-fr")
    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        ship(order, notify_customer=True)

    assert [m["Subject"] for m in smtp.messages] == [
        f"Votre commande {order.order_number} a été expédiée"
    ]


def test_a_temporary_smtp_failure_is_retried_later_and_sent_once(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    order = phone_order("fr-fr")
    smtp.reply = "451 4.3.0 Try again later"

    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        shipment = ship(order)

    row = customer_emails().get(shipment=shipment, payload__email_kind="shipment_confirmation")
    assert (row.status, row.attempts, smtp.messages) == ("pending", 1, [])
    assert row.last_error.startswith("SMTPDataError: (451, b'4.3.0 Try again later')")
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert send_due() == {"pending": 1, "sent": 0, "failed": 0, "dead": 0}  # not due yet
    assert row.attempt_log.get().error_class == "retriable"

    smtp.reply = None
    customer_emails().filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert send_due() == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}
    assert send_due() == {"pending": 0, "sent": 1, "failed": 0, "dead": 0}

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, len(smtp.messages)) == ("sent", 2, "", 1)


def test_a_refused_recipient_fails_at_once_and_is_recorded_on_the_order(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    order = phone_order("fr-fr")
    smtp.reply = "550 5.1.1 No such user"

    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        shipment = ship(order)

    row = customer_emails().get(shipment=shipment, payload__email_kind="shipment_confirmation")
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.attempt_log.get().error_class == "final"
    [event] = OrderEvent.objects.filter(order=order, kind="customer_email_failed")
    assert event.message.startswith(
        f"Shipment confirmation to {order.customer_email} failed: SMTPDataError: (550"
    )


def test_an_email_interrupted_mid_send_is_marked_failed_not_resent(branded_store, smtp):
    order = phone_order("fr-fr")
    # Shipping queues the confirmation; its after-commit send job is not run here. A worker
    # then claims it and is killed mid-send, 20 minutes ago: its 15-minute lease ran out.
    shipment = ship(order)
    row = customer_emails().get(shipment=shipment, payload__email_kind="shipment_confirmation")
    assert (row.order, row.payload["to"], row.status) == (order, order.customer_email, "pending")
    customer_emails().filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(minutes=5))

    assert send_due() == {"pending": 0, "sent": 0, "failed": 1, "dead": 0}

    row.refresh_from_db()
    assert row.status == "failed" and smtp.messages == []
    error = "interrupted while sending; not resent, as the customer may have it already"
    assert row.last_error == error
    assert row.attempt_log.get().error_class == "interrupted"
    [event] = OrderEvent.objects.filter(order=order, kind="customer_email_failed")
    assert event.message == f"Shipment confirmation to {order.customer_email}: {error}."


@pytest.mark.parametrize(
    ("country_code", "country", "subject"),
    [
        ("fr-fr", "FR", "Votre commande {} a été expédiée"),
        ("fr-be", "BE", "Votre commande {} a été expédiée"),
        ("de-de", "DE", "Ihre Bestellung {} wurde versandt"),
        ("de-at", "AT", "Ihre Bestellung {} wurde versandt"),
        ("es-es", "ES", "Su pedido {} ha sido enviado"),
        ("it-it", "IT", "Il suo ordine {} è stato spedito"),
        ("nl-nl", "NL", "Je bestelling {} is verzonden"),
        ("sv-se", "SE", "Your order {} has shipped"),  # a language shipdesk does not write
        ("", "FR", "Votre commande {} a été expédiée"),  # no marketplace: the destination's
        ("", "ES", "Su pedido {} ha sido enviado"),
        ("", "SE", "Your order {} has shipped"),
    ],
)
def test_the_email_is_in_the_buyers_language_the_marketplaces_then_the_destinations(
    branded_store, country_code, country, subject
):
    shipment = ship(phone_order("fr-fr"))
    order = shipment.order
    order.country_code = country_code
    order.save()
    order.ship_to.country = country
    order.ship_to.save()

    message = emails.compose(
        Shipment.objects.get(pk=shipment.pk), "shipment_confirmation", order.customer_email
    )

    assert message.subject == subject.format(order.order_number)


GERMAN_LINK = "https://tracking.dpd.de/status/en_US/parcel/01505012345678"


def ship_german_order(store, django_capture_on_commit_callbacks):
    """A de-de order given to the sandbox and imported, shipped: its confirmation is sent."""
    order = sandbox_order(store, country_code="de-de")
    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        ship(order, carrier_code="dpd", tracking_number="01505012345678")
    return order


def test_a_german_buyer_receives_the_built_in_german_email(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    # The seller wrote a French template only: a German buyer does not get it.
    EmailTemplate.objects.create(
        store=branded_store,
        kind="shipment_confirmation",
        language="fr",
        subject="Commande {order_number} expédiée",
        body="Bonjour {customer_name}",
    )

    order = ship_german_order(branded_store, django_capture_on_commit_callbacks)

    [message] = smtp.messages
    assert message["Subject"] == f"Ihre Bestellung {order.order_number} wurde versandt"
    assert parts(message)["text/plain"] == (
        "Hallo Jonas Schäfer,\n\n"
        f"gute Nachricht: Ihre Bestellung {order.order_number} bei Atelier Müller ist "
        "unterwegs.\n\n"
        "- 1 × iPhone 13 128 Go - Noir - Débloqué (Zustand: Gut, Speicher: 128 GB, Farbe: Noir, "
        "SIM-Lock: Ohne Simlock)\n\n"
        "Versanddienstleister: DPD\n"
        "Sendungsnummer: 01505012345678\n"
        f"Sendung verfolgen: {GERMAN_LINK}\n\n"
        "Vielen Dank für Ihre Bestellung,\nAtelier Müller"
    )
    assert '<html lang="de">' in parts(message)["text/html"]


def test_a_german_buyer_receives_the_sellers_german_template(
    branded_store, smtp, jobs, django_capture_on_commit_callbacks
):
    for language, subject in (("fr", "Commande {order_number} expédiée"), ("de", "")):
        EmailTemplate.objects.create(
            store=branded_store,
            kind="shipment_confirmation",
            language=language,
            subject=subject,
            body="{customer_name}, Ihr Paket ist unterwegs: {tracking_link}\n\n{items}",
        )

    order = ship_german_order(branded_store, django_capture_on_commit_callbacks)

    [message] = smtp.messages
    # The seller left the German subject empty: the built-in German one.
    assert message["Subject"] == f"Ihre Bestellung {order.order_number} wurde versandt"
    assert parts(message)["text/plain"] == (
        f"Jonas Schäfer, Ihr Paket ist unterwegs: {GERMAN_LINK}\n\n"
        "- 1 × iPhone 13 128 Go - Noir - Débloqué (Zustand: Gut, Speicher: 128 GB, Farbe: Noir, "
        "SIM-Lock: Ohne Simlock)"
    )
