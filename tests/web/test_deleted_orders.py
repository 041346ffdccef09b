"""Deleted orders: admins list and restore them; shippers cannot."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from shipdesk.orders.actions import delete_order
from shipdesk.orders.models import Order, OrderEvent
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(db):
    store = make_store()
    deleted, live = make_order(store, 1001), make_order(store, 1002)
    delete_order(deleted, source="api")
    return deleted, live


def test_an_admin_sees_the_deleted_orders_and_restores_one(admin_client, admin, orders):
    deleted, live = orders

    page = admin_client.get("/orders/deleted/")
    response = admin_client.post(f"/orders/{deleted.pk}/restore/", follow=True)

    html = page.content.decode()
    assert page.status_code == 200
    assert [o.order_number for o in page.context["page"]] == ["1001"]
    assert f'action="/orders/{deleted.pk}/restore/"' in html
    assert "Restore order 1001" in html
    assert response.redirect_chain == [("/orders/deleted/", 302)]
    assert "Order 1001 restored: it is back in the order lists." in response.content.decode()
    assert "No deleted orders." in response.content.decode()
    deleted.refresh_from_db()
    assert deleted.deleted is False
    event = deleted.events.get(kind="restored")
    assert (event.user, event.source) == (admin, "user")
    assert admin_client.get(f"/orders/{deleted.pk}/").status_code == 200


def test_restoring_an_order_that_is_not_deleted_says_so(admin_client, orders):
    _deleted, live = orders

    response = admin_client.post(f"/orders/{live.pk}/restore/", follow=True)

    assert "order 1002 is not deleted" in response.content.decode()


def test_the_newest_deletion_comes_first(admin_client, orders):
    deleted, live = orders
    delete_order(live, source="user")

    page = admin_client.get("/orders/deleted/")

    assert [o.order_number for o in page.context["page"]] == ["1002", "1001"]


def test_shippers_can_neither_see_nor_restore_deleted_orders(shipper_client, orders):
    deleted, _live = orders

    listing = shipper_client.get("/orders/deleted/")
    restore = shipper_client.post(f"/orders/{deleted.pk}/restore/")

    assert (listing.status_code, restore.status_code) == (403, 403)
    assert Order.objects.get(pk=deleted.pk).deleted is True


def test_the_orders_page_links_to_deleted_orders_for_admins_only(client, admin, shipper, orders):
    client.force_login(admin)
    for_admin = client.get("/orders/").content.decode()
    client.force_login(shipper)
    for_shipper = client.get("/orders/").content.decode()

    link = '<a href="/orders/deleted/">Deleted orders</a>'
    assert (link in for_admin, link in for_shipper) == (True, False)


def test_restoring_needs_the_forms_csrf_token(admin, orders):
    deleted, _live = orders
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    response = client.post(f"/orders/{deleted.pk}/restore/")

    assert response.status_code == 403
    assert Order.objects.get(pk=deleted.pk).deleted is True


def test_the_page_reads_in_french_with_the_deletion_time(admin_client, orders, settings):
    settings.TIME_ZONE = "Europe/Paris"
    OrderEvent.objects.filter(kind="deleted").update(at=datetime(2026, 3, 15, 8, 0, tzinfo=UTC))

    html = admin_client.get("/orders/deleted/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "<h1>Commandes supprimées</h1>" in html
    assert "Restaurer la commande 1001" in html
    assert '<time datetime="2026-03-15T09:00:00+01:00">15/03/2026 09:00</time>' in html
