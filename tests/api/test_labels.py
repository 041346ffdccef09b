"""Labels through the API, driven by a third-party ShipStation client (shipstation-api-wrapper)
over HTTP against the sandbox carrier: createlabelfororder, getrates, voidlabel at the carrier,
and the seller's carrier accounts (GET /carriers, listservices, listpackages).

The library has no method for these calls: they go through its own request handler,
`client.orders.request`, as ShipStation's documentation shapes them.
"""

import base64

import pytest

from shipdesk.carriers.models import CarrierAccount, CarrierShipment
from shipdesk.carriers.services import add_sandbox_account
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.shipping.models import Shipment

from .helpers import IMEI, imported_phone_order, sandbox_ship_updates

# A 450 g phone's label with the sandbox carrier (createlabel's too, with a shipTo).
LABEL = {
    "carrierCode": "sandbox",
    "serviceCode": "ups_standard_eu",
    "packageCode": "package",
    "confirmation": "none",
    "shipDate": "2026-05-04",
    "weight": {"value": 450, "units": "grams"},
    "dimensions": {"length": 18, "width": 12, "height": 6, "units": "centimeters"},
    "testLabel": False,
}


def label_request(order: Order, **fields) -> dict:
    return {"orderId": order.pk, **LABEL, **fields}


def test_createlabelfororder_buys_the_label_ships_the_order_and_tells_back_market_once(
    sandbox, account, phone_order, shipstation
):
    response = shipstation.post("/orders/createlabelfororder", label_request(phone_order))
    counts = engine.deliver_due()["backmarket"]

    assert response.status_code == 200, response.text
    body = response.json()
    shipment = Shipment.objects.get(order=phone_order)
    label = bytes(shipment.label_pdf)
    assert label.startswith(b"%PDF")
    assert base64.b64decode(body["labelData"]) == label
    assert (body["shipmentId"], body["orderId"], body["trackingNumber"]) == (
        shipment.pk,
        phone_order.pk,
        shipment.tracking_number,
    )
    assert (body["carrierCode"], body["serviceCode"], body["packageCode"]) == (
        "sandbox",
        "ups_standard_eu",
        "package",
    )
    assert body["shipmentCost"] == float(shipment.shipment_cost)
    assert body["voided"] is False
    assert sandbox.carrier.parcel(shipment.tracking_number).reference == phone_order.order_number
    assert CarrierShipment.objects.get(shipment=shipment).account == account
    phone_order.refresh_from_db()
    assert phone_order.status == "shipped"
    assert counts == {"sent": 1, "failed": 0, "pending": 0, "dead": 0}
    [update] = sandbox_ship_updates(sandbox, phone_order)
    assert (update["body"]["tracking_number"], update["body"]["imei"]) == (
        shipment.tracking_number,
        IMEI,
    )


def test_createlabelfororder_says_why_the_carrier_refused_and_records_nothing(
    account, phone_order, shipstation
):
    phone_order.ship_to.postal_code = "00000"  # the sandbox carrier refuses this one
    phone_order.ship_to.save()

    response = shipstation.post("/orders/createlabelfororder", label_request(phone_order))

    assert response.status_code == 400
    assert response.json()["message"].startswith("Sandbox Lyon refused the label: ")
    assert not Shipment.objects.filter(order=phone_order).exists()
    phone_order.refresh_from_db()
    assert phone_order.status == "awaiting_shipment"


def test_createlabelfororder_refuses_a_phone_without_imei_before_buying(
    sandbox, account, store, shipstation
):
    order = imported_phone_order(store)

    response = shipstation.post("/orders/createlabelfororder", label_request(order))

    assert response.status_code == 400
    assert response.json()["message"].startswith(
        f"cannot ship order {order.order_number}: missing IMEI / serial number for"
    )
    assert sandbox.carrier.calls_to("ship") == []


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"carrierCode": "fedex"}, 404, "no active carrier account for 'fedex'; GET /carriers"),
        ({"carrierCode": "pigeon"}, 404, "carrier 'pigeon' not found; expected one of"),
        ({"shippingProviderId": 999}, 404, "no active sandbox carrier account 999"),
        ({"testLabel": True}, 400, "test labels are not offered: try labels with a sandbox"),
        ({"orderId": 99999}, 404, "order 99999 not found"),
    ],
)
def test_createlabelfororder_errors_are_shipstation_json(
    account, phone_order, shipstation, fields, status, message
):
    response = shipstation.post("/orders/createlabelfororder", label_request(phone_order, **fields))

    assert (response.status_code, list(response.json())) == (status, ["message"])
    assert response.json()["message"].startswith(message)
    assert not Shipment.objects.exists()


