"""An order's page and what people do on it: IMEIs, notes, tags, hold, accept, ship."""

import sys
import types
from datetime import date

import httpx
import pytest
from django.urls import resolve

from shipdesk.orders import actions
from shipdesk.orders.history import CANCELLED_WHILE_PREPARED
from shipdesk.orders.models import ItemUnit, Order, OrderEvent, Tag
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

VALID_IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def order(db):
    return make_order(make_store(), 1001)


def page(client, order) -> str:
    return client.get(f"/orders/{order.pk}/").content.decode()


def test_detail_shows_addresses_customer_service_payment_items_and_history(shipper_client, order):
    order.customer_notes = "Please ring twice"
    order.gift, order.gift_message = True, "Happy birthday"
    order.save()

    html = page(shipper_client, order)

    for text in (
        "<h1>Order 1001</h1>",
        "12 rue de la Paix",
        "3 avenue Foch",
        '<a href="mailto:lea@example.com">lea@example.com</a>',
        "+33 6 12 34 56 78",
        "<dd>Colissimo — 48 h</dd>",
        "<dd>CARD</dd>",
        "<div>Grade: Good</div>",
        "<div>Colour: Black</div>",
        "Please ring twice",
        "Yes: “Happy birthday”",
        "€369.00",
    ):
        assert text in html, text


def test_an_invalid_imei_is_refused_with_the_servers_reason(shipper_client, order):
    unit = ItemUnit.objects.get(item__order=order)

    response = shipper_client.post(
        f"/orders/{order.pk}/units/{unit.pk}/", {"value": "356938035643808"}, **HTMX
    )

    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "IMEI 356938035643808 has a wrong check digit (Luhn); check for a typing error" in html
    unit.refresh_from_db()
    assert unit.imei == ""


def test_a_french_packer_reads_the_refusal_in_french(shipper_client, order):
    unit = ItemUnit.objects.get(item__order=order)

    response = shipper_client.post(
        f"/orders/{order.pk}/units/{unit.pk}/",
        {"value": "356938035643808"},
        HTTP_ACCEPT_LANGUAGE="fr",
        **HTMX,
    )

    html = response.content.decode()
    assert "l’IMEI 356938035643808 a une clé de contrôle fausse (Luhn) ; vérifiez la saisie" in html
    assert "check digit" not in html


def test_a_scanned_imei_is_saved_and_the_missing_list_is_refreshed(shipper_client, order):
    unit = ItemUnit.objects.get(item__order=order)

    response = shipper_client.post(
        f"/orders/{order.pk}/units/{unit.pk}/", {"value": "35-693803-564380-9"}, **HTMX
    )

    html = response.content.decode()
    assert "IMEI saved." in html
    assert '<div id="missing-identifiers" hx-swap-oob="true">' in html
    assert "Missing IMEI" not in html
    unit.refresh_from_db()
    assert unit.imei == VALID_IMEI
    assert order.events.get(kind="identifier_set").message == (
        f"IMEI {VALID_IMEI} set on IP13-128-BLK unit 1."
    )


def test_letters_are_saved_as_a_serial_number(shipper_client, order):
    unit = ItemUnit.objects.get(item__order=order)

    shipper_client.post(f"/orders/{order.pk}/units/{unit.pk}/", {"value": "F2LXK0ABC"}, **HTMX)

    unit.refresh_from_db()
    assert (unit.imei, unit.serial_number) == ("", "F2LXK0ABC")


