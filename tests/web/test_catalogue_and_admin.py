"""Products, the notifications outbox, users and settings."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from shipdesk.orders.models import Product, Tag
from shipdesk.outbox.models import Attempt, Message
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Warehouse
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


def test_a_product_is_created_and_edited(shipper_client):
    shipper_client.post(
        "/products/new/",
        {
            "sku": "IP13-128-BLK",
            "name": "iPhone 13",
            "weight_grams": "174",
            "length_cm": "14.7",
            "width_cm": "7.2",
            "height_cm": "0.8",
            "warehouse_location": "A-03-2",
            "needs_imei": "yes",
        },
    )
    product = Product.objects.get()
    response = shipper_client.post(
        f"/products/{product.pk}/",
        {"sku": "IP13-128-BLK", "weight_grams": "180", "needs_imei": ""},
        follow=True,
    )

    product.refresh_from_db()
    assert (product.weight_grams, product.warehouse_location, product.needs_imei) == (
        180,
        "",
        None,
    )
    assert "Product IP13-128-BLK saved." in response.content.decode()


def test_products_are_imported_from_csv_all_or_nothing_with_errors_by_line(shipper_client):
    Product.objects.create(sku="IP13-128-BLK", weight_grams=100)
    good = (
        "sku,name,weight_grams,warehouse_location,needs_imei\n"
        "IP13-128-BLK,iPhone 13,174,A-03-2,yes\n"
        "CHG-USBC-20W,Chargeur 20 W,60,C-01-1,no\n"
    )
    bad = good + ",nameless,10,,\nGS23-256,Galaxy S23,heavy,,\n"

    refused = shipper_client.post(
        "/products/import/", {"file": SimpleUploadedFile("products.csv", bad.encode())}
    )
    nothing = list(Product.objects.values_list("sku", "weight_grams", "needs_imei"))
    imported = shipper_client.post(
        "/products/import/",
        {"file": SimpleUploadedFile("products.csv", good.encode())},
        follow=True,
    )

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Nothing imported: correct these lines" in html
    assert "line 4: sku is empty" in html
    assert "line 5: weight_grams: heavy is not a number" in html
    assert nothing == [("IP13-128-BLK", 100, None)]
    assert "1 product(s) created, 1 updated." in imported.content.decode()
    assert list(
        Product.objects.order_by("sku").values_list("sku", "weight_grams", "needs_imei")
    ) == [
        ("CHG-USBC-20W", 60, False),
        ("IP13-128-BLK", 174, True),
    ]


def test_products_are_searched_by_sku_name_or_location(shipper_client):
    Product.objects.create(sku="IP13-128-BLK", name="iPhone 13", warehouse_location="A-03-2")
    Product.objects.create(sku="GS23-256", name="Galaxy S23", warehouse_location="B-01-1")

    found = [
        re.findall(
            r'class="sku"><a [^>]+>([^<]+)<',
            shipper_client.get(f"/products/?q={q}").content.decode(),
        )
        for q in ("ip13", "galaxy", "B-01-1")
    ]

    assert found == [["IP13-128-BLK"], ["GS23-256"], ["GS23-256"]]


@pytest.fixture
def outbox(db):
    store = make_store()
    rows = {}
    for number, status in ((1001, "failed"), (1002, "dead"), (1003, "sent"), (1004, "failed")):
        order = make_order(store, number, status="shipped")
        shipment = Shipment.objects.create(
            order=order, carrier_code="ups", tracking_number=f"1Z{number}", ship_date="2026-03-15"
        )
        rows[number] = Message.objects.create(
            kind="backmarket",
            payload={"action": "ship", "user": None, "source": "user"},
            key=f"backmarket:ship:{shipment.pk}",
            order=order,
            shipment=shipment,
            status=status,
            attempts=1,
            next_attempt_at="2026-03-15T10:00:00Z",
            deadline_at="2026-03-16T10:00:00Z",
            last_error="" if status == "sent" else "Back Market rejected the update (422)",
        )
    Attempt.objects.create(
        message=rows[1001],
        request={"step": "ship", "method": "POST", "path": "/ws/orders/1001", "body": {}},
        status_code=422,
        answer='{"error": {"code": "invalid", "message": "bad tracking number"}}',
        error_class="final",
        error="Back Market rejected the update (422)",
    )
    return rows


def test_the_outbox_lists_failed_notifications_with_back_markets_answer(shipper_client, outbox):
    html = shipper_client.get("/notifications/").content.decode()

    assert re.findall(r'aria-current="page">([^<]+) <span class="count">(\d+)', html) == [
        ("Failed", "2")
    ]
    assert re.findall(r"Order (\d{4})</a>", html) == ["1004", "1001"]
    assert "POST /ws/orders/1001</code> → <strong>422</strong>" in html
    assert "{&quot;error&quot;: {&quot;code&quot;: &quot;invalid&quot;" in html


def test_other_outbox_tabs(shipper_client, outbox):
    pages = {
        status: re.findall(
            r"Order (\d{4})</a>",
            shipper_client.get(f"/notifications/?status={status}").content.decode(),
        )
        for status in ("dead", "pending", "sent")
    }

    assert pages == {"dead": ["1002"], "pending": [], "sent": ["1003"]}


def test_a_dead_notification_is_re_sent_from_the_outbox(shipper_client, outbox):
    response = shipper_client.post(
        f"/notifications/{outbox[1002].pk}/resend/", {"next": "/notifications/?status=dead"}
    )
    refused = shipper_client.post(f"/notifications/{outbox[1003].pk}/resend/", follow=True)

    assert response["Location"] == "/notifications/?status=dead"
    outbox[1002].refresh_from_db()
    outbox[1003].refresh_from_db()
    assert (outbox[1002].status, outbox[1003].status) == ("pending", "sent")
    assert "Only failed messages can be sent again." in refused.content.decode()


def test_an_admin_adds_a_shipper_who_can_then_sign_in(admin_client, client):
    response = admin_client.post(
        "/users/new/",
        {
            "username": "paul",
            "email": "paul@example.com",
            "role": "shipper",
            "password": "paul-pass-123",
        },
    )

    paul = get_user_model().objects.get(username="paul")
    assert response["Location"] == "/users/"
    assert (paul.is_staff, paul.is_superuser, paul.email) == (False, False, "paul@example.com")
    assert client.login(username="paul", password="paul-pass-123")


def test_a_taken_username_and_a_short_password_are_refused(admin_client, shipper):
    response = admin_client.post(
        "/users/new/", {"username": "SAM", "role": "shipper", "password": "short"}
    )

    html = response.content.decode()
    assert "This username is taken." in html
    assert "This password is too short. It must contain at least 8 characters." in html


def test_an_admin_promotes_deactivates_and_resets_a_user(admin_client, shipper, client):
    admin_client.post(
        f"/users/{shipper.pk}/",
        {
            "email": "sam@example.org",
            "role": "admin",
            "is_active": "on",
            "password": "new-pass-456",
        },
    )
    shipper.refresh_from_db()
    promoted = (shipper.is_staff, shipper.is_superuser, shipper.email)
    admin_client.post(f"/users/{shipper.pk}/", {"email": "", "role": "shipper"})

    shipper.refresh_from_db()
    assert promoted == (True, True, "sam@example.org")
    assert (shipper.is_staff, shipper.is_active) == (False, False)
    assert not client.login(username="sam", password="new-pass-456")


def test_admins_cannot_lock_themselves_out(admin_client, admin):
    response = admin_client.post(f"/users/{admin.pk}/", {"role": "shipper"})

    html = response.content.decode()
    assert "You cannot remove your own admin role." in html
    assert "You cannot deactivate yourself." in html
    admin.refresh_from_db()
    assert (admin.is_staff, admin.is_active) == (True, True)


def test_warehouses_and_tags_in_settings(admin_client):
    admin_client.post(
        "/settings/warehouses/new/",
        {
            "name": "Paris",
            "street1": "1 rue A",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
            "is_default": "on",
        },
    )
    admin_client.post(
        "/settings/warehouses/new/",
        {
            "name": "Lyon",
            "street1": "2 rue B",
            "city": "Lyon",
            "postal_code": "69001",
            "country": "FR",
            "is_default": "on",
        },
    )
    admin_client.post("/settings/tags/", {"name": "Fragile", "color": "#cc0000"})
    admin_client.post("/settings/tags/", {"name": "Express", "color": "#00cc00"})
    admin_client.post(f"/settings/tags/{Tag.objects.get(name='Express').pk}/delete/")

    assert list(Warehouse.objects.order_by("name").values_list("name", "is_default")) == [
        ("Lyon", True),
        ("Paris", False),
    ]
    assert list(Tag.objects.values_list("name", "color")) == [("Fragile", "#cc0000")]


def test_a_tag_colour_must_be_a_hex_colour(admin_client):
    response = admin_client.post("/settings/tags/", {"name": "Odd", "color": "red;x"})

    assert response.status_code == 400
    assert "Give a colour as #rrggbb." in response.content.decode()
    assert not Tag.objects.exists()
