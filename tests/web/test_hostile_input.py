"""Hostile input on the web UI: numbers out of bounds, CSV files that are wrong in every way,
and odd ids — refused with a clear message, nothing half-saved, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from shipdesk.orders.models import ItemUnit, Order, Product
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

ACCESSORY = dict(sku="CHG-USBC-20W", title="Chargeur USB-C 20 W")
SHIP = {"carrier_code": "colissimo", "package_code": "package", "tracking_number": "6A123"}


@pytest.fixture
def store(db):
    return make_store()


@pytest.fixture
def order(store):
    return make_order(store, 1001, **ACCESSORY)


def upload(text: str | bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def errors_of(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("file", [])]


# --- numbers in forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "error"),
    [
        ("1e400", "Ensure this value is less than or equal to 1000000."),
        ("1000000.01", "Ensure this value is less than or equal to 1000000."),
        ("-5", "Ensure this value is greater than or equal to 0."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
    ],
)
def test_the_ship_form_refuses_a_carrier_fee_out_of_bounds(shipper_client, order, fee, error):
    response = shipper_client.post(f"/orders/{order.pk}/ship/", {**SHIP, "shipment_cost": fee})

    assert response.status_code == 400
    assert response.context["ship_form"].errors == {"shipment_cost": [error]}
    assert not Shipment.objects.exists()
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"


def test_the_ship_form_refuses_a_weight_over_a_tonne(shipper_client, order):
    response = shipper_client.post(
        f"/orders/{order.pk}/ship/", {**SHIP, "weight_grams": "99999999999999999999"}
    )

    assert response.status_code == 400
    assert response.context["ship_form"].errors == {
        "weight_grams": ["Ensure this value is less than or equal to 1000000."]
    }
    assert not Shipment.objects.exists()


def test_a_product_with_absurd_sizes_is_refused_and_not_saved(shipper_client):
    response = shipper_client.post(
        "/products/new/",
        {
            "sku": "IP13",
            "weight_grams": "2000000",
            "length_cm": "1e50",
            "width_cm": "-5",
            "height_cm": "0.125",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "weight_grams": ["Ensure this value is less than or equal to 1000000."],
        "length_cm": ["Ensure this value is less than or equal to 1000."],
        "width_cm": ["Ensure this value is greater than or equal to 0."],
        "height_cm": ["Ensure that there are no more than 2 decimal places."],
    }
    assert not Product.objects.exists()


def test_import_settings_refuse_a_first_import_of_billions_of_days(admin_client, store):
    response = admin_client.post(
        f"/stores/{store.pk}/import-settings/",
        {"auto_import": "on", "interval_minutes": "2", "first_import_days": "2000000000"},
    )

    store.refresh_from_db()
    assert "Ensure this value is less than or equal to 365." in response.content.decode()
    assert store.first_import_days == 30


def test_batch_shipping_refuses_an_odd_weight_for_its_order_only(shipper_client, store):
    first, second, third = (make_order(store, n, **ACCESSORY) for n in (1001, 1002, 1003))

    response = shipper_client.post(
        "/ship/batch/",
        {
            "ids": [first.pk, second.pk, third.pk],
            **{k: v for k, v in SHIP.items() if k != "tracking_number"},
            f"tracking_{first.pk}": "6A1",
            f"weight_{first.pk}": "¹",
            f"tracking_{second.pk}": "6A2",
            f"weight_{second.pk}": "99999999999999999999",
            f"tracking_{third.pk}": "6A3",
            f"weight_{third.pk}": "180",
        },
    )

    assert response.status_code == 200
    assert [(o.order_number, ok, message) for o, ok, message in response.context["results"]] == [
        ("1001", False, "Weight (g): ¹ is not a number"),
        ("1002", False, "Weight (g): 99999999999999999999 is more than 1000000 g"),
        ("1003", True, "Shipped with 6A3."),
    ]
    assert list(Shipment.objects.values_list("order__order_number", "weight_grams")) == [
        ("1003", 180)
    ]


# --- the products CSV: all or nothing ---------------------------------------------------


def test_a_products_csv_with_a_size_of_1e50_saves_nothing_and_the_list_still_shows(
    shipper_client,
):
    csv = (
        "sku,name,length_cm,width_cm,height_cm,weight_grams\n"
        "IP13,iPhone 13,14.7,7.2,0.8,174\n"
        "GS23,Galaxy S23,1e50,7,0.8,168\n"
        "PIX8,Pixel 8,15,7,0.9,-5\n"
        "IP13,iPhone 13 again,14.7,7.2,0.8,174\n"
        "BIG,Big,1,1,1,1000001\n"
    )

    response = shipper_client.post("/products/import/", {"file": upload(csv)})
    listing = shipper_client.get("/products/")

    assert response.status_code == 400
    assert response.context["result"].errors == [
        "line 3: length_cm: 1e50 is more than 1000 cm",
        "line 4: weight_grams: -5 is negative",
        "line 5: sku IP13 is also on line 2",
        "line 6: weight_grams: 1000001 is more than 1000000 g",
    ]
    assert not Product.objects.exists()
    assert listing.status_code == 200


def test_a_value_over_128_kb_is_reported_by_line_not_a_crash(shipper_client):
    csv = "sku,name\nIP13,iPhone 13\nGS23," + "x" * 200_000 + "\n"

    response = shipper_client.post("/products/import/", {"file": upload(csv)})

    assert response.status_code == 400
    assert response.context["result"].errors == ["line 3: name is longer than 300 characters"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("sku,name\nCAFÉ,Café\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"", "The submitted file is empty."),  # Django's own check
        (b"\n\n", "The file is empty."),
        (b"sku,name\n", "The file has no rows under its header."),
        (b"name,weight_grams\nPhone,100\n", "The file has no sku column."),
        (b"sku,name\nIP13,iPhone\x00 13\n", "The file is not text: it contains NUL characters."),
        (b"sku,name\n" + b"IP13,iPhone 13\n" * 400_000, "The file is larger than 5 MB."),
    ],
)
def test_a_products_file_that_cannot_be_read_is_refused_whole(shipper_client, content, error):
    response = shipper_client.post("/products/import/", {"file": upload(content)})

    assert response.status_code == 400
    assert errors_of(response) == [error]
    assert not Product.objects.exists()


def test_the_products_command_refuses_a_file_it_cannot_read_in_one_line(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "products.csv"
    path.write_bytes("sku\nCAFÉ\n".encode("latin-1"))

    with pytest.raises(CommandError) as refused:
        call_command("products", "import", str(path))

    assert str(refused.value) == f"{path}: The file is not UTF-8 text."
    assert not Product.objects.exists()


# --- the tracking CSV: check every row, ship the good ones, report the others ------------


def test_a_bad_row_after_good_ones_is_reported_and_the_good_ones_ship(shipper_client, store):
    for number in (1001, 1002, 1003, 1004, 1005):
        make_order(store, number, **ACCESSORY)
    make_order(store, 1006)  # a phone without its IMEI: ship_order refuses it
    make_order(store, 1007, status="awaiting_payment", **ACCESSORY)
    csv = (
        "order_number,carrier,tracking_number,cost\n"
        "1001,colissimo,6A1,7.90\n"
        "1002,colissimo,6A2,-5\n"
        "1003,colissimo,6A3,1e400\n"
        "1004,colissimo,6A4,12.345\n"
        "1005,colissimo,,\n"
        "1006,colissimo,6A6,\n"
        "1007,colissimo,6A7,\n"
        "1001,colissimo,6A8,\n"
        "1005,colissimo,6A5," + "9" * 200_000 + "\n"
    )

    response = shipper_client.post("/ship/import/", {"file": upload(csv)})

    assert response.status_code == 200
    assert [
        (r.line, r.order_number, r.shipped, r.message) for r in response.context["result"].rows
    ] == [
        (2, "1001", True, "Shipped with 6A1."),
        (3, "1002", False, "cost: -5 is negative"),
        (4, "1003", False, "cost: 1e400 is more than 1000000"),
        (5, "1004", False, "cost: 12.345 has more than 2 decimals"),
        (6, "1005", False, "No tracking number."),
        (
            7,
            "1006",
            False,
            "cannot ship order 1006: missing IMEI / serial number for IP13-128-BLK "
            "(iPhone 13 128 GB - Black - Unlocked)",
        ),
        (8, "1007", False, "order 1007 is not paid yet: do not ship it"),
        (9, "1001", False, "Order 1001 is already on line 2."),
        (10, "1005", False, "cost: 99999999999999999999… is not a number"),
    ]
    assert [(s.order.order_number, str(s.shipment_cost)) for s in Shipment.objects.all()] == [
        ("1001", "7.90")
    ]
    assert "1 order(s) shipped, 8 refused." in response.content.decode()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            b"order_number,carrier,tracking_number\n1001,Colissimo \xe9,6A1\n",
            "The file is not UTF-8 text.",
        ),
        (b" \n", "The file is empty."),
        (b"order_number,tracking_number\n1001,6A1\n", "The file has no carrier column."),
        (b"order_number,carrier,tracking_number\n\n\n", "The file has no rows under its header."),
        (
            b"order_number,carrier,tracking_number\n" + b"1001,colissimo,6A1\n" * 300_000,
            "The file is larger than 5 MB.",
        ),
    ],
)
def test_a_tracking_file_that_cannot_be_read_ships_nothing(shipper_client, order, content, error):
    response = shipper_client.post("/ship/import/", {"file": upload(content)})

    assert response.status_code == 400
    assert errors_of(response) == [error]
    assert not Shipment.objects.exists()


def test_a_french_packer_reads_the_refusals_in_french(shipper_client, order):
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    tracking = "order_number,carrier,tracking_number,cost\n1001,colissimo,6A1,-5\n"
    products = "sku,length_cm\nIP13,1e50\n"

    shipped = shipper_client.post("/ship/import/", {"file": upload(tracking)}, **french)
    imported = shipper_client.post("/products/import/", {"file": upload(products)}, **french)
    empty = shipper_client.post("/products/import/", {"file": upload(" \n")}, **french)

    assert [r.message for r in shipped.context["result"].rows] == ["cost : -5 est négatif"]
    assert imported.context["result"].errors == ["ligne 2 : length_cm : 1e50 dépasse 1000 cm"]
    assert errors_of(empty) == ["Le fichier est vide."]
    assert "Rien n’a été importé : corrigez ces lignes" in imported.content.decode()


def test_the_import_pages_say_how_they_apply_a_file(shipper_client):
    products = shipper_client.get("/products/import/").content.decode()
    tracking = shipper_client.get("/ship/import/").content.decode()

    assert "All or nothing: if a line of the file is wrong, no product is saved" in products
    assert (
        "Every row is checked first: the rows without a problem ship, and each refused row "
        "is listed with its line number."
    ) in tracking


# --- ids --------------------------------------------------------------------------------

ODD_IDS = ["99999999999999999999", "¹", "-1", "1e3"]


@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_are_a_bad_request(shipper_client, order, odd):
    answers = [
        shipper_client.get("/orders/packing-slips.pdf", {"ids": [order.pk, odd]}),
        shipper_client.get("/ship/batch/", {"ids": [odd]}),
        shipper_client.post("/ship/batch/", {"ids": [odd], **SHIP}),
        shipper_client.post("/orders/bulk/", {"ids": [order.pk, odd], "action": "hold"}),
        shipper_client.get("/orders/", {"store": odd}),
        shipper_client.get("/packing-slips.pdf", {"orders": f"{order.pk},{odd}"}),
    ]

    assert [(a.status_code, a["Content-Type"]) for a in answers] == [
        (400, "text/plain; charset=utf-8")
    ] * 6
    assert [a.content.decode() for a in answers] == [f"{odd} is not an id"] * 5 + [
        f"orders must be order ids separated by commas: {odd} is not an id"
    ]
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"


@pytest.mark.parametrize("odd", ODD_IDS)
def test_the_import_progress_refuses_an_odd_run_id(admin_client, store, odd):
    response = admin_client.get(f"/stores/{store.pk}/import/status/", {"after": odd})
    first = admin_client.get(f"/stores/{store.pk}/import/status/", {"after": "0"})

    assert (response.status_code, response.content.decode()) == (400, f"{odd} is not an id")
    assert first.status_code == 200


def test_a_refused_id_is_shown_as_text_not_html(shipper_client):
    response = shipper_client.get("/orders/", {"store": "<b>1</b>"})

    assert (response.status_code, response.content) == (400, b"<b>1</b> is not an id")
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_filter_at_the_ends_of_the_calendar_is_ignored(shipper_client, order, day):
    since = shipper_client.get("/orders/", {"from": day})
    until = shipper_client.get("/orders/", {"to": day})

    assert (since.status_code, until.status_code) == (200, 200)
    assert (since.context["filters"].date_from, until.context["filters"].date_to) == (None, None)
    assert [o.pk for o in until.context["page"].orders] == [order.pk]


def test_the_store_filter_still_takes_a_store(shipper_client, store, order):
    other = make_order(make_store("Other shop"), 2002, **ACCESSORY)

    response = shipper_client.get("/orders/", {"store": store.pk})

    assert [o.pk for o in response.context["page"].orders] == [order.pk]
    assert other.pk not in [o.pk for o in response.context["page"].orders]
    assert Store.objects.count() == 2


# --- values older versions stored -------------------------------------------------------


def store_unreadable(table: str, column: str, pk: int) -> None:
    """Put in a value no DecimalField reads back, as older versions did (SQLite kept an
    Infinity; PostgreSQL keeps NaN in a numeric column)."""
    bad = "9e999" if connection.vendor == "sqlite" else "'NaN'"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {bad} WHERE id = %s", [pk])


def test_pages_still_open_with_a_carrier_fee_of_infinity_stored(shipper_client, order):
    ItemUnit.objects.all().delete()
    shipment = Shipment.objects.create(
        order=order, carrier_code="colissimo", tracking_number="6A1", ship_date="2026-03-15"
    )
    Order.objects.filter(pk=order.pk).update(status="shipped")
    store_unreadable("shipping_shipment", "shipment_cost", shipment.pk)

    detail = shipper_client.get(f"/orders/{order.pk}/")
    listing = shipper_client.get("/orders/", {"tab": "shipped"})

    assert detail.status_code == 200
    assert [s.shipment_cost for s in detail.context["shipments"]] == [None]
    assert listing.status_code == 200
    assert [o.order_number for o in listing.context["page"].orders] == ["1001"]


def test_the_products_page_opens_with_a_size_of_1e50_stored(shipper_client):
    product = Product.objects.create(sku="IP13", length_cm=14, width_cm=7, height_cm=1)
    store_unreadable("orders_product", "length_cm", product.pk)

    listing = shipper_client.get("/products/")
    edit = shipper_client.get(f"/products/{product.pk}/")

    assert (listing.status_code, edit.status_code) == (200, 200)
    assert [p.length_cm for p in listing.context["page"]] == [None]
