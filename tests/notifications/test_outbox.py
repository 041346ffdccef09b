"""Without SMTP settings, emails are kept in the local outbox, shown to staff only."""

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives

from shipdesk.notifications.models import OutboxEmail

from .conftest import phone_order, ship

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]


@pytest.fixture
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "shipdesk.notifications.backend.LocalOutboxBackend"
    settings.SHIPDESK_EMAIL_CONFIGURED = False


def test_local_backend_keeps_text_and_html(outbox_backend):
    message = EmailMultiAlternatives(
        "Votre commande 123", "Bonjour Zoé", "shop@example.com", ["zoe@example.com"]
    )
    message.attach_alternative("<p>Bonjour Zoé</p>", "text/html")

    assert message.send() == 1

    [kept] = OutboxEmail.objects.all()
    assert (kept.to, kept.from_email, kept.subject, kept.text, kept.html) == (
        "zoe@example.com",
        "shop@example.com",
        "Votre commande 123",
        "Bonjour Zoé",
        "<p>Bonjour Zoé</p>",
    )


@pytest.mark.urls("shipdesk.urls")  # the 403 page is in the site's layout
def test_shipment_email_lands_in_the_outbox_page_for_staff_only(
    outbox_backend, branded_store, jobs, django_capture_on_commit_callbacks, client
):
    order = phone_order("fr-fr")
    with django_capture_on_commit_callbacks(execute=True):  # shipping queues the confirmation
        ship(order)
    [kept] = OutboxEmail.objects.all()
    assert kept.to == order.customer_email
    assert kept.subject == f"Votre commande {order.order_number} a été expédiée"
    assert "6A12345678901" in kept.text and "Atelier Müller" in kept.html

    clerk = User.objects.create_user("clerk", password="pw-123456")
    client.force_login(clerk)
    assert client.get("/emails/").status_code == 403  # not a loop through the login page

    admin = User.objects.create_user("boss", password="pw-123456", is_staff=True)
    client.force_login(admin)
    page = client.get("/emails/").content.decode()
    assert "No SMTP server is configured" in page
    assert (
        f'<a href="/emails/{kept.pk}/">Votre commande {order.order_number} a été expédiée</a>'
        in page
    )
    detail = client.get(f"/emails/{kept.pk}/").content.decode()
    assert (
        "Suivre votre colis : https://www.laposte.fr/outils/suivre-vos-envois?code="
        "6A12345678901" in detail
    )
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in detail
