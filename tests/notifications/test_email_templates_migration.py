"""Migration notifications 0003: the store's one template of each email (every buyer's until
then) becomes its template in its marketplace's language, nothing lost."""

import pytest

from shipdesk.notifications.models import EmailTemplate
from tests.upgrade import latest, migrate


@pytest.mark.django_db(transaction=True)
def test_a_stores_own_templates_become_its_marketplace_languages():
    old = migrate([("notifications", "0002_webhooks_here_customer_emails_in_the_outbox")])
    Store = old.get_model("stores", "Store")
    Store.objects.create(
        name="Berlin",
        token_encrypted="x",
        country_code="de-de",
        shipment_email_subject="Bestellung {order_number} ist unterwegs",
        shipment_email_body="Hallo {customer_name},\n\nIhr Paket: {tracking_link}",
        delivery_email_body="Zugestellt: {order_number}",
    )
    Store.objects.create(
        name="Stockholm",
        token_encrypted="y",
        country_code="sv-se",
        shipment_email_subject="Order {order_number} shipped",
    )
    Store.objects.create(name="Paris", token_encrypted="z", country_code="fr-fr")

    migrate(latest())

    rows = EmailTemplate.objects.order_by("store__name", "kind")
    assert [(t.store.name, t.kind, t.language, t.subject, t.body) for t in rows] == [
        ("Berlin", "delivery_notification", "de", "", "Zugestellt: {order_number}"),
        (
            "Berlin",
            "shipment_confirmation",
            "de",
            "Bestellung {order_number} ist unterwegs",
            "Hallo {customer_name},\n\nIhr Paket: {tracking_link}",
        ),
        ("Stockholm", "shipment_confirmation", "en", "Order {order_number} shipped", ""),
    ]


@pytest.mark.django_db(transaction=True)
def test_going_back_gives_the_store_its_marketplace_languages_templates():
    before = [("notifications", "0002_webhooks_here_customer_emails_in_the_outbox")]
    old = migrate(before)
    old.get_model("stores", "Store").objects.create(
        name="Milano", token_encrypted="x", country_code="it-it", shipment_email_subject="Ciao"
    )
    migrate(latest())
    # Edited after the upgrade; the German one has no place on the store.
    EmailTemplate.objects.filter(language="it").update(subject="Ordine {order_number} spedito")
    EmailTemplate.objects.create(
        store_id=EmailTemplate.objects.get().store_id,
        kind="shipment_confirmation",
        language="de",
        subject="Versandt",
    )

    store = migrate(before).get_model("stores", "Store").objects.get()
    migrate(latest())

    assert (store.shipment_email_subject, store.shipment_email_body) == (
        "Ordine {order_number} spedito",
        "",
    )
