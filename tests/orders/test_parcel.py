"""An order's parcel for labels: its own weight, size and package, else its products'."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation

from shipdesk.carriers.gateway import CarrierMessage
from shipdesk.carriers.models import CarrierAccount
from shipdesk.carriers.services import ship_with_label
from shipdesk.orders.catalogue import import_products_csv
from shipdesk.orders.models import OrderItem, Parcel, Product
from shipdesk.orders.status import AWAITING_SHIPMENT
from shipdesk.shipping.models import Shipment
from tests.factories import CHARGER, PHONE, imported_order, make_store, make_warehouse

pytestmark = pytest.mark.django_db


def test_the_products_give_weight_size_and_package_to_an_order_of_one_unit():
    # given: a phone whose product has every default; the order none of its own
    order = imported_order(make_store(), lines=(PHONE,))
    Product.objects.create(
        sku=PHONE.sku,
        weight_grams=180,
        length_cm=Decimal("16"),
        width_cm=Decimal("9"),
        height_cm=Decimal("4.5"),
        package_code="small_package",
    )

    # when / then
    assert order.parcel() == Parcel(
        180, (Decimal("16.00"), Decimal("9.00"), Decimal("4.50")), "small_package", ()
    )


def test_what_is_set_on_the_order_or_its_items_comes_before_the_products():
    # given
    order = imported_order(make_store(), lines=(PHONE, CHARGER))
    Product.objects.create(sku=PHONE.sku, weight_grams=180, package_code="small_package")
    Product.objects.create(sku=CHARGER.sku, weight_grams=90)
    OrderItem.objects.filter(order=order, sku=CHARGER.sku).update(weight_grams=75)

    # when / then: items' weights summed (the charger's own, the phone's product's); no size
    # or package for two products
    assert order.parcel() == Parcel(255, None, "", ())

    # when: the seller weighed the parcel and chose a box
    order.weight_grams, order.package_code = 300, "package"
    order.length_cm, order.width_cm, order.height_cm = Decimal(20), Decimal(15), Decimal(8)

    # then
    assert order.parcel() == Parcel(300, (Decimal(20), Decimal(15), Decimal(8)), "package", ())


def test_a_missing_weight_is_reported_with_the_products_to_fix_never_guessed():
    # given: the phone weighs 180 g, the charger nothing anywhere
    order = imported_order(make_store(), lines=(PHONE, CHARGER))
    Product.objects.create(sku=PHONE.sku, weight_grams=180)

    # when
    parcel = order.parcel()

    # then
    assert (parcel.weight_grams, parcel.missing_weight) == (None, (CHARGER.sku,))
    number = order.order_number
    assert parcel.weight_problem(number) == (
        f"order {number} has no weight: set it on the order, or on the products CHG-20W-USBC"
    )
    with translation.override("fr"):
        assert parcel.weight_problem(number) == (
            f"la commande {number} n’a pas de poids : indiquez-le sur la commande, "
            "ou sur les produits CHG-20W-USBC"
        )
    assert Parcel(250, None, "").weight_problem(number) is None


def test_the_catalogue_csv_gives_products_their_package():
    result = import_products_csv(
        BytesIO(b"sku,weight_grams,package_code\nIP13-128-BLK,174,small_package\nCHG,60,\n")
    )

    assert (result.created, result.errors) == (2, [])
    assert list(Product.objects.order_by("sku").values_list("sku", "package_code")) == [
        ("CHG", ""),
        ("IP13-128-BLK", "small_package"),
    ]
    refused = import_products_csv(BytesIO(b"sku,package\nCASE," + b"x" * 51 + b"\n"))
    assert refused.errors == ["line 2: package is longer than 50 characters"]


def test_no_label_is_bought_for_an_order_whose_products_have_no_weight():
    # given: a charger order, nothing anywhere giving its weight; a carrier account
    make_warehouse()
    order = imported_order(make_store(), lines=(CHARGER,))
    account = CarrierAccount(name="Colissimo pro", carrier_code="colissimo")
    account.credentials = {"contract_number": "123456", "password": "secret"}
    account.save()

    # when
    result = ship_with_label(order, account, "colissimo_home")

    # then: refused before the carrier is asked, naming the product to fix; nothing recorded
    assert (result.ok, result.messages) == (
        False,
        [
            CarrierMessage(
                "NO_WEIGHT",
                f"order {order.order_number} has no weight: set it on the order, or on the "
                "products CHG-20W-USBC",
            )
        ],
    )
    order.refresh_from_db()
    assert (order.status, Shipment.objects.count()) == (AWAITING_SHIPMENT, 0)
