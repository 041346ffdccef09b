"""GET /stores/marketplaces, PUT /stores/{id}, POST /stores/deactivate and /stores/reactivate.

Deactivating and reactivating go through the second third-party client, pyshipstation
(`shipstation.api.ShipStation.post`, which answers nothing: the results are read back from
the database and with the API).
"""

import json

import pytest
from django.core.management import CommandError, call_command
from huey.contrib.djhuey import HUEY
from shipstation.api import ShipStation

from shipdesk.orders.models import Order
from shipdesk.stores.editing import StoreInactive
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from shipdesk.sync.models import ImportRun
from shipdesk.sync.tasks import import_store, poll_store, schedule_imports

pytestmark = pytest.mark.django_db

INACTIVE = "store 'Test store' is deactivated: reactivate it to import its orders"


def test_marketplaces_are_back_market_and_manual_orders(api):
    response = api.get("/stores/marketplaces")

    assert response.json() == [
        {
            "name": "Back Market",
            "marketplaceId": 1,
            "canRefresh": True,
            "supportsCustomMappings": True,
            "supportsCustomStatuses": True,
            "canConfirmShipments": True,
        },
        {
            "name": "Manual orders",
            "marketplaceId": 0,
            "canRefresh": False,
            "supportsCustomMappings": False,
            "supportsCustomStatuses": False,
            "canConfirmShipments": False,
        },
    ]


def test_put_store_changes_what_shipstation_lets_change_and_answers_the_store(store, api):
    body = api.get(f"/stores/{store.pk}").json()
    body.update(
        storeName="Refurb FR",
        companyName="Refurb SAS",
        email="shop@refurb.example",
        publicEmail="shop@refurb.example",
        phone="+33 1 00 00 00 00",
        website="https://refurb.example",
        autoRefresh=False,
        integrationUrl="https://elsewhere.example",  # read-only: ignored
        marketplaceName="Other",  # read-only: ignored
        statusMappings=[
            {"orderStatus": "awaiting_shipment", "statusKey": "3"},
            {"orderStatus": "on_hold", "statusKey": "1"},
            {"orderStatus": "shipped", "statusKey": "9"},
        ],
    )

    response = api.put(f"/stores/{store.pk}", body)

    store.refresh_from_db()
    assert (
        store.name,
        store.company_name,
        store.email,
        store.phone,
        store.website,
        store.auto_import,
        store.active,
    ) == (
        "Refurb FR",
        "Refurb SAS",
        "shop@refurb.example",
        "+33 1 00 00 00 00",
        "https://refurb.example",
        False,
        True,
    )
    # "cancelled" was left out: orders whose lines are all cancelled are not imported now.
    assert store.status_mapping == {
        "0": None,
        "10": None,
        "1": "on_hold",
        "3": "awaiting_shipment",
        "9": "shipped",
        "cancelled": None,
    }
    answer = response.json()
    assert response.status_code == 200
    assert answer == api.get(f"/stores/{store.pk}").json()
    assert (answer["storeName"], answer["accountName"], answer["publicEmail"]) == (
        "Refurb FR",
        "Refurb SAS",
        "shop@refurb.example",
    )
    assert answer["integrationUrl"] == store.base_url
    assert answer["statusMappings"] == [
        {"orderStatus": "on_hold", "statusKey": "1"},
        {"orderStatus": "awaiting_shipment", "statusKey": "3"},
        {"orderStatus": "shipped", "statusKey": "9"},
    ]


def test_put_store_keeps_the_one_of_two_fields_that_changed(store, api):
    Store.objects.filter(pk=store.pk).update(email="old@refurb.example", company_name="Old")
    body = api.get(f"/stores/{store.pk}").json()
    body.update(publicEmail="new@refurb.example", accountName="New SAS")

    api.put(f"/stores/{store.pk}", body)

    store.refresh_from_db()
    assert (store.email, store.company_name) == ("new@refurb.example", "New SAS")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "email: 'not-an-email' is not valid"),
        ({"website": "refurb"}, "website: 'refurb' is not valid"),
        ({"storeName": "  "}, "storeName: a store needs a name"),
        ({"storeName": "Second"}, "storeName: another store is named 'Second'"),
        (
            {"email": "a@refurb.example", "publicEmail": "b@refurb.example"},
            "email and publicEmail differ: shipdesk keeps one value for both",
        ),
        (
            {"statusMappings": [{"orderStatus": "shipped", "statusKey": "7"}]},
            "statusMappings: unknown Back Market state '7'; expected one of 0, 10, 1, 3, 9, "
            "cancelled",
        ),
        (
            {
                "statusMappings": [
                    {"orderStatus": "shipped", "statusKey": "9"},
                    {"orderStatus": "on_hold", "statusKey": "9"},
                ]
            },
            "statusMappings: state '9' is mapped twice",
        ),
        ({"autoRefresh": "sometimes"}, None),
    ],
)
def test_put_store_refuses_bad_fields_and_changes_nothing(store, api, change, message):
    Store.objects.create(name="Second", token_encrypted="x")
    before = api.get(f"/stores/{store.pk}").json()

    response = api.put(f"/stores/{store.pk}", {**before, "storeName": "Renamed", **change})

    assert response.status_code == 400
    if message:
        assert response.json() == {"message": message}
    else:
        assert response.json()["message"].startswith("invalid request: autoRefresh: ")
    assert api.get(f"/stores/{store.pk}").json() == before


