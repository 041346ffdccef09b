"""The store's shipping rules page (admins), the orders page's "Apply shipping rules", the
order page's "Service chosen by rule", and the product's package."""

import re

import pytest
from django.test import Client

from shipdesk.carriers.models import CarrierAccount
from shipdesk.orders.actions import update_seller_fields
from shipdesk.orders.models import Product
from shipdesk.rules.edit import save_rule
from shipdesk.rules.models import ShippingRule
from tests.factories import CHARGER, PHONE, imported_order, make_store

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Phones",
    "active": "on",
    "sku_prefix": "IP13",
    "countries": "fr, be",
    "skus": "",
    "max_weight_grams": "500",
    "backship": "no",
    "service_code": "colissimo_home",
    "package_code": "small_package",
    "hold_days": "",
    "tag": "phone",
}


@pytest.fixture
def colissimo():
    account = CarrierAccount(name="Colissimo pro", carrier_code="colissimo")
    account.credentials = {"contract_number": "123456", "password": "secret"}
    account.save()
    return account


@pytest.fixture
def store():
    return make_store("Refurb Paris")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_admin_adds_changes_reorders_and_deletes_rules(admin_client, store, colissimo):
    # when: two rules added through the form
    added = admin_client.post(
        f"/stores/{store.pk}/rules/new/", {**RULE, "carrier_account": colissimo.pk}
    )
    admin_client.post(
        f"/stores/{store.pk}/rules/new/",
        {"name": "Germany", "active": "on", "countries": "DE", "hold_days": "2"},
    )

    # then
    assert (added.status_code, added["Location"]) == (302, f"/stores/{store.pk}/rules/")
    phones, germany = ShippingRule.objects.order_by("position")
    assert (phones.position, phones.conditions, phones.actions) == (
        1,
        {
            "countries": ["FR", "BE"],
            "sku_prefix": "IP13",
            "max_weight_grams": 500,
            "backship": False,
        },
        {
            "carrier_account": colissimo.pk,
            "service_code": "colissimo_home",
            "package_code": "small_package",
            "tag": "phone",
        },
    )
    page = text(admin_client.get(f"/stores/{store.pk}/rules/", HTTP_ACCEPT_LANGUAGE="en"))
    assert (
        "<td>Phones</td>" not in page
        and f'<a href="/stores/{store.pk}/rules/{phones.pk}/">Phones</a>' in page
        and "<div>destination countries: FR, BE</div><div>SKU prefix: IP13</div>" in page
        and "<div>service: colissimo_home (Colissimo pro)</div>" in page
        and "<div>hold for (days): 2</div>" in page
    )

    # when: Germany moved up, and Phones switched off and its tag changed
    admin_client.post(f"/stores/{store.pk}/rules/{germany.pk}/move/", {"direction": "up"})
    edit_page = text(admin_client.get(f"/stores/{store.pk}/rules/{phones.pk}/"))
    admin_client.post(
        f"/stores/{store.pk}/rules/{phones.pk}/",
        {**RULE, "active": "", "carrier_account": colissimo.pk, "tag": "smartphone"},
    )

    # then: the form showed what the rule had
    assert 'name="countries" value="FR, BE"' in edit_page
    assert '<option value="small_package" selected>' in edit_page
    assert list(ShippingRule.objects.order_by("position").values_list("name", "active")) == [
        ("Germany", True),
        ("Phones", False),
    ]
    assert ShippingRule.objects.get(name="Phones").actions["tag"] == "smartphone"

    # when
    admin_client.post(f"/stores/{store.pk}/rules/{germany.pk}/delete/")

    # then
    assert list(ShippingRule.objects.values_list("name", "position")) == [("Phones", 1)]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"min_weight_grams": "900"},
            "min_weight_grams",
            "minimum weight (g) is above maximum weight (g)",
        ),
        (
            {"service_code": "colissimo_home", "carrier_account": ""},
            "carrier_account",
            "a carrier account and its service are set together: give the carrier account",
        ),
        (
            {"service_code": "chrono_13"},
            "service_code",
            "Select a valid choice. chrono_13 is not one of the available choices.",
        ),
        ({"hold_days": "400"}, "hold_days", "Ensure this value is less than or equal to 365."),
        ({"max_weight_grams": "1e9"}, "max_weight_grams", "Enter a whole number."),
        (
            {"countries": "France"},
            "countries",
            "destination countries: FRANCE is not a two-letter country code",
        ),
        ({"name": "Taken"}, "name", "store Refurb Paris already has a rule named Taken"),
    ],
)
def test_a_wrong_rule_is_shown_again_with_its_error_and_nothing_is_saved(
    admin_client, store, colissimo, changes, field, error
):
    # given
    save_rule(store, name="Taken", conditions={}, actions={"tag": "x"})
    sent = {**RULE, "carrier_account": colissimo.pk, **changes}

    # when
    response = admin_client.post(f"/stores/{store.pk}/rules/new/", sent, HTTP_ACCEPT_LANGUAGE="en")

    # then: what was typed is there again, with the error by its field
    page = text(response)
    assert response.status_code == 400
    assert f'<p class="error" id="id_{field}_error">{error}</p>' in page
    assert 'name="tag" value="phone"' in page
    assert list(ShippingRule.objects.values_list("name", flat=True)) == ["Taken"]


