"""Shipping with IMEIs, and the outbox's exactly-once notification, against the sandbox."""

import httpx
import pytest

from shipdesk.orders.actions import OrderActionError, accept_order, set_identifier, set_notes
from shipdesk.orders.imei import is_phone
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.outbox.senders import backmarket as sender
from shipdesk.shipping.actions import ship_order
from shipdesk.sync.importer import import_orders

from ..sync.oracle import admin

pytestmark = pytest.mark.django_db

IMEIS = [
    "356938035643809",
    "490154203237518",
    "353918057421477",
    "860000000000009",
    "352099001761481",
]


def deliver_due() -> dict:
    """Deliver what is due; the Back Market updates' counts by status."""
    return engine.deliver_due()["backmarket"]


def notifications():
    return Message.objects.filter(kind="backmarket")


def updates(sandbox) -> list[dict]:
    return httpx.get(f"{sandbox.url}/_sandbox/updates", timeout=5).json()["updates"]


def ship_updates(sandbox, order) -> list[dict]:
    """Ship updates Back Market applied (an injected 503 is logged but not applied)."""
    return [
        u
        for u in updates(sandbox)
        if u["path"] == f"/ws/orders/{order.channel_order_id}"
        and u["body"].get("new_state") == 3
        and u["status"] == 200
    ]


def bm_order(sandbox, order) -> dict:
    return httpx.get(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}",
        headers={
            "Authorization": "Basic sandbox-token",
            "User-Agent": "BM-tests-oracle;t@example.com",
        },
        timeout=5,
    ).json()


def live_items(order):
    """Lines still to ship (a multi-line order may have a refunded line)."""
    return [i for i in order.items.all() if i.channel_state in (1, 2)]


def find(store, *, lines=1, quantity=1, accepted=True, phone=True) -> Order:
    import_orders(store)
    for order in Order.objects.filter(
        status="awaiting_shipment", awaiting_acceptance=not accepted, is_backship=False
    ):
        items = list(order.items.all())
        if len(items) != lines or (lines == 1 and items[0].quantity != quantity):
            continue
        if quantity > 1 and not any(i.quantity == quantity for i in items):
            continue
        phones = [is_phone(title=i.name, brand=i.brand) for i in items]
        if phone is None and any(phones) or phone == all(phones):
            return order
    raise AssertionError("the sandbox data has no such order; change the seed")


def test_single_line_phone_is_shipped_with_its_imei_in_the_ship_update(store, sandbox):
    order = find(store)
    sku = order.items.get().sku
    set_identifier(order, sku=sku, imei=IMEIS[0])

    shipment = ship_order(
        order,
        carrier_code="colissimo",
        tracking_number="6A 1234 5678 901",
        service_code="colissimo_home",
        shipment_cost="7.90",
        notes_to_buyer="Merci !",
    )
    counts = deliver_due()

    assert counts == {"sent": 1, "failed": 0, "pending": 0, "dead": 0}
    [update] = ship_updates(sandbox, order)
    assert update["body"] == {
        "order_id": order.channel_order_id,
        "new_state": 3,
        "tracking_number": "6A12345678901",
        "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        "shipper": "Colissimo",
        "date_shipping": update["body"]["date_shipping"],
        "imei": IMEIS[0],
    }
    remote = bm_order(sandbox, order)
    assert remote["state"] == 9 and remote["orderlines"][0]["imei"] == IMEIS[0]
    shipment.refresh_from_db()
    assert (str(shipment.shipment_cost), shipment.service_code) == ("7.90", "colissimo_home")
    order.refresh_from_db()
    assert order.status == "shipped"
    attempt = notifications().get().attempt_log.get()
    assert (attempt.status_code, attempt.request["method"], attempt.error_class) == (
        200,
        "POST",
        "ok",
    )
    assert "sandbox-token" not in str(attempt.request) + attempt.answer


def test_multi_line_order_sends_imeis_per_line_with_patch(store, sandbox):
    order = find(store, lines=2, phone=None)
    phones = [i for i in live_items(order) if is_phone(title=i.name, brand=i.brand)]
    for n, item in enumerate(phones):
        for _ in range(item.quantity):
            set_identifier(order, sku=item.sku, imei=IMEIS[n], allow_duplicate=True)
    ship_order(order, carrier_code="ups", tracking_number="1Z999AA10123456784")

    deliver_due()

    patches = [u for u in updates(sandbox) if u["method"] == "PATCH"]
    assert sorted(p["path"] for p in patches) == sorted(
        f"/ws/orderlines/{i.channel_line_id}" for i in phones
    )
    [ship] = ship_updates(sandbox, order)
    assert "imei" not in ship["body"]
    assert notifications().get().status == "sent"