def test_put_unknown_store_is_404(api):
    response = api.put("/stores/999", {"storeName": "X"})

    assert (response.status_code, response.json()) == (404, {"message": "store 999 not found"})


@pytest.fixture
def pyshipstation(live_server, credentials, no_rate_limit):
    client = ShipStation(*credentials)
    client.url = f"{live_server.url}/ssapi"
    return client


def test_deactivated_store_imports_nothing_keeps_its_orders_and_reactivates(
    store, api, pyshipstation, django_capture_on_commit_callbacks
):
    import_orders(store)
    orders = set(Order.objects.filter(store=store).values_list("pk", flat=True))
    runs = ImportRun.objects.count()

    pyshipstation.post(endpoint="/stores/deactivate", data=json.dumps({"storeId": str(store.pk)}))

    store.refresh_from_db()
    assert store.active is False
    assert set(Order.objects.filter(store=store).values_list("pk", flat=True)) == orders
    assert len(orders) > 0
    # The API lists it only when asked for inactive stores, as ShipStation does.
    assert api.get("/stores").json() == []
    assert [s["active"] for s in api.get("/stores", {"showInactive": "true"}).json()] == [False]
    # Imports asked for by hand are refused, with the reason.
    refresh = api.post("/stores/refreshstore", {"storeId": store.pk})
    assert (refresh.status_code, refresh.json()) == (400, {"message": INACTIVE})
    with pytest.raises(StoreInactive, match="^" + INACTIVE + "$"):
        import_orders(store)
    # The scheduler plans nothing for it, and a queued import does nothing.
    Store.objects.filter(pk=store.pk).update(last_import_at=None)
    HUEY.flush()
    schedule_imports.call_local()
    queued = [*HUEY.pending(), *HUEY.scheduled()]
    HUEY.flush()
    assert queued == []
    assert import_store.call_local(store.pk, "schedule") is None
    assert poll_store.call_local(store.pk) is None
    with django_capture_on_commit_callbacks(execute=True):
        every = api.post("/stores/refreshstore", raw="")
    assert every.json() == {"success": True, "message": "A refresh has been requested."}
    assert HUEY.pending() == []
    assert ImportRun.objects.count() == runs

    pyshipstation.post(endpoint="/stores/reactivate", data=json.dumps({"storeId": store.pk}))

    store.refresh_from_db()
    assert store.active is True
    assert import_orders(store).status == ImportRun.Status.OK
    assert ImportRun.objects.count() == runs + 1


def test_deactivate_answers_shipstations_success(store, api):
    response = api.post("/stores/deactivate", {"storeId": store.pk})
    again = api.post("/stores/reactivate", {"storeId": store.pk})
    unknown = api.post("/stores/deactivate", {"storeId": 999})

    assert response.json() == {
        "success": True,
        "message": "Store 'Test store' deactivated: it imports no more.",
    }
    assert again.json() == {
        "success": True,
        "message": "Store 'Test store' reactivated: its imports resume.",
    }
    assert (unknown.status_code, unknown.json()) == (404, {"message": "store 999 not found"})


def test_stores_filtered_by_marketplace(store, api):
    assert [s["storeId"] for s in api.get("/stores", {"marketplaceId": 1}).json()] == [store.pk]
    assert api.get("/stores", {"marketplaceId": 0}).json() == []


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("alice", "a@example.com"))
    return client


def test_stores_page_shows_a_deactivated_store_and_refuses_its_import(admin_client, store):
    Store.objects.filter(pk=store.pk).update(active=False)

    listed = admin_client.get("/stores/")
    page = admin_client.get(f"/stores/{store.pk}/")
    refused = admin_client.post(f"/stores/{store.pk}/import/", follow=True)

    assert listed.content.decode().count('data-testid="store-deactivated"') == 1
    assert 'data-testid="store-deactivated"' in page.content.decode()
    assert "This store is deactivated: reactivate it to import its orders." in (
        refused.content.decode()
    )
    assert not ImportRun.objects.filter(store=store).exists()


def test_sync_command_refuses_a_deactivated_store_and_skips_it_by_default(store):
    Store.objects.filter(pk=store.pk).update(active=False)

    with pytest.raises(CommandError, match="^" + INACTIVE + "$"):
        call_command("sync", "--store", "Test store")
    with pytest.raises(CommandError, match="^no active store: connect one"):
        call_command("sync")
    assert not ImportRun.objects.exists()


def test_store_page_deactivates_and_reactivates_the_store(admin_client, store):
    deactivated = admin_client.post(f"/stores/{store.pk}/active/", {"active": "0"}, follow=True)
    store.refresh_from_db()
    assert store.active is False
    assert (
        "Store deactivated: it imports nothing until reactivated." in deactivated.content.decode()
    )
    assert "Reactivate the store" in deactivated.content.decode()

    reactivated = admin_client.post(f"/stores/{store.pk}/active/", {"active": "1"}, follow=True)
    store.refresh_from_db()
    assert store.active is True
    assert "Store reactivated: its imports resume." in reactivated.content.decode()
    assert 'data-testid="store-deactivated"' not in reactivated.content.decode()


def test_store_page_in_french_says_it_is_deactivated(admin_client, store):
    Store.objects.filter(pk=store.pk).update(active=False)

    page = admin_client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    text = page.content.decode()
    assert "Désactivée" in text
    assert (
        "Cette boutique est désactivée : elle n’importe rien tant qu’elle n’est pas réactivée."
        in text
    )
    assert "Réactiver la boutique" in text
