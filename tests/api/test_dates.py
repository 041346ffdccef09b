"""The API's dates in ShipStation's time zone (US Pacific, no offset in the strings) by
default, or in SHIPDESK_SSAPI_TIME_ZONE: what orders answer and what date filters read,
across both daylight-saving changes of 2026 (March 8, November 1)."""

import ast
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from shipstation.api import ShipStation

from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from tests.factories import IMEI, make_order, make_store

from .test_manual_orders import pyshipstation, replacement_order

pytestmark = pytest.mark.django_db


def orders_at(*instants: datetime) -> list[Order]:
    """Orders (a phone each, its IMEI known) placed at these instants."""
    store = make_store()
    orders = [make_order(store, 1000 + n, ordered=at) for n, at in enumerate(instants)]
    for order in orders:
        order.items.get().units.update(imei=IMEI)
    return orders


def listed(api, **filters) -> list[int]:
    response = api.get("/orders", {**filters, "sortBy": "OrderDate"})
    assert response.status_code == 200, response.json()
    return [o["orderId"] for o in response.json()["orders"]]


def test_order_dates_are_written_in_pacific_time_across_spring_forward(api):
    # 01:30 PST and 03:30 PDT on March 8, 2026: one hour apart, two hours apart on the clock.
    before, after = orders_at(
        datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    )

    answers = [api.get(f"/orders/{o.pk}").json() for o in (before, after)]

    assert [(a["orderDate"], a["paymentDate"]) for a in answers] == [
        ("2026-03-08T01:30:00.0000000", "2026-03-08T01:30:00.0000000"),
        ("2026-03-08T03:30:00.0000000", "2026-03-08T03:30:00.0000000"),
    ]
    # Round trip: each date read back as a filter finds its own order, and only it.
    for order, answer in zip((before, after), answers, strict=True):
        date = answer["orderDate"]
        assert listed(api, orderDateStart=date, orderDateEnd=date) == [order.pk]


def test_a_time_skipped_by_spring_forward_is_read_as_the_hour_after(api):
    before, after = orders_at(
        datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    )

    # 02:30 does not exist in Pacific time on March 8: it is read as 03:30 PDT (10:30 UTC).
    assert listed(api, orderDateStart="2026-03-08 02:30:00") == [after.pk]
    assert listed(api, orderDateEnd="2026-03-08 02:30:00") == [before.pk, after.pk]
    assert listed(api, orderDateEnd="2026-03-08 02:29:59") == [before.pk]


def test_the_repeated_hour_of_fall_back_is_read_as_daylight_time(api):
    # 01:30 PDT then 01:30 PST on November 1, 2026: the same text, one hour apart.
    daylight, standard = orders_at(
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC), datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    )

    dates = [api.get(f"/orders/{o.pk}").json()["orderDate"] for o in (daylight, standard)]

    assert dates == ["2026-11-01T01:30:00.0000000", "2026-11-01T01:30:00.0000000"]
    # Without an offset the text is the first 01:30 (PDT); with one, the instant it names.
    same = "2026-11-01T01:30:00.0000000"
    assert listed(api, orderDateStart=same, orderDateEnd=same) == [daylight.pk]
    assert listed(api, orderDateStart="2026-11-01T01:30:00-08:00") == [standard.pk]
    assert listed(api, orderDateEnd="2026-11-01T01:30:00-07:00") == [daylight.pk]


def test_a_pacific_start_date_selects_the_orders_of_that_pacific_day(api):
    # 23:30 on April 30 and 00:30 on May 1 in Pacific time (06:30 and 07:30 UTC on May 1):
    # a script asking for May 1 onwards, as the Singer tap does, gets the second only.
    april, may = orders_at(
        datetime(2026, 5, 1, 6, 30, tzinfo=UTC), datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    )

    assert listed(api, orderDateStart="2026-05-01") == [may.pk]
    assert listed(api, orderDateEnd="2026-04-30 23:59:59") == [april.pk]
    assert listed(api, createDateStart="2020-01-01 00:00:00") == [april.pk, may.pk]
    assert listed(api, paymentDateEnd="2026-05-01") == [april.pk]
    assert listed(api, paymentDateStart="2026-04-30 23:30", paymentDateEnd="2026-05-01 00:30") == [
        april.pk,
        may.pk,
    ]


def test_the_utc_setting_writes_and_reads_utc(api, settings):
    settings.SHIPDESK_SSAPI_TIME_ZONE = "UTC"
    before, after = orders_at(
        datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    )

    assert api.get(f"/orders/{before.pk}").json()["orderDate"] == "2026-03-08T09:30:00.0000000"
    assert listed(api, orderDateStart="2026-03-08 10:00") == [after.pk]
    assert listed(api, orderDateStart="2026-03-08T01:30:00-08:00") == [before.pk, after.pk]