def test_missing_or_bad_imei_is_refused_before_any_request(store, sandbox):
    order = find(store)
    sku = order.items.get().sku
    before = httpx.get(f"{sandbox.url}/_sandbox/stats").json()["requests"]

    with pytest.raises(OrderActionError, match=f"missing IMEI / serial number for {sku}"):
        ship_order(order, carrier_code="colissimo", tracking_number="X1")
    with pytest.raises(OrderActionError, match="wrong check digit"):
        set_identifier(order, sku=sku, imei="356938035643808")
    with pytest.raises(OrderActionError, match="has 14 digits"):
        set_identifier(order, sku=sku, imei="35693803564380")

    assert httpx.get(f"{sandbox.url}/_sandbox/stats").json()["requests"] == before
    assert updates(sandbox) == [] and notifications().count() == 0


def test_imei_from_internal_notes_is_used(store, sandbox):
    order = find(store)
    set_notes(order, internal=f"Checked by Léa.\nIMEI: {IMEIS[1]}")

    ship_order(order, carrier_code="chronopost", tracking_number="XY123456789FR")
    deliver_due()

    [update] = ship_updates(sandbox, order)
    assert update["body"]["imei"] == IMEIS[1]


def test_an_invalid_imei_in_notes_is_reported_not_sent(store, sandbox):
    order = find(store)
    set_notes(order, internal="IMEI: 356938035643808")

    with pytest.raises(
        OrderActionError,
        match=r"Internal notes, line 1: IMEI 356938035643808 has a wrong check digit \(Luhn\)",
    ):
        ship_order(order, carrier_code="chronopost", tracking_number="XY123456789FR")
    assert updates(sandbox) == []


def test_unaccepted_order_is_accepted_then_shipped(store, sandbox):
    order = find(store, accepted=False)
    set_identifier(order, sku=order.items.get().sku, imei=IMEIS[2])

    ship_order(order, carrier_code="dpd", tracking_number="09445440281234")
    deliver_due()

    bodies = [u["body"] for u in updates(sandbox)]
    assert [b["new_state"] for b in bodies] == [2, 3]
    assert bm_order(sandbox, order)["state"] == 9


def test_a_duplicate_imei_is_refused_unless_overridden(store, sandbox):
    first = find(store)
    set_identifier(first, sku=first.items.get().sku, imei=IMEIS[3])
    second = Order.objects.exclude(pk=first.pk).filter(status="awaiting_shipment").first()
    sku = second.items.first().sku

    with pytest.raises(OrderActionError, match=f"already used on order {first.order_number}"):
        set_identifier(second, sku=sku, imei=IMEIS[3])
    assert set_identifier(second, sku=sku, imei=IMEIS[3], allow_duplicate=True).imei == IMEIS[3]


def test_accept_order_moves_lines_on_back_market(store, sandbox):
    order = find(store, accepted=False)

    accept_order(order)

    order.refresh_from_db()
    assert order.awaiting_acceptance is False
    assert bm_order(sandbox, order)["state"] == 3
    assert order.events.filter(kind="accepted").count() == 1


def test_server_errors_then_success_deliver_exactly_once(store, sandbox):
    order = find(store)
    set_identifier(order, sku=order.items.get().sku, imei=IMEIS[0])
    ship_order(order, carrier_code="gls", tracking_number="GLS123")
    admin(sandbox.url, "faults", {"fail_next": 3})

    assert deliver_due()["pending"] == 1  # the client's own retries exhausted
    notifications().update(next_attempt_at=order.order_date)  # time passes
    assert deliver_due() == {"sent": 1, "failed": 0, "pending": 0, "dead": 0}

    assert len(ship_updates(sandbox, order)) == 1
    assert notifications().get().attempts == 2


def test_a_rejection_stops_with_back_markets_message(store, sandbox):
    order = find(store, lines=2, phone=None)
    phone = next(i for i in live_items(order) if i.quantity == 1)
    # Someone already registered another IMEI for this line in the Back Office.
    httpx.patch(
        f"{sandbox.url}/ws/orderlines/{phone.channel_line_id}",
        json={"imei": IMEIS[1]},
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    )
    for item in live_items(order):
        for _ in range(item.quantity):
            set_identifier(order, sku=item.sku, imei=IMEIS[0], allow_duplicate=True)
    ship_order(order, carrier_code="colissimo", tracking_number="6A1")

    counts = deliver_due()

    notification = notifications().get()
    assert counts["failed"] == 1 and notification.status == "failed"
    assert "cannot be corrected" in notification.last_error
    assert order.events.filter(kind="notification_failed").exists()
    assert ship_updates(sandbox, order) == []


