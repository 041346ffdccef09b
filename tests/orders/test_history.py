"""History entries: stored as a kind and its parameters, said in the reader's language."""

import pytest
from django.utils import translation

from shipdesk.backmarket import LineState
from shipdesk.orders.history import MESSAGES, entry, record, render
from shipdesk.orders.models import OrderEvent
from tests.factories import make_order, make_store

# One entry of each kind, with the parameters its writer gives.
SAMPLES = {
    "imported": {"state": 1, "awaiting_acceptance": True, "status": "awaiting_shipment"},
    "updated": {
        "changes": [
            ["order_state", {"old": 1, "new": 3}],
            ["line_state", {"sku": "IP13", "old": LineState.AWAITING_ACCEPTANCE, "new": 2}],
            ["line_added", {"sku": "CASE"}],
            ["ship_to_address", {}],
            ["bill_to_address", {}],
            ["status", {"old": "awaiting_shipment", "new": "cancelled"}],
        ]
    },
    "warning": {},
    "manual_created": {"number": "W-1"},
    "manual_edited": {"number": "W-1"},
    "returned": {"sku": "IP13", "reason": 21, "message": "Écran noir"},
    "line_refunded": {"sku": "IP13", "after_shipping": True, "reason": 21},
    "refund_failed": {"sku": "IP13", "error": "400 invalid_transition"},
    "identifier_set": {
        "identifier": "imei",
        "value": "356938035643809",
        "sku": "IP13",
        "unit": 1,
        "previous": "",
    },
    "identifier_cleared": {"previous": "356938035643809", "sku": "IP13", "unit": 1},
    "notes": {"fields": ["internal_notes", "notes_to_buyer"]},
    "edited": {"fields": ["weight_grams", "carrier_code", "custom_field1"]},
    "item_edited": {"fields": ["weight_grams", "warehouse_location"], "sku": "IP13"},
    "hold": {"until": "2026-03-20"},
    "release": {},
    "tag_added": {"tag": "fragile"},
    "tag_removed": {"tag": "fragile"},
    "assigned": {"assignee": "nina"},
    "unassigned": {"assignee": "nina"},
    "rule_applied": {
        "rule": "Phones to Colissimo",
        "rule_id": 3,
        "set": [["service", "Colissimo Domicile sans signature (Colissimo pro)"], ["tag", "phone"]],
        "kept": ["weight"],
    },
    "deleted": {},
    "restored": {},
    "accepted": {"skus": ["IP13"]},
    "accept_failed": {"sku": "IP13", "error": "422 Invalid state"},
    "line_cancelled": {"sku": "IP13", "reason": "out of stock"},
    "cancel_failed": {"sku": "IP13", "error": "422 Invalid state"},
    "notification_sent": {"tracking": "6A12345678901", "attempts": 1, "error": ""},
    "notification_failed": {"tracking": "6A12345678901", "attempts": 2, "error": "422 bad IMEI"},
    "notification_dead": {"tracking": "6A12345678901", "attempts": 9, "error": "503"},
    "notification_resend": {"message_kind": "backmarket"},
    "invoice_generated": {"number": "INV-1-000001"},
    "invoice_attached": {"filename": "facture-1001.pdf"},
    "invoice_uploaded": {"invoice": "INV-1-000001"},
    "invoice_upload_failed": {"error": "400 invalid_field: the invoice must be a PDF"},
    "invoice_failed": {"error": "the invoice of order 1001 needs the store's VAT number"},
    "customer_email_sent": {
        "email_kind": "shipment_confirmation",
        "to": "lea@example.com",
        "error": "",
        "interrupted": False,
    },
    "customer_email_failed": {
        "email_kind": "delivery_notification",
        "to": "lea@example.com",
        "error": "550 no such user",
        "interrupted": False,
    },
    "shipped": {
        "carrier": "Colissimo",
        "tracking": "6A12345678901",
        "service": "",
        "notify_backmarket": True,
    },
    "identifiers_kept": {"skus": ["IP13", "CASE"]},
    "voided": {"tracking": "6A12345678901"},
    "label_bought": {
        "account": "Colissimo pro",
        "service": "colissimo_home",
        "tracking": "6A12345678901",
        "cost": "6.90 EUR",
    },
    "label_void_refused": {"tracking": "6A12345678901", "reason": "already scanned"},
    "label_voided": {"tracking": "6A12345678901", "outcome": "label cancelled at the carrier"},
    "delivered": {"carrier": "Colissimo", "tracking": "6A12345678901", "at": "2026-03-16 11:07"},
    "packing_started": {"code": "75001234"},
    "packing_product_scanned": {"code": "IP13", "sku": "IP13", "item_id": 7},
    "packing_unit_verified": {"code": "356938035643809", "sku": "IP13", "unit": 1, "unit_id": 9},
    "packing_refused": {"code": "CASE", "why": "extra", "sku": "CASE", "count": 1},
    "packing_verified": {"count": 2},
}


