"""POST /shipments/createlabel: a label for a parcel that belongs to no order (a return, a
replacement), bought from the sandbox carrier over HTTP and driven by a third-party
ShipStation client (shipstation-api-wrapper's request handler, as in test_labels.py); then
listed by GET /shipments, voided at the carrier and tracked like any bought label.
"""

import base64
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from pypdf import PdfReader

from shipdesk.carriers import parcels, services
from shipdesk.carriers.models import CarrierShipment
from shipdesk.orders.models import Address, OrderEvent
from shipdesk.outbox.models import Message
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Warehouse
from tests.factories import make_warehouse
from tests.sandbox.conftest import FakeClock

from .conftest import basic
from .test_labels import LABEL, label_request

PARIS = ZoneInfo("Europe/Paris")


def parcel_request(**fields) -> dict:
    """A parcel for a customer in Paris (a replacement), from no order."""
    return {
        **LABEL,
        "shipTo": {
            "name": "Camille Martin",
            "company": None,
            "street1": "8 rue du Sentier",
            "street2": "Bâtiment B",
            "city": "Paris",
            "state": None,
            "postalCode": "75002",
            "country": "FR",
            "phone": "+33 1 23 45 67 89",
            "residential": True,
        },
        "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0},
        "internationalOptions": {"contents": None, "customsItems": None},
        "advancedOptions": {"customField1": None},
        **fields,
    }


def test_createlabel_buys_a_label_for_a_parcel_without_an_order(
    sandbox, account, warehouse, shipstation
):
    response = shipstation.post("/shipments/createlabel", parcel_request())

    assert response.status_code == 200, response.text
    body = response.json()
    shipment = Shipment.objects.get()
    label = bytes(shipment.label_pdf)
    assert label.startswith(b"%PDF")
    assert base64.b64decode(body["labelData"]) == label
    # The carrier's label is its picture (no text in it): one 4x6 in page, 300 dpi.
    [page] = PdfReader(io.BytesIO(label)).pages
    [picture] = page.images
    assert (picture.image.size, page.extract_text()) == ((1200, 1800), "")
    assert [call.status for call in sandbox.carrier.calls_to("ship")] == [200]
    at_carrier = sandbox.carrier.parcel(body["trackingNumber"])
    assert at_carrier.destination["Address"] == {
        "AddressLine": ["8 rue du Sentier", "Bâtiment B"],
        "City": "Paris",
        "PostalCode": "75002",
        "CountryCode": "FR",
        "ResidentialAddressIndicator": "Y",
    }
    assert at_carrier.origin["Address"]["PostalCode"] == "69003"  # the default warehouse
    # 450 g billed as 0.5 kg, domestic: (6.90 + 1.10 x 0.5) = 7.45 + 0.89 fuel.
    assert {k: v for k, v in body.items() if k != "labelData"} == {
        "shipmentId": shipment.pk,
        "orderId": None,
        "orderKey": None,
        "userId": None,
        "customerEmail": None,
        "orderNumber": None,
        "createDate": body["createDate"],
        "shipDate": shipment.ship_date.isoformat(),
        "shipmentCost": 8.34,
        "insuranceCost": 0.0,
        "trackingNumber": shipment.tracking_number,
        "trackingUrl": shipment.tracking_url or None,
        "isReturnLabel": False,
        "batchNumber": None,
        "carrierCode": "sandbox",
        "serviceCode": "ups_standard_eu",
        "packageCode": "package",
        "confirmation": "none",
        "warehouseId": None,
        "voided": False,
        "voidDate": None,
        "marketplaceNotified": False,
        "notifyErrorMessage": None,
        "shipTo": {**parcel_request()["shipTo"], "street3": None, "addressVerified": None},
        "weight": {"value": 450, "units": "grams", "WeightUnits": 2},
        "dimensions": {"length": 18.0, "width": 12.0, "height": 6.0, "units": "centimeters"},
        "insuranceOptions": None,
        "advancedOptions": None,
        "shipmentItems": [],
        "formData": None,
    }
    assert shipment.order is None and shipment.ship_to.name == "Camille Martin"
    bought = CarrierShipment.objects.get(shipment=shipment)
    assert (bought.account, bought.label_bought, bought.service) == (
        account,
        True,
        "ups_standard_eu",
    )
    assert not Message.objects.exists()  # no Back Market update, email or webhook


def test_createlabel_answers_as_createlabelfororder_does(account, phone_order, shipstation):
    for_order = shipstation.post("/orders/createlabelfororder", label_request(phone_order))
    orderless = shipstation.post("/shipments/createlabel", parcel_request())

    assert (for_order.status_code, orderless.status_code) == (200, 200)
    assert list(orderless.json()) == list(for_order.json())
    assert for_order.json()["orderId"] == phone_order.pk
    assert (orderless.json()["orderId"], orderless.json()["orderNumber"]) == (None, None)