def test_a_line_of_quantity_2_says_its_imeis_stay_in_shipdesk(shipper_client, order):
    # given: two phones on one line, next to the one-phone order
    pair = make_order(order.store, 1002, quantity=2)
    english = "Kept in shipdesk: Back Market takes an IMEI only for a line of quantity 1."
    french = (
        "Conservés dans shipdesk : Back Market n’accepte un IMEI que pour une ligne de quantité 1."
    )

    # when
    pages = {
        (o.order_number, lang): shipper_client.get(
            f"/orders/{o.pk}/", HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()
        for o in (order, pair)
        for lang in ("en", "fr")
    }

    # then: said once, by the line's first unit, in the reader's language
    assert pages["1002", "en"].count(english) == 1
    assert pages["1002", "fr"].count(french) == 1
    assert english not in pages["1001", "en"] and french not in pages["1001", "fr"]


def test_an_imei_used_on_another_order_needs_a_confirmation(shipper_client, order):
    other = make_order(order.store, 1002)
    ItemUnit.objects.filter(item__order=other).update(imei=VALID_IMEI)
    unit = ItemUnit.objects.get(item__order=order)
    url = f"/orders/{order.pk}/units/{unit.pk}/"

    refused = shipper_client.post(url, {"value": VALID_IMEI}, **HTMX).content.decode()
    confirmed = shipper_client.post(
        url, {"value": VALID_IMEI, "allow_duplicate": "1"}, **HTMX
    ).content.decode()

    assert f"{VALID_IMEI} is already used on order 1002; override only if you are sure" in refused
    assert "Use it anyway" in refused
    assert "IMEI saved." in confirmed
    unit.refresh_from_db()
    assert unit.imei == VALID_IMEI


def test_without_javascript_an_identifier_post_redirects_back(shipper_client, order):
    unit = ItemUnit.objects.get(item__order=order)

    response = shipper_client.post(f"/orders/{order.pk}/units/{unit.pk}/", {"value": OTHER_IMEI})

    assert (response.status_code, response["Location"]) == (302, f"/orders/{order.pk}/")
    unit.refresh_from_db()
    assert unit.imei == OTHER_IMEI


def test_notes_and_tags_are_saved_and_recorded(shipper_client, order):
    shipper_client.post(
        f"/orders/{order.pk}/notes/",
        {"internal_notes": "Shelf B, screen checked", "notes_to_buyer": "Merci !"},
    )
    shipper_client.post(f"/orders/{order.pk}/tags/", {"name": "Fragile"})
    tag = Tag.objects.get(name="Fragile")
    shipper_client.post(f"/orders/{order.pk}/tags/", {"name": "Express"})
    shipper_client.post(f"/orders/{order.pk}/tags/{tag.pk}/remove/")

    order.refresh_from_db()
    assert (order.internal_notes, order.notes_to_buyer) == ("Shelf B, screen checked", "Merci !")
    assert [t.name for t in order.tags.all()] == ["Express"]
    assert list(order.events.values_list("kind", flat=True)) == [
        "notes",
        "tag_added",
        "tag_added",
        "tag_removed",
    ]
    assert "(sam)" in page(shipper_client, order)


def test_hold_until_a_date_then_release(shipper_client, order):
    held = shipper_client.post(f"/orders/{order.pk}/hold/", {"until": "2026-04-01"}, follow=True)
    order.refresh_from_db()
    status_on_hold = (order.status, str(order.hold_until_date))
    shipper_client.post(f"/orders/{order.pk}/release/")

    order.refresh_from_db()
    assert status_on_hold == ("on_hold", "2026-04-01")
    assert "Order put on hold." in held.content.decode()
    assert order.status == "awaiting_shipment"


def test_ship_is_refused_while_a_phone_has_no_imei(shipper_client, order):
    response = shipper_client.post(
        f"/orders/{order.pk}/ship/",
        {"carrier_code": "colissimo", "package_code": "package", "tracking_number": "6A123"},
    )

    assert response.status_code == 400
    assert (
        "cannot ship order 1001: missing IMEI / serial number for IP13-128-BLK "
        "(iPhone 13 128 GB - Black - Unlocked)"
    ) in response.content.decode()
    assert not Shipment.objects.exists()


def test_ship_form_checks_the_service_belongs_to_the_carrier(shipper_client, order):
    response = shipper_client.post(
        f"/orders/{order.pk}/ship/",
        {
            "carrier_code": "ups",
            "service_code": "colissimo_home",
            "package_code": "package",
            "tracking_number": "1Z999",
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice. colissimo_home is not one of the available choices." in (
        response.content.decode()
    )


def test_packing_slip_answers_501_without_the_documents_module(shipper_client, order, monkeypatch):
    import shipdesk.documents

    resolve("/")  # the URLs, which import the real module, are loaded before it goes away
    monkeypatch.delattr(shipdesk.documents, "packing_slips", raising=False)
    monkeypatch.setitem(sys.modules, "shipdesk.documents.packing_slips", None)

    response = shipper_client.get(f"/orders/{order.pk}/packing-slip.pdf")

    assert response.status_code == 501
    assert response.content.decode() == (
        "Packing slips are not available yet in this installation."
    )


def test_packing_slips_are_rendered_by_the_documents_module(shipper_client, order, monkeypatch):
    calls = []
    module = types.ModuleType("shipdesk.documents.packing_slips")

    def render(orders, paper="A4"):
        calls.append(([o.order_number for o in orders], paper))
        return b"%PDF-1.7 fake"

    module.render = render
    import shipdesk.documents

    resolve("/")
    monkeypatch.setitem(sys.modules, "shipdesk.documents.packing_slips", module)
    monkeypatch.setattr(shipdesk.documents, "packing_slips", module, raising=False)
    other = make_order(order.store, 1002)

    one = shipper_client.get(f"/orders/{order.pk}/packing-slip.pdf")
    both = shipper_client.get(
        f"/orders/packing-slips.pdf?ids={order.pk}&ids={other.pk}&paper=letter"
    )

    assert (one.status_code, one["Content-Type"], one.content) == (
        200,
        "application/pdf",
        b"%PDF-1.7 fake",
    )
    assert one["Content-Disposition"] == 'inline; filename="packing-slip-1001.pdf"'
    assert both.status_code == 200
    assert calls == [(["1001"], "A4"), (["1001", "1002"], "letter")]


def test_the_packing_slip_is_a_pdf(shipper_client, order):
    response = shipper_client.get(f"/orders/{order.pk}/packing-slip.pdf")
    bad_paper = shipper_client.get(f"/orders/{order.pk}/packing-slip.pdf?paper=A3")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert bad_paper.status_code == 400
    assert bad_paper.content.decode() == "unknown paper size 'A3'; expected A4 or Letter"


def test_shipping_a_phone_with_its_imei_tells_back_market(
    shipper_client, phone_order, sandbox, huey_immediate, django_capture_on_commit_callbacks
):
    unit = ItemUnit.objects.get(item__order=phone_order)
    shipper_client.post(f"/orders/{phone_order.pk}/units/{unit.pk}/", {"value": VALID_IMEI}, **HTMX)

    with django_capture_on_commit_callbacks(execute=True):
        response = shipper_client.post(
            f"/orders/{phone_order.pk}/ship/",
            {
                "carrier_code": "colissimo",
                "service_code": "colissimo_home",
                "package_code": "package",
                "weight_grams": "240",
                "tracking_number": "6A 1234 5678 901",
                "shipment_cost": "7.90",
                "ship_date": "2026-03-15",
                "notify_backmarket": "on",
            },
        )

    assert response.status_code == 302
    shipment = Shipment.objects.get(order=phone_order)
    assert (
        shipment.carrier_code,
        shipment.service_code,
        shipment.tracking_number,
        str(shipment.shipment_cost),
        shipment.weight_grams,
        str(shipment.ship_date),
    ) == ("colissimo", "colissimo_home", "6A12345678901", "7.90", 240, "2026-03-15")
    assert Message.objects.get(kind="backmarket").status == "sent"
    phone_order.store.refresh_from_db()
    assert phone_order.store.ship_defaults == {
        "carrier_code": "colissimo",
        "service_code": "colissimo_home",
        "package_code": "package",
    }
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    [ship] = [u for u in updates if u["body"].get("new_state") == 3]
    assert ship["body"]["imei"] == VALID_IMEI


def test_the_ship_form_starts_from_the_stores_last_choices(shipper_client, order):
    order.store.ship_defaults = {
        "carrier_code": "ups",
        "service_code": "ups_standard",
        "package_code": "small_package",
    }
    order.store.save()

    html = page(shipper_client, order)

    assert '<option value="ups" selected>UPS</option>' in html
    assert '<option value="ups_standard" selected>UPS Standard</option>' in html
    assert '<option value="small_package" selected>Small package</option>' in html


def test_accept_and_cancel_line_call_back_market(shipper_client, imported, sandbox):
    first, second = Order.objects.filter(awaiting_acceptance=True).order_by("order_date")[:2]
    cancelled_sku = second.items.first().sku

    accepted = shipper_client.post(f"/orders/{first.pk}/accept/", follow=True)
    cancelled = shipper_client.post(
        f"/orders/{second.pk}/cancel-line/", {"sku": cancelled_sku}, follow=True
    )

    first.refresh_from_db()
    assert "Order accepted on Back Market." in accepted.content.decode()
    assert (first.awaiting_acceptance, first.channel_state) == (False, 3)
    assert f"Line {cancelled_sku} cancelled on Back Market." in cancelled.content.decode()
    updates = httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]
    assert [(u["path"], u["body"]["new_state"]) for u in updates] == [
        (f"/ws/orders/{first.channel_order_id}", 2)
    ] * len(first.items.all()) + [(f"/ws/orders/{second.channel_order_id}", 4)]


def test_a_failed_notification_is_shown_and_can_be_re_sent(shipper_client, order):
    ItemUnit.objects.filter(item__order=order).update(imei=VALID_IMEI)
    shipment = Shipment.objects.create(
        order=order, carrier_code="colissimo", tracking_number="6A1", ship_date="2026-03-15"
    )
    notification = Message.objects.create(
        kind="backmarket",
        payload={"action": "ship", "user": None, "source": "user"},
        key=f"backmarket:ship:{shipment.pk}",
        order=order,
        shipment=shipment,
        status="failed",
        attempts=1,
        next_attempt_at="2026-03-15T10:00:00Z",
        deadline_at="2026-03-16T10:00:00Z",
        last_error="Back Market rejected the update (422): invalid tracking number",
    )

    html = page(shipper_client, order)
    response = shipper_client.post(f"/notifications/{notification.pk}/resend/", follow=True)

    assert "Back Market rejected the update (422): invalid tracking number" in html
    assert "Retry now" in html
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert "The message will be sent again now." in response.content.decode()
    assert OrderEvent.objects.filter(order=order, kind="notification_resend").count() == 1


def test_the_cancelled_while_prepared_warning_is_in_the_readers_language(shipper_client, order):
    order.warning = CANCELLED_WHILE_PREPARED  # as the import writes it
    order.save(update_fields=["warning"])

    french = shipper_client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = page(shipper_client, order)

    assert (
        "Annulée sur Back Market pendant la préparation : ne l’expédiez pas ; "
        "remettez l’article en stock." in french
    )
    assert "Cancelled on Back Market" not in french
    assert CANCELLED_WHILE_PREPARED in english


def test_the_history_is_in_the_readers_language(shipper_client, order):
    # given: entries written by actions (in English, whoever wrote them)
    actions.set_identifier(order, sku="IP13-128-BLK", imei=VALID_IMEI)
    actions.hold(order, until=date(2026, 3, 20))

    # when
    french = shipper_client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = shipper_client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    english = english.decode()

    # then
    said = {
        "fr": [
            f"IMEI {VALID_IMEI} saisi pour IP13-128-BLK, unité 1.",
            "Mise en attente jusqu’au 2026-03-20.",
        ],
        "en": [f"IMEI {VALID_IMEI} set on IP13-128-BLK unit 1.", "Put on hold until 2026-03-20."],
    }
    assert all(text in french for text in said["fr"])
    assert not any(text in french for text in said["en"])
    assert all(text in english for text in said["en"])