def in_language(language: str, kind: str, params: dict) -> str | None:
    with translation.override(language):
        return render(kind, params)


def test_every_kind_has_a_sample_here():
    assert set(SAMPLES) == set(MESSAGES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_is_said_in_french_too(kind):
    english = in_language("en", kind, SAMPLES[kind])
    french = in_language("fr", kind, SAMPLES[kind])

    assert english and french and french != english


@pytest.mark.parametrize(
    ("kind", "params", "english", "french"),
    [
        (
            "shipped",
            SAMPLES["shipped"],
            "Shipped with Colissimo 6A12345678901, Back Market will be notified.",
            "Expédiée avec Colissimo 6A12345678901, Back Market sera prévenu.",
        ),
        (
            "updated",
            {"changes": SAMPLES["updated"]["changes"][1:2]},
            "Updated from Back Market: line IP13: paid → accepted.",
            "Mise à jour depuis Back Market : ligne IP13 : payée → acceptée.",
        ),
        (
            "notes",
            SAMPLES["notes"],
            "Edited internal notes and notes to buyer.",
            "Modifié : notes internes et notes à l’acheteur.",
        ),
        (
            "returned",
            SAMPLES["returned"],
            "Line IP13 refunded after shipping on Back Market: a return (faulty on opening: "
            "“Écran noir”).",
            "Ligne IP13 remboursée après expédition sur Back Market : un retour (panne à "
            "l’ouverture : « Écran noir »).",
        ),
        (
            "returned",
            {"sku": "IP13", "reason": 1, "message": ""},
            "Line IP13 refunded after shipping on Back Market: a return (withdrawal within 14 "
            "days).",
            "Ligne IP13 remboursée après expédition sur Back Market : un retour (rétractation "
            "sous 14 jours).",
        ),
        (
            "customer_email_failed",
            SAMPLES["customer_email_failed"],
            "Delivery notification to lea@example.com failed: 550 no such user",
            "Avis de livraison à lea@example.com en échec : 550 no such user",
        ),
    ],
)
def test_a_message_in_both_languages(kind, params, english, french):
    assert (in_language("en", kind, params), in_language("fr", kind, params)) == (english, french)


@pytest.mark.django_db
def test_an_entry_keeps_its_parameters_and_its_english_text():
    # given
    order = make_order(make_store(), 1001)

    # when
    with translation.override("fr"):
        event = record(order, "tag_added", source="user", tag="fragile")

    # then: English whatever the writer's language; the reader's language on display
    event = OrderEvent.objects.get(pk=event.pk)
    assert (event.kind, event.message, event.data) == (
        "tag_added",
        "Tag 'fragile' added.",
        {"tag": "fragile"},
    )
    with translation.override("fr"):
        assert event.text == "Étiquette 'fragile' ajoutée."


@pytest.mark.django_db
def test_an_entry_written_before_its_kind_had_parameters_says_its_english_text():
    # given: a "shipped" entry as older versions wrote it
    order = make_order(make_store(), 1001)
    old = OrderEvent.objects.create(
        order=order,
        kind="shipped",
        message="Shipped with UPS 1Z999AA10123456784, Back Market will be notified.",
        source="user",
        data={"shipment": 7},
    )
    unknown = OrderEvent.objects.create(
        order=order, kind="archived", message="Archived by hand.", source="system"
    )

    # when / then
    with translation.override("fr"):
        assert old.text == "Shipped with UPS 1Z999AA10123456784, Back Market will be notified."
        assert unknown.text == "Archived by hand."


def test_an_entry_without_its_parameters_is_refused_when_written():
    with pytest.raises(ValueError) as caught:
        entry("shipped", carrier="Colissimo")

    assert str(caught.value) == "no history message for 'shipped' with ['carrier']"
