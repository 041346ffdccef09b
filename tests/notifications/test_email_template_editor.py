"""The store page's customer email templates, one set per language (Django test client)."""

import pytest

from shipdesk.notifications.models import EmailTemplate
from tests.factories import make_store

pytestmark = pytest.mark.django_db

EMPTY = {
    "shipment_email_subject": "",
    "shipment_email_body": "",
    "delivery_email_subject": "",
    "delivery_email_body": "",
}


def templates():
    return sorted(
        (t.kind, t.language, t.subject, t.body) for t in EmailTemplate.objects.order_by("id")
    )


def test_templates_are_saved_per_language_and_shown_in_theirs(admin_client):
    store = make_store()  # fr-fr: its page shows the French templates first
    url = f"/stores/{store.pk}/emails/"

    german = admin_client.post(
        url,
        {
            **EMPTY,
            "language": "de",
            "email_shipment_confirmation": "on",
            "shipment_email_subject": "Bestellung {order_number} ist unterwegs",
            "delivery_email_body": "Zugestellt, {customer_name}!",
        },
    )
    admin_client.post(
        url, {**EMPTY, "language": "fr", "shipment_email_body": "Bonjour {customer_name}"}
    )

    assert german.status_code == 302
    assert german["Location"] == f"/stores/{store.pk}/?emails_language=de#emails"
    assert templates() == [
        ("delivery_notification", "de", "", "Zugestellt, {customer_name}!"),
        ("shipment_confirmation", "de", "Bestellung {order_number} ist unterwegs", ""),
        ("shipment_confirmation", "fr", "", "Bonjour {customer_name}"),
    ]
    store.refresh_from_db()
    assert (store.email_shipment_confirmation, store.email_delivery_notification) == (
        False,  # the French form, saved last, left it unticked
        False,
    )
    page = admin_client.get(f"/stores/{store.pk}/?emails_language=de").content.decode()
    assert 'value="Bestellung {order_number} ist unterwegs"' in page
    assert '<input type="hidden" name="language" value="de"' in page
    assert 'aria-current="page" lang="de">Deutsch</a>' in page
    # An empty field shows what it sends: the built-in German text.
    assert 'placeholder="Ihre Bestellung {order_number} wurde zugestellt"' in page
    french = admin_client.get(f"/stores/{store.pk}/").content.decode()
    assert '<input type="hidden" name="language" value="fr"' in french
    assert "\nBonjour {customer_name}</textarea>" in french

    # Emptied, the German shipment template is removed: the built-in one is used again.
    admin_client.post(url, {**EMPTY, "language": "de"})
    assert templates() == [("shipment_confirmation", "fr", "", "Bonjour {customer_name}")]


def test_a_mistyped_placeholder_or_no_language_is_shown_again_and_nothing_is_saved(admin_client):
    store = make_store()
    url = f"/stores/{store.pk}/emails/"

    typo = admin_client.post(
        url,
        {
            **EMPTY,
            "language": "es",
            "email_shipment_confirmation": "on",
            "shipment_email_subject": "Pedido {order_numbr} enviado",
            "shipment_email_body": "Hola {customer_name}, {items}",
        },
    )
    no_language = admin_client.post(url, {**EMPTY, "language": "sv"})

    assert typo.status_code == 400
    page = typo.content.decode()
    assert (
        "Not a placeholder: {order_numbr}. The placeholders are {order_number}, {items}, "
        "{carrier}, {tracking_number}, {tracking_link}, {notes_to_buyer}, {customer_name}, "
        "{company_name}."
    ) in page
    # What was typed is shown again, in the language it was typed for.
    assert 'value="Pedido {order_numbr} enviado"' in page
    assert "\nHola {customer_name}, {items}</textarea>" in page
    assert '<input type="hidden" name="language" value="es"' in page
    assert no_language.status_code == 400
    assert "Say which language these templates are in: one of en, fr, de, es, it, nl." in (
        no_language.content.decode()
    )
    store.refresh_from_db()
    assert (store.email_shipment_confirmation, templates()) == (False, [])
