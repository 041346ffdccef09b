"""/stores (with refresh), /carriers, /warehouses and /accounts/listtags."""

import pytest
from huey.contrib.djhuey import HUEY

from shipdesk.api.shipstation import ss_datetime
from shipdesk.orders.models import Tag
from shipdesk.stores.models import Store, Warehouse
from shipdesk.sync.importer import import_orders

pytestmark = pytest.mark.django_db


def test_stores_answer_shipstations_store_with_status_mappings(store, api):
    run = import_orders(store)
    store.refresh_from_db()
    expected = {
        "storeId": store.pk,
        "storeName": "Test store",
        "marketplaceId": 1,
        "marketplaceName": "Back Market",
        "accountName": None,
        "email": None,
        "integrationUrl": store.base_url,
        "active": True,
        "companyName": None,
        "phone": None,
        "publicEmail": None,
        "website": None,
        "refreshDate": ss_datetime(run.finished_at),
        "lastRefreshAttempt": ss_datetime(store.last_import_at),
        "createDate": ss_datetime(store.created_at),
        "modifyDate": ss_datetime(store.modified_at),
        "autoRefresh": True,
        "statusMappings": [
            {"orderStatus": "awaiting_shipment", "statusKey": "1"},
            {"orderStatus": "awaiting_shipment", "statusKey": "3"},
            {"orderStatus": "shipped", "statusKey": "9"},
            {"orderStatus": "cancelled", "statusKey": "cancelled"},
        ],
        "region": "eu",
        "health": "ok",
    }

    listed = api.get("/stores")
    one = api.get(f"/stores/{store.pk}")
    unknown = api.get(f"/stores/{store.pk + 1}")

    assert listed.json() == [expected]
    assert one.json() == expected
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"message": f"store {store.pk + 1} not found"},
    )


def test_refresh_status_says_idle_with_the_last_import(store, api):
    run = import_orders(store)
    store.refresh_from_db()

    response = api.get("/stores/getrefreshstatus", {"storeId": store.pk})

    assert response.json() == {
        "storeId": store.pk,
        "refreshStatusId": 4,
        "refreshStatus": "Idle",
        "lastRefreshAttempt": ss_datetime(store.last_import_at),
        "refreshDate": ss_datetime(run.finished_at),
        "lastError": None,
    }


def test_refreshstore_and_refresh_queue_an_import_in_the_worker(
    store, api, django_capture_on_commit_callbacks
):
    other = Store.objects.create(name="Second", token_encrypted="x")
    HUEY.flush()

    with django_capture_on_commit_callbacks(execute=True):
        one = api.post("/stores/refreshstore", {"storeId": store.pk})
        every = api.post("/stores/refresh", raw="")

    queued = sorted((t.name, t.args, t.kwargs["trigger"]) for t in HUEY.pending())
    HUEY.flush()
    assert (
        one.json() == every.json() == {"success": True, "message": "A refresh has been requested."}
    )
    assert queued == sorted(
        [
            ("import_store", (store.pk,), "api"),
            ("import_store", (store.pk,), "api"),
            ("import_store", (other.pk,), "api"),
        ]
    )


def test_carriers_are_the_sellers_accounts_and_services_those_of_any_carrier(api):
    none_yet = api.get("/carriers").json()
    chronopost = api.get("/carriers/getcarrier", {"carrierCode": "chronopost"})
    services = api.get("/carriers/listservices", {"carrierCode": "dhl_express"}).json()
    unknown = api.get("/carriers/listservices", {"carrierCode": "pigeon"})

    assert none_yet == []
    assert chronopost.status_code == 404
    assert chronopost.json() == {
        "message": "no active carrier account for 'chronopost'; GET /carriers lists the accounts"
    }
    assert services == [
        {
            "carrierCode": "dhl_express",
            "code": "express_worldwide",
            "name": "DHL Express Worldwide",
            "domestic": True,
            "international": True,
        },
        {
            "carrierCode": "dhl_express",
            "code": "express_1200",
            "name": "DHL Express 12:00",
            "domestic": True,
            "international": True,
        },
    ]
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("carrier 'pigeon' not found; expected one of")


def test_warehouses(api):
    warehouse = Warehouse.objects.create(
        name="Lyon",
        company="Refurb SAS",
        street1="12 rue Garibaldi",
        city="Lyon",
        postal_code="69007",
        phone="+33 4 00 00 00 00",
        is_default=True,
    )
    address = {
        "name": "Lyon",
        "company": "Refurb SAS",
        "street1": "12 rue Garibaldi",
        "street2": None,
        "street3": None,
        "city": "Lyon",
        "state": None,
        "postalCode": "69007",
        "country": "FR",
        "phone": "+33 4 00 00 00 00",
        "residential": False,
        "addressVerified": None,
    }
    expected = {
        "warehouseId": warehouse.pk,
        "warehouseName": "Lyon",
        "originAddress": address,
        "returnAddress": address,
        "createDate": ss_datetime(warehouse.created_at),
        "isDefault": True,
    }

    assert api.get("/warehouses").json() == [expected]
    assert api.get(f"/warehouses/{warehouse.pk}").json() == expected


def test_list_tags_sorted_by_name(api):
    vip = Tag.objects.create(name="VIP", color="#ffd700")
    fragile = Tag.objects.create(name="Fragile")

    response = api.get("/accounts/listtags")

    assert response.json() == [
        {"tagId": fragile.pk, "name": "Fragile", "color": "#6c757d"},
        {"tagId": vip.pk, "name": "VIP", "color": "#ffd700"},
    ]