def test_a_rule_without_any_action_is_refused_for_the_whole_form(admin_client, store):
    response = admin_client.post(
        f"/stores/{store.pk}/rules/new/", {"name": "Nothing", "countries": "FR"}
    )

    assert response.status_code == 400
    assert (
        '<div class="form-errors" role="alert"><p>a rule sets something: give at least one '
        "action</p></div>" in text(response)
    )
    assert not ShippingRule.objects.exists()


def test_the_rules_page_is_in_french_and_for_admins_only(admin_client, shipper, store):
    save_rule(store, name="Germany", conditions={"countries": "DE"}, actions={"hold_days": 2})
    shipper_client = Client()
    shipper_client.force_login(shipper)

    french = text(admin_client.get(f"/stores/{store.pk}/rules/", HTTP_ACCEPT_LANGUAGE="fr"))
    store_page = text(admin_client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="fr"))
    shipper_sees = shipper_client.get(f"/stores/{store.pk}/rules/")

    assert "<h1>Règles d’expédition</h1>" in french
    assert "<div>pays de destination : DE</div>" in french
    assert "<div>en attente pendant (jours) : 2</div>" in french
    assert f'<a href="/stores/{store.pk}/rules/">Règles d’expédition</a>' in store_page
    assert shipper_sees.status_code == 403


def test_selected_orders_get_the_rules_again_and_the_order_page_says_which_rule(
    admin_client, store, colissimo
):
    # given: orders imported before the rule; one shipped already
    phone = imported_order(store, lines=(PHONE,))
    charger = imported_order(store, lines=(CHARGER,))
    shipped = imported_order(store, lines=(PHONE,), state=9)
    save_rule(
        store,
        name="Phones",
        conditions={"sku_prefix": "IP13"},
        actions={"carrier_account": colissimo.pk, "service_code": "colissimo_home"},
    )

    # when
    response = admin_client.post(
        "/orders/bulk/",
        {"action": "rules", "ids": [phone.pk, charger.pk, shipped.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then
    page = text(response)
    assert "Shipping rules applied to 2 order(s): 1 changed." in page
    assert f"order {shipped.order_number} is shipped: rules apply to open orders only" in page
    phone.refresh_from_db()
    assert (phone.carrier_account, phone.service_code) == (colissimo, "colissimo_home")
    detail = text(admin_client.get(f"/orders/{phone.pk}/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert (
        '<dd data-testid="chosen-service">Colissimo Domicile sans signature (Colissimo pro)'
        '<br><small class="help">Service choisi par la règle « Phones »</small></dd>' in detail
    )

    # when: the seller picks the service by hand, the page no longer credits the rule
    update_seller_fields(phone, service_code="colissimo_home_signature")
    detail = text(admin_client.get(f"/orders/{phone.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert (
        '<dd data-testid="chosen-service">Colissimo Domicile avec signature (Colissimo pro)</dd>'
        in detail
    )


def test_a_product_has_a_default_package(shipper_client):
    saved = shipper_client.post(
        "/products/new/", {"sku": "IP13-128-BLK", "package_code": "small_package"}
    )
    refused = shipper_client.post(
        "/products/new/", {"sku": "CHG-20W", "package_code": "crate"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert saved.status_code == 302
    assert list(Product.objects.values_list("sku", "package_code")) == [
        ("IP13-128-BLK", "small_package")
    ]
    assert "Select a valid choice. crate is not one of the available choices." in text(refused)
