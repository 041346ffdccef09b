"""POST /warehouses/createwarehouse, PUT and DELETE /warehouses/{id}: ShipStation's warehouse
object in and out, one default warehouse at a time, and no deletion of one still in use."""

import pytest

from shipdesk.api.shipstation import ss_datetime
from shipdesk.orders.models import Order
from shipdesk.rules.edit import save_rule
from shipdesk.stores.models import Warehouse
from tests.factories import make_order, make_store, make_warehouse

pytestmark = pytest.mark.django_db

ORIGIN = {
    "name": "Marseille",
    "company": "Refurb SAS",
    "street1": "3 quai du Port",
    "street2": "Bâtiment B",
    "street3": None,
    "city": "Marseille",
    "state": None,
    "postalCode": "13002",
    "country": "fr",
    "phone": "+33 4 91 00 00 00",
    "residential": False,
}


def test_createwarehouse_saves_shipstations_warehouse_and_answers_it(api):
    lyon = make_warehouse()

    response = api.post(
        "/warehouses/createwarehouse",
        {
            "warehouseName": "Marseille hub",
            "originAddress": ORIGIN,
            "returnAddress": ORIGIN,
            "isDefault": True,
            "unknownField": "ignored",
        },
    )

    created = Warehouse.objects.exclude(pk=lyon.pk).get()
    assert (
        created.name,
        created.company,
        created.street1,
        created.street2,
        created.city,
        created.postal_code,
        created.country,
        created.phone,
        created.is_default,
    ) == (
        "Marseille hub",
        "Refurb SAS",
        "3 quai du Port",
        "Bâtiment B",
        "Marseille",
        "13002",
        "FR",
        "+33 4 91 00 00 00",
        True,
    )
    assert response.status_code == 200
    address = {
        "name": "Marseille hub",
        "company": "Refurb SAS",
        "street1": "3 quai du Port",
        "street2": "Bâtiment B",
        "street3": None,
        "city": "Marseille",
        "state": None,
        "postalCode": "13002",
        "country": "FR",
        "phone": "+33 4 91 00 00 00",
        "residential": False,
        "addressVerified": None,
    }
    assert response.json() == {
        "warehouseId": created.pk,
        "warehouseName": "Marseille hub",
        "originAddress": address,
        "returnAddress": address,
        "createDate": ss_datetime(created.created_at),
        "isDefault": True,
    }
    # One default at a time: Lyon is no longer it.
    assert list(Warehouse.objects.filter(is_default=True)) == [created]


def test_createwarehouse_takes_its_name_from_the_origin_address_and_is_not_default(api):
    response = api.post("/warehouses/createwarehouse", {"originAddress": ORIGIN})

    created = Warehouse.objects.get()
    assert (created.name, created.is_default) == ("Marseille", False)
    assert response.json()["warehouseName"] == "Marseille"


def test_createwarehouse_refuses_a_warehouse_without_name_or_address(api):
    nameless = api.post("/warehouses/createwarehouse", {"originAddress": {**ORIGIN, "name": None}})
    no_street = api.post(
        "/warehouses/createwarehouse", {"originAddress": {**ORIGIN, "street1": ""}}
    )

    assert (nameless.status_code, nameless.json()) == (
        400,
        {"message": "warehouseName: give the warehouse a name"},
    )
    assert (no_street.status_code, no_street.json()) == (
        400,
        {
            "message": "invalid request: originAddress.street1: String should have at least 1 character"
        },
    )
    assert not Warehouse.objects.exists()


def test_put_warehouse_updates_it_and_one_default_remains(api):
    lyon = make_warehouse()
    paris = make_warehouse("Paris", is_default=False)
    body = api.get(f"/warehouses/{paris.pk}").json()
    body["warehouseName"] = "Paris Nord"
    body["originAddress"]["street1"] = "8 rue de Dunkerque"
    body["isDefault"] = True

    response = api.put(f"/warehouses/{paris.pk}", body)

    paris.refresh_from_db()
    lyon.refresh_from_db()
    assert (paris.name, paris.street1, paris.is_default) == (
        "Paris Nord",
        "8 rue de Dunkerque",
        True,
    )
    assert lyon.is_default is False
    answer = response.json()
    assert (answer["warehouseId"], answer["warehouseName"], answer["isDefault"]) == (
        paris.pk,
        "Paris Nord",
        True,
    )
    assert (
        answer["originAddress"]["street1"]
        == answer["returnAddress"]["street1"]
        == ("8 rue de Dunkerque")
    )


def test_put_warehouse_without_isdefault_keeps_it(api):
    lyon = make_warehouse()
    body = {"warehouseName": "Lyon 3e", "originAddress": ORIGIN}

    api.put(f"/warehouses/{lyon.pk}", body)

    lyon.refresh_from_db()
    assert (lyon.name, lyon.is_default) == ("Lyon 3e", True)


def test_put_unknown_warehouse_is_404(api):
    response = api.put("/warehouses/999", {"originAddress": ORIGIN})

    assert (response.status_code, response.json()) == (404, {"message": "warehouse 999 not found"})


def test_delete_warehouse_nothing_uses(api):
    lyon = make_warehouse()

    response = api.delete(f"/warehouses/{lyon.pk}")
    again = api.delete(f"/warehouses/{lyon.pk}")

    assert response.json() == {"success": True, "message": f"Warehouse {lyon.pk} deleted."}
    assert not Warehouse.objects.exists()
    assert (again.status_code, again.json()) == (
        404,
        {"message": f"warehouse {lyon.pk} not found"},
    )


def test_delete_warehouse_refused_while_orders_and_rules_use_it(api):
    lyon = make_warehouse()
    store = make_store()
    for number in (1, 2):
        order = make_order(store, number)
        Order.objects.filter(pk=order.pk).update(warehouse=lyon)
    save_rule(store, name="Lyon phones", conditions={}, actions={"warehouse": lyon.pk})

    response = api.delete(f"/warehouses/{lyon.pk}")

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": "warehouse 'Lyon' is used by 2 orders and shipping rule Lyon phones: "
            "set another warehouse on them first"
        },
    )
    assert Warehouse.objects.filter(pk=lyon.pk).exists()


def test_delete_warehouse_refused_while_a_rule_uses_it(api):
    lyon = make_warehouse()
    save_rule(make_store(), name="Lyon phones", conditions={}, actions={"warehouse": lyon.pk})

    response = api.delete(f"/warehouses/{lyon.pk}")

    assert response.json() == {
        "message": "warehouse 'Lyon' is used by shipping rule Lyon phones: "
        "set another warehouse on them first"
    }