def test_getrates_answers_the_sandbox_carriers_services_cheapest_first(account, shipstation):
    response = shipstation.post(
        "/shipments/getrates",
        {
            "carrierCode": "sandbox",
            "serviceCode": None,
            "packageCode": None,
            "fromPostalCode": "69003",
            "toState": None,
            "toCountry": "DE",
            "toPostalCode": "10119",
            "toCity": "Berlin",
            "weight": {"value": 16, "units": "ounces"},
            "dimensions": None,
            "confirmation": "none",
            "residential": True,
        },
    )

    # 16 oz = 454 g, billed as 0.5 kg; FR -> DE is the EU zone (x 1.35), plus 12 % fuel:
    # Standard (6.90 + 1.10 x 0.5) x 1.35 = 10.06 + 1.21; Saver (14.50 + 2.40 x 0.5) x 1.35 =
    # 21.20 + 2.54; Express (19.90 + 3.20 x 0.5) x 1.35 = 29.03 + 3.48.
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "serviceName": "Sandbox Standard",
            "serviceCode": "ups_standard_eu",
            "shipmentCost": 11.27,
            "otherCost": 0.0,
            "transitDays": 3,
        },
        {
            "serviceName": "Sandbox Saver",
            "serviceCode": "ups_worldwide_saver_eu",
            "shipmentCost": 23.74,
            "otherCost": 0.0,
            "transitDays": 2,
        },
        {
            "serviceName": "Sandbox Express",
            "serviceCode": "ups_express_eu",
            "shipmentCost": 32.51,
            "otherCost": 0.0,
            "transitDays": 1,
        },
    ]


def test_getrates_for_one_service_and_the_carriers_refusal(account, shipstation):
    parcel = {
        "carrierCode": "sandbox",
        "toCountry": "FR",
        "toPostalCode": "75002",
        "toCity": "Paris",
        "weight": {"value": 2.1, "units": "pounds"},
    }

    express = shipstation.post("/shipments/getrates", {**parcel, "serviceCode": "ups_express_eu"})
    refused = shipstation.post("/shipments/getrates", {**parcel, "toPostalCode": "00000"})
    no_weight = shipstation.post("/shipments/getrates", {**parcel, "weight": None})

    assert express.status_code == 200, express.text
    # 2.1 lb = 953 g, billed as 1 kg, domestic: (19.90 + 3.20) = 23.10 + 2.77 fuel.
    assert [(r["serviceCode"], r["shipmentCost"]) for r in express.json()] == [
        ("ups_express_eu", 25.87)
    ]
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Sandbox Lyon gave no rates: The postal code 00000 is invalid for FR (120208)"
    }
    assert no_weight.status_code == 400
    assert no_weight.json() == {
        "message": "invalid request: weight.value: Field required; weight.units: Field required"
    }


def test_voidlabel_cancels_the_label_at_the_carrier(sandbox, account, phone_order, shipstation):
    shipment_id = shipstation.post(
        "/orders/createlabelfororder", label_request(phone_order)
    ).json()["shipmentId"]
    shipment = Shipment.objects.get(pk=shipment_id)

    first = shipstation.post("/shipments/voidlabel", {"shipmentId": shipment_id})
    second = shipstation.post("/shipments/voidlabel", {"shipmentId": shipment_id})

    assert first.json() == {
        "approved": True,
        "message": "Label voided successfully: label cancelled at the carrier.",
    }
    assert second.json() == {"approved": False, "message": "this shipment is already voided"}
    assert [call.status for call in sandbox.carrier.calls_to("void")] == [200]
    assert sandbox.carrier.parcel(shipment.tracking_number).voided is True
    shipment.refresh_from_db()
    phone_order.refresh_from_db()
    assert shipment.voided and phone_order.status == "awaiting_shipment"
    assert CarrierShipment.objects.get(shipment=shipment).label_voided_at is not None


def test_the_sellers_carrier_accounts_services_and_packages(account, sandbox, shipstation):
    second = add_sandbox_account("Sandbox Paris", url=sandbox.url)
    CarrierAccount.objects.create(name="Old UPS", carrier_code="sandbox", active=False)

    carriers = shipstation.get("/carriers").json()
    one = shipstation.get("/carriers/getcarrier", {"carrierCode": "sandbox"}).json()
    services = shipstation.get("/carriers/listservices", {"carrierCode": "sandbox"}).json()
    packages = shipstation.get("/carriers/listpackages", {"carrierCode": "sandbox"}).json()

    expected = {
        "name": "Sandbox carrier",
        "code": "sandbox",
        "accountNumber": None,
        "requiresFundedAccount": False,
        "balance": 0.0,
        "nickname": "Sandbox Lyon",
        "shippingProviderId": account.pk,
        "primary": True,
    }
    assert carriers == [
        expected,
        {
            **expected,
            "nickname": "Sandbox Paris",
            "shippingProviderId": second.pk,
            "primary": False,
        },
    ]
    assert one == expected
    assert [(s["code"], s["name"]) for s in services] == [
        ("ups_standard_eu", "Sandbox Standard"),
        ("ups_worldwide_saver_eu", "Sandbox Saver"),
        ("ups_express_eu", "Sandbox Express"),
    ]
    assert packages == [
        {
            "carrierCode": "sandbox",
            "code": code,
            "name": name,
            "domestic": True,
            "international": True,
        }
        for code, name in [
            ("package", "Package"),
            ("small_package", "Small package"),
            ("large_envelope", "Large envelope"),
            ("letter", "Letter"),
        ]
    ]