def test_createlabel_ships_from_shipfrom_else_the_warehouse_named_else_the_default_one(
    sandbox, account, warehouse, shipstation
):
    villeurbanne = make_warehouse("Villeurbanne", postal_code="69100", is_default=False)
    ship_from = {
        "name": "Refurb Returns",
        "street1": "3 quai Perrache",
        "city": "Lyon",
        "postalCode": "69002",
        "country": "fr",
    }

    answers = [
        shipstation.post("/shipments/createlabel", parcel_request(**fields))
        for fields in (
            {"shipFrom": ship_from},
            {"advancedOptions": {"warehouseId": villeurbanne.pk}},
            {},
        )
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    origins = [sandbox.carrier.parcel(a.json()["trackingNumber"]).origin for a in answers]
    assert [(o["Name"], o["Address"]["PostalCode"]) for o in origins] == [
        ("Refurb Returns", "69002"),
        ("Refurb SAS", "69100"),
        ("Refurb SAS", "69003"),
    ]


def test_orderless_labels_are_listed_and_a_store_filter_leaves_them_out(
    account, phone_order, shipstation
):
    ordered = shipstation.post("/orders/createlabelfororder", label_request(phone_order)).json()
    # Two live orderless shipments: "one live shipment per order" does not join them.
    first, second = (
        shipstation.post("/shipments/createlabel", parcel_request()).json() for _ in range(2)
    )

    everything = shipstation.get("/shipments", {"sortBy": "CreateDate", "sortDir": "ASC"}).json()
    of_the_store = shipstation.get("/shipments", {"storeId": phone_order.store_id}).json()
    to_camille = shipstation.get("/shipments", {"recipientName": "camille"}).json()
    to_france = shipstation.get("/shipments", {"recipientCountryCode": "fr"}).json()

    assert [(s["shipmentId"], s["orderId"]) for s in everything["shipments"]] == [
        (ordered["shipmentId"], phone_order.pk),
        (first["shipmentId"], None),
        (second["shipmentId"], None),
    ]
    assert everything["shipments"][1] == {**first, "labelData": None, "shipmentItems": None}
    assert [s["shipmentId"] for s in of_the_store["shipments"]] == [ordered["shipmentId"]]
    assert {s["shipmentId"] for s in to_camille["shipments"]} == {
        first["shipmentId"],
        second["shipmentId"],
    }
    assert phone_order.ship_to.country == "FR"
    assert to_france["total"] == 3


def test_voidlabel_voids_an_orderless_label_at_the_carrier(
    sandbox, account, warehouse, shipstation
):
    bought = shipstation.post("/shipments/createlabel", parcel_request()).json()

    first = shipstation.post("/shipments/voidlabel", {"shipmentId": bought["shipmentId"]})
    second = shipstation.post("/shipments/voidlabel", {"shipmentId": bought["shipmentId"]})

    assert first.json() == {
        "approved": True,
        "message": "Label voided successfully: label cancelled at the carrier.",
    }
    assert second.json() == {"approved": False, "message": "this shipment is already voided"}
    assert [call.status for call in sandbox.carrier.calls_to("void")] == [200]
    assert sandbox.carrier.parcel(bought["trackingNumber"]).voided is True
    shipment = Shipment.objects.get(pk=bought["shipmentId"])
    assert shipment.voided and shipment.void_date is not None
    assert CarrierShipment.objects.get(shipment=shipment).label_voided_at is not None
    assert not OrderEvent.objects.exists()


def test_a_void_the_carrier_refuses_leaves_the_orderless_label_live(
    sandbox, account, warehouse, shipstation
):
    clock = FakeClock()
    sandbox.carrier.clock = clock
    bought = shipstation.post("/shipments/createlabel", parcel_request()).json()
    clock.advance(4 * 3600)  # picked up

    response = shipstation.post("/shipments/voidlabel", {"shipmentId": bought["shipmentId"]})

    assert response.json() == {
        "approved": False,
        "message": "the carrier refused to cancel the label: Void period has expired (190117)",
    }
    assert Shipment.objects.get(pk=bought["shipmentId"]).voided is False
    assert sandbox.carrier.parcel(bought["trackingNumber"]).voided is False


def post_raw(live_server, credentials, body: str) -> httpx.Response:
    return httpx.post(
        f"{live_server.url}/ssapi/shipments/createlabel",
        content=body,
        headers={"Authorization": basic(*credentials), "Content-Type": "application/json"},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        (
            {"shipTo": None},
            400,
            "invalid request: shipTo.name: Field required; shipTo.street1: Field required; "
            "shipTo.city: Field required; shipTo.postalCode: Field required; shipTo.country: "
            "Field required",
        ),
        ({"weight": {"value": 99, "units": "stones"}}, 400, "invalid request: weight.units: "),
        (
            {"weight": {"value": 3000, "units": "pounds"}},
            400,
            "invalid request: weight: 3000.0 pounds is more than 1000000 g",
        ),
        (
            {"weight": {"value": 71000, "units": "grams"}},
            400,
            "Sandbox Lyon refused the label: Package exceeds the maximum weight of 70 KG (120546)",
        ),
        ({"carrierCode": "pigeon"}, 404, "carrier 'pigeon' not found; expected one of"),
        ({"carrierCode": "fedex"}, 404, "no active carrier account for 'fedex'; GET /carriers"),
        (
            {"serviceCode": "ups_pigeon"},
            400,
            "Sandbox Lyon refused the label: The requested service is unavailable between the "
            "selected locations. (111210)",
        ),
        (
            {"shipTo": {**parcel_request()["shipTo"], "postalCode": "00000"}},
            400,
            "Sandbox Lyon refused the label: The postal code 00000 is invalid for FR (120208)",
        ),
        ({"testLabel": True}, 400, "test labels are not offered: try labels with a sandbox"),
        ({"advancedOptions": {"warehouseId": 999}}, 404, "warehouse 999 not found"),
    ],
)
def test_createlabel_refusals_are_json_and_record_nothing(
    sandbox, account, warehouse, shipstation, fields, status, message
):
    response = shipstation.post("/shipments/createlabel", parcel_request(**fields))

    assert (response.status_code, list(response.json())) == (status, ["message"])
    assert response.json()["message"].startswith(message)
    assert not Shipment.objects.exists()
    assert not Address.objects.exists()


