"""Chronopost, DHL Express, DPD and GLS through karrio: a label bought from each with a
recorded answer, the request each carrier receives, and voiding."""

import base64
import io
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from shipdesk.carriers import gateway, services
from shipdesk.shipping.models import Shipment

from .conftest import account, label_pdf, phone_order, recorded

pytestmark = pytest.mark.django_db


def xml_text(body: str, tag: str) -> str:
    """The text of the first element named `tag`, whatever its namespace."""
    root = ElementTree.fromstring(body)
    node = next(e for e in root.iter() if e.tag.rpartition("}")[2] == tag)
    return node.text


def b64(pdf: bytes) -> str:
    return base64.b64encode(pdf).decode()


def test_chronopost_label_bought_and_cancelled_at_chronopost(orders, carrier_http):
    acc = account("chronopost", account_number="19869502", password="chrono-255562")
    order = phone_order("fr-fr")
    pdf = label_pdf("CHRONO 13 XW261234567FR")
    carrier_http.on(
        "POST",
        "https://ws.chronopost.fr/shipping-cxf/ShippingServiceWS",
        recorded("chronopost_label.xml", label=b64(pdf)),
    )
    carrier_http.on(
        "POST",
        "https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS",
        recorded("chronopost_cancel.xml"),
    )

    result = services.ship_with_label(order, acc, "chronopost_13", notify_backmarket=False)

    assert (result.ok, result.messages) == (True, [])
    shipment = Shipment.objects.get(order=order)
    assert (shipment.tracking_number, bytes(shipment.label_pdf)) == ("XW261234567FR", pdf)
    assert shipment.tracking_url == (
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XW261234567FR"
    )
    [ship] = carrier_http.calls
    assert xml_text(ship.data, "accountNumber") == "19869502"
    assert xml_text(ship.data, "productCode") == "01"
    assert xml_text(ship.data, "recipientZipCode") == order.ship_to.postal_code
    assert xml_text(ship.data, "shipperZipCode") == "75011"
    assert xml_text(ship.data, "weight") == "0.45"
    assert xml_text(ship.data, "shipperRef") == order.order_number

    outcome = services.void_label(shipment)

    assert (outcome.approved, outcome.message) == (True, "label cancelled at the carrier")
    cancel = carrier_http.calls[-1]
    assert xml_text(cancel.data, "skybillNumber") == "XW261234567FR"
    assert xml_text(cancel.data, "accountNumber") == "19869502"
    shipment.refresh_from_db()
    assert shipment.voided and carrier_http.unmatched == []


def test_dhl_express_label_with_its_charge(orders, carrier_http):
    acc = account(
        "dhl_express", site_id="shipdeskXML", password="dhl-Pa55word", account_number="953014541"
    )
    acc.test_mode = True
    acc.save()
    order = phone_order("de-de")
    pdf = label_pdf("DHL 4018523301")
    carrier_http.on(
        "POST",
        "https://xmlpitest-ea.dhl.com/XMLShippingServlet",
        recorded("dhl_express_label.xml", label=b64(pdf)),
    )

    result = services.buy_label(order, acc, "dhl_express_worldwide_nondoc")

    assert (result.ok, result.tracking_number, result.label_pdf) == (True, "4018523301", pdf)
    assert (str(result.cost), result.currency) == ("24.90", "EUR")
    assert result.tracking_url == "https://www.dhl.com/en/express/tracking.html?AWB=4018523301"
    [call] = carrier_http.calls
    assert xml_text(call.data, "SiteID") == "shipdeskXML"
    assert xml_text(call.data, "ShipperAccountNumber") == "953014541"
    assert xml_text(call.data, "GlobalProductCode") == "P"
    assert xml_text(call.data, "ReferenceID") == order.order_number
    assert xml_text(call.data, "Weight") == "0.45"
    assert xml_text(call.data, "IsDutiable") == "N"  # France to Germany
    root = ElementTree.fromstring(call.data)
    assert root.findtext("Consignee/PostalCode") == order.ship_to.postal_code
    assert root.findtext("Consignee/Contact/PersonName") == order.ship_to.name
    assert root.findtext("Shipper/PostalCode") == "75011"
    assert Shipment.objects.filter(order=order).count() == 0  # buy_label records nothing


