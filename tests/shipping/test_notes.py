"""The Internal Notes habit against the sandbox over HTTP: IMEIs typed into the notes the
way ShipStation's help says (the number alone) reach Back Market; notes that cannot be read
without guessing stop the shipment, say why and what to type, and send nothing."""

import re

import httpx
import pytest

from shipdesk.orders.actions import OrderActionError, set_notes
from shipdesk.orders.models import ItemUnit
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment

from ..factories import IMEI, OTHER_IMEI, OTHER_PHONE, PHONE, sandbox_order

pytestmark = pytest.mark.django_db


def updates(sandbox) -> list[dict]:
    return httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]


def back_market_imeis(store, order) -> dict[str, str]:
    """SKU -> the IMEI Back Market holds for that line."""
    answer = httpx.get(
        f"{store.base_url}/ws/orders/{order.channel_order_id}",
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-tests;t@example.com"},
        timeout=5,
    ).json()
    return {line["listing"]: line["imei"] for line in answer["orderlines"]}


def test_a_bare_imei_in_the_notes_of_a_one_phone_order_ships_and_reaches_back_market(
    store, sandbox
):
    order = sandbox_order(store)
    set_notes(order, internal=f"Checked by Léa, screen perfect.\n{IMEI}\n")

    ship_order(order, carrier_code="colissimo", tracking_number="6A12345678901")
    engine.deliver_due()

    [ship] = [(u["method"], u["body"]) for u in updates(sandbox)]
    assert (ship[0], ship[1]["new_state"], ship[1]["imei"]) == ("POST", 3, IMEI)
    assert back_market_imeis(store, order) == {PHONE.sku: IMEI}
    unit = ItemUnit.objects.get(item__order=order)
    assert (unit.imei, unit.sent_at is not None) == (IMEI, True)


def test_bare_imeis_one_per_line_go_to_the_phones_in_item_order(store, sandbox):
    order = sandbox_order(store, lines=(PHONE, OTHER_PHONE))
    set_notes(order, internal=f"{IMEI}\n{OTHER_IMEI}")

    ship_order(order, carrier_code="colissimo", tracking_number="6A12345678902")
    engine.deliver_due()

    assert back_market_imeis(store, order) == {PHONE.sku: IMEI, OTHER_PHONE.sku: OTHER_IMEI}


def test_ambiguous_notes_are_refused_with_their_explanation_and_nothing_is_sent(store, sandbox):
    order = sandbox_order(store)
    set_notes(order, internal=f"{IMEI}\n{OTHER_IMEI}")

    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo", tracking_number="6A12345678903")
    engine.deliver_due()

    assert str(refused.value) == (
        f"cannot ship order {order.order_number}: missing IMEI / serial number for "
        f"{PHONE.sku} ({PHONE.title}) (Internal notes: 2 number(s) without a SKU for 1 unit(s) "
        f"without an IMEI / serial number ({PHONE.sku} unit 1): write one per line, in the "
        "order of the items, or “SKU: number” lines)"
    )
    assert updates(sandbox) == []
    assert not Shipment.objects.exists() and not Message.objects.exists()
    assert ItemUnit.objects.get(item__order=order).imei == ""


def test_a_wrong_check_digit_in_the_notes_is_refused_and_nothing_is_sent(store, sandbox):
    order = sandbox_order(store)
    set_notes(order, internal="356938035643808")

    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo", tracking_number="6A12345678904")
    engine.deliver_due()

    assert str(refused.value).endswith(
        "(Internal notes, line 1: IMEI 356938035643808 has a wrong check digit (Luhn); "
        "check for a typing error)"
    )
    assert updates(sandbox) == []


@pytest.fixture
def shipper_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("sam", password="sam-password-1"))
    return client


def notes_reading(client, order, language="en") -> str:
    """The text of the order page's part saying what was read from the notes."""
    html = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    start = html.index('data-testid="notes-reading"')
    part = html[html.index(">", start) + 1 : html.index("\n</div>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_the_order_page_shows_what_the_notes_give_each_unit_before_shipping(
    shipper_client, store, sandbox
):
    order = sandbox_order(store, lines=(PHONE, OTHER_PHONE))
    set_notes(order, internal=f"{OTHER_PHONE.sku}: {OTHER_IMEI}\n356938035643808")

    assert notes_reading(shipper_client, order) == (
        f"Read from the internal notes {OTHER_PHONE.sku} unit 1: IMEI {OTHER_IMEI} — recorded "
        "when shipping Not read from the internal notes (nothing doubtful is sent to Back "
        "Market): Internal notes, line 2: IMEI 356938035643808 has a wrong check digit (Luhn); "
        "check for a typing error"
    )
    assert notes_reading(shipper_client, order, "fr-FR,fr;q=0.9") == (
        f"Lu dans les notes internes {OTHER_PHONE.sku} unité 1 : IMEI {OTHER_IMEI} — enregistré "
        "à l’expédition Non lu dans les notes internes (rien de douteux n’est envoyé à Back "
        "Market) : Notes internes, ligne 2 : l’IMEI 356938035643808 a une clé de contrôle "
        "fausse (Luhn) ; vérifiez la saisie"
    )
    # Only shown: the page records nothing.
    assert list(ItemUnit.objects.filter(item__order=order).values_list("imei", flat=True)) == [
        "",
        "",
    ]
    assert not order.events.filter(kind="identifier_set").exists()


def test_the_order_page_says_a_value_already_recorded(shipper_client, store, sandbox):
    order = sandbox_order(store)
    set_notes(order, internal=f"IMEI: {IMEI}")
    ItemUnit.objects.filter(item__order=order).update(imei=IMEI)

    assert notes_reading(shipper_client, order) == (
        f"Read from the internal notes {PHONE.sku} unit 1: IMEI {IMEI} — already recorded"
    )