def test_createlabel_refuses_an_infinite_weight_and_a_missing_address(
    sandbox, account, warehouse, live_server, credentials, no_rate_limit
):
    infinite = post_raw(
        live_server,
        credentials,
        '{"carrierCode": "sandbox", "serviceCode": "ups_standard_eu", '
        '"weight": {"value": 1e400, "units": "grams"}, "shipTo": {}}',
    )
    no_ship_to = post_raw(
        live_server,
        credentials,
        '{"carrierCode": "sandbox", "serviceCode": "ups_standard_eu", '
        '"weight": {"value": 450, "units": "grams"}}',
    )

    assert infinite.status_code == 400
    assert infinite.json()["message"].startswith("invalid request: weight.value: ")
    assert no_ship_to.status_code == 400
    assert no_ship_to.json() == {"message": "invalid request: shipTo: Field required"}
    assert sandbox.carrier.calls_to("ship") == []
    assert not Shipment.objects.exists()


def test_createlabel_without_any_warehouse_or_shipfrom_says_so(sandbox, account, shipstation):
    Warehouse.objects.all().delete()

    response = shipstation.post("/shipments/createlabel", parcel_request())

    assert response.status_code == 400
    assert response.json() == {
        "message": "Sandbox Lyon refused the label: add a ship-from warehouse with street, "
        "postal code and city first (NO_SHIP_FROM)"
    }
    assert sandbox.carrier.calls_to("ship") == []


def test_an_orderless_label_is_tracked_to_delivery_without_an_order(
    sandbox, account, warehouse, shipstation
):
    clock = FakeClock()  # 2026-03-31T23:33:20Z, 01:33:20 in Paris on April 1st
    sandbox.carrier.clock = clock
    bought = shipstation.post("/shipments/createlabel", parcel_request()).json()
    shipment = Shipment.objects.get(pk=bought["shipmentId"])

    clock.advance(72 * 3600)
    due = list(services.shipments_to_track())
    counts = services.track_due()

    assert due == [shipment]
    assert counts == {"tracked": 1, "delivered": 1, "errors": 0}
    shipment.refresh_from_db()
    assert shipment.delivered_at == datetime(2026, 4, 4, 1, 33, tzinfo=PARIS)
    tracked = CarrierShipment.objects.get(shipment=shipment)
    assert tracked.tracking_status == "delivered"
    assert [e["code"] for e in tracked.tracking_events] == ["KB", "OT", "AR", "DP", "PU", "MP"]
    assert tracked.tracking_events[0]["location"] == "PARIS, 75002, FR"
    assert not OrderEvent.objects.exists()
    assert not Message.objects.exists()  # no delivery email: there is no customer


def test_an_orderless_labels_pdf_is_named_by_its_tracking_number(
    client, account, warehouse, shipstation
):
    bought = shipstation.post("/shipments/createlabel", parcel_request()).json()
    client.force_login(User.objects.create_user("packer", password="pw-123456"))

    response = client.get(f"/shipments/{bought['shipmentId']}/label.pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'inline; filename="label-{bought["trackingNumber"]}.pdf"'
    )
    assert response.content == base64.b64decode(bought["labelData"])


def test_a_label_bought_but_not_recorded_is_cancelled_at_the_carrier(
    sandbox, account, warehouse, shipstation, monkeypatch
):
    def disk_full(*args, **kwargs):
        raise DatabaseError("database or disk is full")

    monkeypatch.setattr(parcels, "keep_label", disk_full)

    response = shipstation.post("/shipments/createlabel", parcel_request())

    assert response.status_code == 400, response.text
    [tracking] = sandbox.carrier.parcels  # the one label bought
    assert response.json() == {
        "message": f"the label {tracking} was bought but could not be recorded "
        "(DatabaseError); it was cancelled at the carrier"
    }
    assert sandbox.carrier.parcel(tracking).voided is True
    assert not Shipment.objects.exists()
    assert not Address.objects.exists()