def test_dpd_label_after_login(orders, carrier_http):
    acc = account("dpd", delis_id="shipdesk01", password="dpd-pa55")
    acc.test_mode, acc.country_code = True, "FR"  # karrio-dpd defaults to a Belgian account
    acc.save()
    order = phone_order("de-de")
    pdf = label_pdf("DPD 05302012345678")
    expires = (datetime.now() + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    base = "https://shipperadmintest.dpd.be/PublicApi/soap/services"
    carrier_http.on("POST", f"{base}/LoginService/V2_1", recorded("dpd_login.xml", expires=expires))
    carrier_http.on(
        "POST",
        f"{base}/ShipmentService/V3_3",
        recorded("dpd_label.xml", label=b64(pdf), order_number=order.order_number),
    )

    result = services.buy_label(order, acc, "dpd_cl")

    assert (result.ok, result.tracking_number, result.label_pdf) == (True, "05302012345678", pdf)
    assert result.shipment_identifier == "MPS0530123456782026112"
    login, store_orders = carrier_http.calls
    assert (xml_text(login.data, "delisId"), xml_text(login.data, "password")) == (
        "shipdesk01",
        "dpd-pa55",
    )
    assert xml_text(store_orders.data, "authToken") == "dpd-auth-token-RTAwMDAwMDAx"
    shipment = next(ElementTree.fromstring(store_orders.data).iter("generalShipmentData"))
    assert shipment.findtext("mpsCustomerReferenceNumber1") == order.order_number
    assert shipment.findtext("product") == "CL"
    assert shipment.findtext("recipient/zipCode") == order.ship_to.postal_code
    assert shipment.findtext("sender/zipCode") == "75011"
    assert xml_text(store_orders.data, "weight") == "45"  # decagrams, as DPD wants


def test_gls_label_and_local_void(orders, carrier_http):
    acc = account(
        "gls", client_id="gls-client", client_secret="gls-5ecret-value", contact_id="276a1b2c3d"
    )
    acc.test_mode, acc.country_code = True, "FR"  # karrio-gls defaults to a German account
    acc.save()
    order = phone_order("de-de")
    pdf = label_pdf("GLS ZX5T7KQ1")
    host = "https://api-sandbox.gls-group.net"
    carrier_http.on("POST", f"{host}/oauth2/v2/token", recorded("gls_token.json"))
    carrier_http.on(
        "POST",
        f"{host}/shipit-farm/v1/backend/rs/shipments",
        recorded("gls_label.json", label=b64(pdf)),
    )

    result = services.ship_with_label(order, acc, "gls_parcel", notify_backmarket=False)

    assert (result.ok, result.tracking_number, result.label_pdf) == (True, "ZX5T7KQ1", pdf)
    token, ship = carrier_http.calls
    assert (
        token.headers["Authorization"]
        == "Basic " + base64.b64encode(b"gls-client:gls-5ecret-value").decode()
    )
    assert ship.headers["Authorization"] == "Bearer gls-access-token-7f1c"
    assert ship.json()["Shipment"]["Consignee"]["Address"]["ZIPCode"] == (order.ship_to.postal_code)
    assert gateway.can_cancel(acc) is False  # karrio-gls has no cancel mapping

    outcome = services.void_label(result.shipment)

    assert outcome.approved is True
    assert outcome.message.startswith("GLS offers no cancellation through its API")
    assert len(carrier_http.calls) == 2
    assert len(PdfReader(io.BytesIO(bytes(result.shipment.label_pdf))).pages) == 1
