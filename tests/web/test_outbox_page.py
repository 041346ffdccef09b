"""The outbox page: every message for admins, Back Market updates for shippers, filters by
kind, status and order, and "retry now"."""

import re

import pytest
from django.utils import timezone, translation

from shipdesk.outbox.models import Attempt, Message
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages(db):
    """One failed message of each kind, on orders 1001 and 1002."""
    store = make_store()
    first, second = make_order(store, 1001, status="shipped"), make_order(store, 1002)
    shipment = Shipment.objects.create(
        order=first, carrier_code="ups", tracking_number="1Z1", ship_date="2026-03-15"
    )
    common = {"status": "failed", "attempts": 1, "deadline_at": timezone.now()}
    rows = {
        "ship": Message.objects.create(
            kind="backmarket",
            key="backmarket:ship:1",
            payload={"action": "ship", "user": None, "source": "user"},
            order=first,
            shipment=shipment,
            last_error="Back Market rejected the update (422)",
            **common,
        ),
        "accept": Message.objects.create(
            kind="backmarket",
            key="backmarket:accept:2",
            payload={"action": "accept", "sku": "IP13-128-BLK", "line": 2},
            order=second,
            **common,
        ),
        "email": Message.objects.create(
            kind="email",
            key="email:1:shipment_confirmation",
            payload={"email_kind": "shipment_confirmation", "to": "lea@example.com"},
            order=first,
            shipment=shipment,
            last_error="SMTPRecipientsRefused: lea@example.com",
            **common,
        ),
        "webhook": Message.objects.create(
            kind="webhook",
            key="webhook:1:1",
            payload={"subscription": 1, "batch": 1, "resource_url": "https://s/ssapi/x"},
            **common,
        ),
    }
    Attempt.objects.create(
        message=rows["email"],
        request={"to": "lea@example.com", "subject": "Votre commande 1001 a été expédiée"},
        error_class="final",
        error="SMTPRecipientsRefused: lea@example.com",
    )
    return rows


def summaries(html: str) -> list[str]:
    return [
        " ".join(s.split())
        for s in re.findall(r'class="badge badge-notification-\w+">[^<]+</span>([^·]+)·', html)
    ]


def test_admins_see_every_kind_and_filter_them(admin_client, messages):
    every = admin_client.get("/notifications/").content.decode()
    emails = admin_client.get("/notifications/?kind=email").content.decode()
    one_order = admin_client.get("/notifications/?order=1002").content.decode()

    assert summaries(every) == [
        "Announcement https://s/ssapi/x",
        "Shipment confirmation to lea@example.com",
        "Acceptance of IP13-128-BLK",
        "Shipment 1Z1",
    ]
    assert re.findall(r'aria-current="page">([^<]+) <span class="count">(\d+)', every) == [
        ("Failed", "4")
    ]
    assert summaries(emails) == ["Shipment confirmation to lea@example.com"]
    assert "<code>lea@example.com · Votre commande 1001 a été expédiée</code>" in emails
    assert summaries(one_order) == ["Acceptance of IP13-128-BLK"]


def test_shippers_see_and_retry_back_market_updates_only(shipper_client, messages):
    html = shipper_client.get("/notifications/?kind=email").content.decode()
    refused = shipper_client.post(f"/notifications/{messages['email'].pk}/resend/")
    retried = shipper_client.post(f"/notifications/{messages['accept'].pk}/resend/")

    assert summaries(html) == ["Acceptance of IP13-128-BLK", "Shipment 1Z1"]
    assert 'name="kind"' not in html
    assert refused.status_code == 403
    assert retried["Location"] == f"/orders/{messages['accept'].order_id}/"
    statuses = dict(Message.objects.values_list("key", "status"))
    assert (statuses["email:1:shipment_confirmation"], statuses["backmarket:accept:2"]) == (
        "failed",
        "pending",
    )


def test_an_admin_retries_a_webhook_and_comes_back_to_the_page(admin_client, messages):
    response = admin_client.post(
        f"/notifications/{messages['webhook'].pk}/resend/", {"next": "/notifications/?kind=webhook"}
    )
    again = admin_client.post(f"/notifications/{messages['webhook'].pk}/resend/", follow=True)

    assert response["Location"] == "/notifications/?kind=webhook"
    assert "Only failed messages can be sent again." in again.content.decode()


@pytest.fixture
def french():
    yield
    translation.activate("en")  # the request left French on for this thread


def test_the_page_in_french(admin_client, messages, french):
    html = admin_client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "<h1>Messages envoyés par shipdesk</h1>" in html
    assert summaries(html) == [
        "Annonce https://s/ssapi/x",
        "Confirmation d&#x27;expédition à lea@example.com",
        "Acceptation de IP13-128-BLK",
        "Expédition 1Z1",
    ]
    assert "Réessayer maintenant" in html