def test_a_ship_date_is_the_day_named_in_pacific_time(api, settings):
    """markasshipped's shipDate and the shipments' shipDate filters read the Pacific day."""
    (order,) = orders_at(datetime(2026, 5, 1, 6, 30, tzinfo=UTC))

    response = api.post(
        "/orders/markasshipped",
        {
            "orderId": order.pk,
            "carrierCode": "colissimo",
            "trackingNumber": "6A12345678901",
            # 03:00 UTC on May 2 is still May 1 in Pacific time.
            "shipDate": "2026-05-02T03:00:00Z",
            "notifySalesChannel": False,
        },
    )

    assert response.status_code == 200, response.json()
    shipment = order.shipments.get()
    assert shipment.ship_date.isoformat() == "2026-05-01"
    assert api.get(f"/orders/{order.pk}").json()["shipDate"] == "2026-05-01"
    found = api.get("/shipments", {"shipDateStart": "2026-05-01", "shipDateEnd": "2026-05-01"})
    assert [s["shipmentId"] for s in found.json()["shipments"]] == [shipment.pk]


def test_dates_through_a_second_shipstation_client(live_server, credentials, capsys):
    """Through the `shipstation` package (natecox/pyshipstation): its `get` sends a Pacific
    start date; with debug on it prints the answer, read back here from the captured output."""
    april, may = orders_at(
        datetime(2026, 5, 1, 6, 30, tzinfo=UTC), datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    )
    client = ShipStation(*credentials, debug=True)
    client.url = f"{live_server.url}/ssapi"

    client.get("/orders", {"orderDateStart": "2026-05-01 00:00:00"})

    answer = ast.literal_eval(capsys.readouterr().out)
    assert [(o["orderId"], o["orderDate"]) for o in answer["orders"]] == [
        (may.pk, "2026-05-01T00:30:00.0000000")
    ]
    assert april.pk not in [o["orderId"] for o in answer["orders"]]


def test_shipped_orders_say_their_ship_date_and_who_shipped_them(api):
    """shipDate is the live shipment's; externallyFulfilled marks an order Back Market says
    was shipped while shipdesk recorded no shipment."""
    ours, elsewhere, waiting = orders_at(*[datetime(2026, 3, 9, tzinfo=UTC)] * 3)
    Order.objects.filter(pk=elsewhere.pk).update(status="shipped")
    ship_order(
        ours,
        carrier_code="colissimo",
        tracking_number="6A00000000001",
        ship_date=datetime(2026, 3, 9).date(),
        notify_backmarket=False,
        source="api",
    )

    got = {o.pk: api.get(f"/orders/{o.pk}").json() for o in (ours, elsewhere, waiting)}

    assert [
        (got[o.pk]["orderStatus"], got[o.pk]["shipDate"], got[o.pk]["externallyFulfilled"])
        for o in (ours, elsewhere, waiting)
    ] == [
        ("shipped", "2026-03-09", False),
        ("shipped", None, True),
        ("awaiting_shipment", None, False),
    ]


def test_order_dates_sent_in_pacific_time_read_back_the_same_across_both_changes(
    live_server, credentials, api, no_rate_limit
):
    """Manual orders created through the `shipstation` package (add_order, submit_orders:
    POST /orders/createorder) with Pacific order dates either side of spring-forward and in
    fall-back's repeated hour: stored at the instants Pacific time names, answered as sent."""
    client = pyshipstation(live_server, credentials)
    sent = {
        "W-1": "2026-03-08T01:30:00.0000000",  # PST
        "W-2": "2026-03-08T03:30:00.0000000",  # PDT, an hour later
        "W-3": "2026-11-01T01:30:00.0000000",  # twice that night: the first, PDT
    }
    for number, when in sent.items():
        order = replacement_order(order_key=f"key-{number}")
        order.order_number = number
        order.set_order_date(when)
        client.add_order(order)

    client.submit_orders()

    stored = dict(Order.objects.values_list("order_number", "order_date"))
    assert stored == {
        "W-1": datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
        "W-2": datetime(2026, 3, 8, 10, 30, tzinfo=UTC),
        "W-3": datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    }
    listed = api.get("/orders", {"sortBy": "OrderDate"}).json()["orders"]
    assert {o["orderNumber"]: o["orderDate"] for o in listed} == sent


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_an_unknown_time_zone_stops_the_start_naming_the_setting(tmp_path, value):
    env = {**os.environ, "SHIPDESK_HOME": str(tmp_path), "SHIPDESK_SSAPI_TIME_ZONE": value}
    run = subprocess.run(
        [sys.executable, "-m", "shipdesk.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode != 0
    assert (
        "SHIPDESK_SSAPI_TIME_ZONE must be a time zone name such as America/Los_Angeles or UTC"
        in run.stderr
    )
