"""GET /orders/listbytag, POST /orders/assignuser and /orders/unassignuser."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from shipstation.api import ShipStation

from shipdesk.orders.history import render
from shipdesk.orders.models import Order, Tag
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

START = datetime(2026, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def orders(db) -> list[Order]:
    """Five orders a day apart, the oldest first."""
    store = make_store()
    return [make_order(store, 3000 + n, ordered=START + timedelta(days=n)) for n in range(5)]


@pytest.fixture
def client2(live_server, credentials, no_rate_limit) -> ShipStation:
    """The second third-party client (natecox/pyshipstation), pointed at shipdesk."""
    client = ShipStation(*credentials)
    client.url = f"{live_server.url}/ssapi"
    return client


def ids(response) -> list[int]:
    return [o["orderId"] for o in response.json()["orders"]]


def test_listbytag_lists_the_tagged_orders_of_a_status_in_pages(api, orders):
    fragile, other = Tag.objects.create(name="Fragile"), Tag.objects.create(name="Gift")
    for order in (orders[4], orders[0], orders[2], orders[3]):
        order.tags.add(fragile)
    orders[1].tags.add(other)
    Order.objects.filter(pk=orders[3].pk).update(status="on_hold")

    first = api.get(
        "/orders/listbytag",
        {"orderStatus": "awaiting_shipment", "tagId": fragile.pk, "pageSize": 2},
    )
    second = api.get(
        "/orders/listbytag",
        {"orderStatus": "awaiting_shipment", "tagId": fragile.pk, "pageSize": 2, "page": 2},
    )
    held = api.get("/orders/listbytag", {"orderStatus": "on_hold", "tagId": fragile.pk})

    assert (ids(first), first.json()["total"], first.json()["pages"]) == (
        [orders[0].pk, orders[2].pk],
        3,
        2,
    )
    assert (ids(second), second.json()["page"]) == ([orders[4].pk], 2)
    assert ids(held) == [orders[3].pk]
    assert first.json()["orders"][0]["tagIds"] == [fragile.pk]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"orderStatus": "shipped", "tagId": 999},
            404,
            "tag 999 not found; see GET /accounts/listtags",
        ),
        ({"tagId": 1}, 400, "invalid request: orderStatus: Field required"),
        (
            {"orderStatus": "lost", "tagId": 1},
            400,
            "invalid request: orderStatus: Input should be 'awaiting_payment', "
            "'awaiting_shipment', 'pending_fulfillment', 'on_hold', 'shipped' or 'cancelled'",
        ),
        (
            {"orderStatus": "shipped", "tagId": 1, "page": 0},
            400,
            "invalid request: page: Input should be greater than or equal to 1",
        ),
        (
            {"orderStatus": "shipped", "tagId": 1, "pageSize": 501},
            400,
            "invalid request: pageSize: Input should be less than or equal to 500",
        ),
    ],
)
def test_listbytag_refuses_bad_filters(api, params, status, message):
    response = api.get("/orders/listbytag", params)

    assert (response.status_code, response.json()) == (status, {"message": message})


def test_assignuser_and_unassignuser_through_a_second_client(
    client2, api, orders, django_user_model
):
    """Assigned and unassigned with the `shipstation` package's `post`; read back through
    GET /orders (userId) and the database."""
    packer = django_user_model.objects.create_user("nina", password="x")
    chosen = [orders[1].pk, orders[3].pk]

    client2.post(
        "/orders/assignuser", data=json.dumps({"orderIds": chosen, "userId": str(packer.pk)})
    )

    assert sorted(packer.assigned_orders.values_list("pk", flat=True)) == chosen
    assert [api.get(f"/orders/{o.pk}").json()["userId"] for o in orders] == [
        None,
        str(packer.pk),
        None,
        str(packer.pk),
        None,
    ]

    client2.post("/orders/unassignuser", data=json.dumps({"orderIds": [orders[1].pk]}))

    assert list(packer.assigned_orders.values_list("pk", flat=True)) == [orders[3].pk]


def test_assignuser_answers_success_and_moves_the_modify_date(api, orders, django_user_model):
    packer = django_user_model.objects.create_user("nina", password="x")
    before = api.get(f"/orders/{orders[0].pk}").json()["modifyDate"]

    response = api.post(
        "/orders/assignuser", {"orderIds": [orders[0].pk], "userId": str(packer.pk)}
    )

    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "message": "User assigned successfully."},
    )
    assert api.get(f"/orders/{orders[0].pk}").json()["modifyDate"] > before


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"orderIds": [1], "userId": "424242"}, 404, "user 424242 not found; see GET /users"),
        ({"orderIds": [], "userId": "1"}, 400, None),
        ({"orderIds": [1], "userId": "a-guid"}, 400, None),
    ],
)
def test_assignuser_refuses_unknown_users_and_bad_bodies(api, orders, body, status, message):
    response = api.post("/orders/assignuser", body)

    assert response.status_code == status
    if message:
        assert response.json() == {"message": message}
    assert Order.objects.filter(assigned_user__isnull=False).count() == 0


def test_assignuser_names_the_orders_it_does_not_have_and_changes_none(
    api, orders, django_user_model
):
    packer = django_user_model.objects.create_user("nina", password="x")

    response = api.post(
        "/orders/assignuser",
        {"orderIds": [orders[0].pk, 777001, 777000], "userId": str(packer.pk)},
    )
    unassigned = api.post("/orders/unassignuser", {"orderIds": [777002]})

    assert (response.status_code, response.json()) == (
        404,
        {"message": "orders not found: 777000, 777001"},
    )
    assert (unassigned.status_code, unassigned.json()) == (
        404,
        {"message": "orders not found: 777002"},
    )
    assert packer.assigned_orders.count() == 0


def test_assignments_are_in_the_orders_history_in_english_and_french(
    api, orders, django_user_model, api_user
):
    packer = django_user_model.objects.create_user("nina", password="x")
    api.post("/orders/assignuser", {"orderIds": [orders[0].pk], "userId": str(packer.pk)})
    # Already hers: no second entry.
    api.post("/orders/assignuser", {"orderIds": [orders[0].pk], "userId": str(packer.pk)})
    api.post("/orders/unassignuser", {"orderIds": [orders[0].pk, orders[1].pk]})

    events = list(orders[0].events.filter(kind__in=["assigned", "unassigned"]).order_by("id"))

    assert [(e.kind, e.message, e.source, e.user) for e in events] == [
        ("assigned", "Assigned to nina.", "api", api_user),
        ("unassigned", "No longer assigned to nina.", "api", api_user),
    ]
    assert not orders[1].events.filter(kind__in=["assigned", "unassigned"]).exists()
    with translation.override("fr"):
        assert [render(e.kind, e.data) for e in events] == [
            "Assignée à nina.",
            "N’est plus assignée à nina.",
        ]