def test_a_worker_killed_after_back_market_applied_the_ship_sends_nothing_twice(store, sandbox):
    order = find(store)
    set_identifier(order, sku=order.items.get().sku, imei=IMEIS[0])
    ship_order(order, carrier_code="colissimo", tracking_number="6A99")
    notification = notifications().get()
    # The worker sent the update, Back Market applied it, and the worker died before recording it.
    httpx.post(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}",
        json={
            "order_id": order.channel_order_id,
            "new_state": 3,
            "tracking_number": "6A99",
            "shipper": "Colissimo",
            "imei": IMEIS[0],
        },
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    )
    notifications().filter(pk=notification.pk).update(attempts=1)

    assert deliver_due()["sent"] == 1
    assert len(ship_updates(sandbox, order)) == 1


def test_a_quantity_2_phone_line_needs_two_imeis_which_stay_in_shipdesk(store, sandbox):
    order = find(store, quantity=2)
    item = order.items.get()
    set_identifier(order, sku=item.sku, imei=IMEIS[0])

    with pytest.raises(
        OrderActionError, match=f"missing IMEI / serial number for {item.sku}.*unit 2"
    ):
        ship_order(order, carrier_code="colissimo", tracking_number="6A2")

    set_identifier(order, sku=item.sku, imei=IMEIS[1])
    ship_order(order, carrier_code="colissimo", tracking_number="6A2")
    deliver_due()

    assert [u.imei for u in item.units.all()] == IMEIS[:2]
    assert [u["method"] for u in updates(sandbox)] == ["POST"]  # no PATCH Back Market would refuse
    [ship] = ship_updates(sandbox, order)
    assert "imei" not in ship["body"]
    assert order.events.filter(kind="identifiers_kept").count() == 1


def test_a_worker_killed_during_its_first_attempt_sends_nothing_twice(store, sandbox):
    order = find(store)
    set_identifier(order, sku=order.items.get().sku, imei=IMEIS[0])
    ship_order(order, carrier_code="colissimo", tracking_number="6A77")
    # The first attempt's ship was applied by Back Market; the worker died holding the lease.
    httpx.post(
        f"{sandbox.url}/ws/orders/{order.channel_order_id}",
        json={
            "order_id": order.channel_order_id,
            "new_state": 3,
            "tracking_number": "6A77",
            "shipper": "Colissimo",
            "imei": IMEIS[0],
        },
        headers={"Authorization": "Basic sandbox-token", "User-Agent": "BM-t-t;t@example.com"},
    )
    notifications().update(lease_until=order.order_date)  # the dead worker's lease expired

    assert deliver_due()["sent"] == 1
    assert len(ship_updates(sandbox, order)) == 1


def test_a_rejected_token_flags_the_store_unless_the_seller_replaced_it_meanwhile(
    store, sandbox, monkeypatch
):
    from shipdesk.stores.connection import replace_token
    from shipdesk.stores.models import Store

    # Given a shipment waiting to be notified, and the store's token revoked on Back Market
    order = find(store)
    set_identifier(order, sku=order.items.get().sku, imei=IMEIS[0])
    ship_order(order, carrier_code="gls", tracking_number="GLS124")
    admin(sandbox.url, "revoke")

    # When the outbox is refused with the old token while the seller puts in a new one
    client_for = sender.client_for

    def seller_replaces_the_token_meanwhile(store_, **kwargs):
        client = client_for(store_, **kwargs)  # the old token
        admin(sandbox.url, "token", {"token": "token-new"})
        replace_token(Store.objects.get(pk=store_.pk), "token-new")
        return client

    monkeypatch.setattr(sender, "client_for", seller_replaces_the_token_meanwhile)
    first = deliver_due()
    monkeypatch.undo()

    # Then the notification waits for its retry and the store, on its new token, stays ok
    store.refresh_from_db()
    assert first["pending"] == 1
    assert store.health == Store.Health.OK
    notifications().update(next_attempt_at=order.order_date)
    assert deliver_due()["sent"] == 1

    # And a token revoked with nobody replacing it does flag the store
    order2 = find(store)
    set_identifier(order2, sku=order2.items.get().sku, imei=IMEIS[2])
    ship_order(order2, carrier_code="gls", tracking_number="GLS125")
    admin(sandbox.url, "revoke")
    assert deliver_due()["pending"] == 1
    store.refresh_from_db()
    assert store.health == Store.Health.TOKEN_REJECTED
