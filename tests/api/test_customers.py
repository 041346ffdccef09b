"""/customers: one customer per buyer email per store, with their addresses and order count,
kept from the orders (customers.refresh); listed, filtered and read through
shipstation-api-wrapper's `customers.list` and `customers.get_by_id`."""

import base64
from datetime import UTC, datetime

import pytest
from shipstation_api_wrapper.api import ShipStationClient

from shipdesk.customers.models import Customer
from shipdesk.customers.refresh import refresh_customers
from shipdesk.orders import manual
from shipdesk.orders.actions import delete_order
from shipdesk.stores.models import Store


@pytest.fixture
def wrapper(live_server, credentials, no_rate_limit):
    key, secret = credentials
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return ShipStationClient(token, base_url=f"{live_server.url}/ssapi").customers


def place(number: str, email: str, *, name: str, city: str, country: str = "FR", day: int = 1):
    return manual.create_manual_order(
        manual.ManualOrder(
            order_number=number,
            customer_email=email,
            customer_username=name,
            order_date=datetime(2026, 5, day, 10, tzinfo=UTC),
            ship_to={
                "name": name,
                "street1": f"{day} rue Neuve",
                "city": city,
                "state": "BY" if country == "DE" else "",
                "postal_code": "69001",
                "country": country,
            },
            items=[manual.ManualItem(sku="CASE-1", name="Phone case")],
        )
    )


@pytest.fixture
def orders(db):
    return [
        place("M-1", "camille@example.com", name="Camille Martin", city="Lyon", day=1),
        place("M-2", "Camille@Example.com ", name="Camille Martin", city="Paris", day=3),
        place("M-3", "jonas@example.de", name="Jonas Weber", city="München", country="DE"),
        place("M-4", "", name="Walk-in buyer", city="Lyon"),  # no email: no customer
    ]


def test_one_customer_per_email_with_their_addresses_and_order_count(wrapper, orders):
    body = wrapper.list().json()

    assert [(c["name"], c["email"], c["orderCount"]) for c in body["customers"]] == [
        ("Camille Martin", "camille@example.com", 2),
        ("Jonas Weber", "jonas@example.de", 1),
    ]
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    camille = body["customers"][0]
    assert (camille["street1"], camille["city"], camille["countryCode"]) == (
        "3 rue Neuve",
        "Paris",
        "FR",
    )  # the newest order's
    assert [(a["street1"], a["city"]) for a in camille["addresses"]] == [
        ("3 rue Neuve", "Paris"),
        ("1 rue Neuve", "Lyon"),
    ]
    assert camille["marketplaceUsernames"] == [
        {
            "customerUserId": camille["customerId"],
            "customerId": camille["customerId"],
            "marketplace": "Manual orders",
            "marketplaceId": 0,
            "createDate": camille["createDate"],
            "modifyDate": camille["modifyDate"],
            "username": "Camille Martin",
        }
    ]
    assert camille["storeId"] == orders[0].store_id


def test_customers_filtered_and_sorted_as_shipstation_does(wrapper, orders):
    germany = wrapper.list(countryCode="de").json()
    bavaria = wrapper.list(stateCode="BY").json()
    back_market = wrapper.list(marketplaceId=1).json()
    manual_orders = wrapper.list(marketplaceId=0, sortBy="Name", sortDir="DESC").json()
    second_page = wrapper.list(pageSize=1, page=2).json()
    tagged = wrapper.list(tagId=1).json()

    assert [c["email"] for c in germany["customers"]] == ["jonas@example.de"]
    assert [c["email"] for c in bavaria["customers"]] == ["jonas@example.de"]
    assert back_market["customers"] == []
    assert [c["name"] for c in manual_orders["customers"]] == ["Jonas Weber", "Camille Martin"]
    assert ([c["name"] for c in second_page["customers"]], second_page["pages"]) == (
        ["Jonas Weber"],
        2,
    )
    assert tagged["total"] == 0


def test_a_new_order_and_a_deleted_one_change_the_customer_at_the_next_read(wrapper, orders):
    camille = wrapper.list(countryCode="FR").json()["customers"][0]

    place("M-5", "camille@example.com", name="Camille Martin", city="Nice", day=9)
    assert wrapper.get_by_id(camille["customerId"]).json()["orderCount"] == 3

    delete_order(orders[2])  # Jonas's only order
    listed = wrapper.list().json()["customers"]
    assert [(c["email"], c["orderCount"], c["city"]) for c in listed] == [
        ("camille@example.com", 3, "Nice")
    ]


def test_the_same_email_in_two_stores_is_two_customers(orders):
    other = Store.objects.create(name="Back Market FR", token_encrypted="")
    moved = place("M-6", "jonas@example.de", name="Jonas Weber", city="Berlin", country="DE")
    type(moved).objects.filter(pk=moved.pk).update(store=other)

    refresh_customers()

    assert sorted(
        Customer.objects.filter(email="jonas@example.de").values_list("store_id", "order_count")
    ) == sorted([(orders[2].store_id, 1), (other.pk, 1)])


def test_a_refresh_with_nothing_changed_rewrites_nothing(orders):
    assert refresh_customers() == 2
    before = list(Customer.objects.values_list("pk", "email", "order_count", "modified_at"))

    assert refresh_customers() == 0
    assert list(Customer.objects.values_list("pk", "email", "order_count", "modified_at")) == before


def test_an_order_whose_email_changed_moves_to_the_other_customer(orders):
    refresh_customers()
    orders[0].customer_email = "jonas@example.de"
    orders[0].save()

    assert refresh_customers() == 2
    assert sorted(Customer.objects.values_list("email", "order_count")) == [
        ("camille@example.com", 1),
        ("jonas@example.de", 2),
    ]


def test_an_unknown_customer_is_404(api, db):
    response = api.get("/customers/5150")

    assert (response.status_code, response.json()) == (404, {"message": "customer 5150 not found"})


def test_a_refresh_in_small_batches_gives_the_same_customers(orders, monkeypatch):
    """Each batch commits on its own (oldest change first): the result does not depend on
    where the batches cut."""
    from shipdesk.customers import refresh

    monkeypatch.setattr(refresh, "BATCH", 1)

    assert refresh_customers() == 3  # Camille twice (one batch each of her orders), Jonas
    assert sorted(Customer.objects.values_list("email", "order_count", "city")) == [
        ("camille@example.com", 2, "Paris"),
        ("jonas@example.de", 1, "München"),
    ]
