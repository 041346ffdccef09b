"""BackShip: the label Back Market supplies is fetched as a PDF, kept on the shipment and
printed like any other label (`label_document`)."""

import dataclasses
import io

import httpx
import pytest
from pypdf import PdfReader

from shipdesk.backmarket import LineState
from shipdesk.backmarket.backship import LabelUnavailable, fetch_label
from shipdesk.documents.labels import label_document
from shipdesk.orders.actions import OrderActionError, accept_order, set_identifier
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment

from ..factories import IMEI, PHONE, sandbox_order

pytestmark = pytest.mark.django_db

TO_ACCEPT = dataclasses.replace(PHONE, state=LineState.AWAITING_ACCEPTANCE)


def test_the_backship_label_is_kept_on_the_shipment_and_printed_like_any_label(store, sandbox):
    order = sandbox_order(store, is_backship=True, lines=(TO_ACCEPT,))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)

    shipment = ship_order(order, carrier_code="colissimo")

    served = httpx.get(shipment.label_url, timeout=5)
    assert shipment.label_url.startswith(f"{sandbox.url}/backship/labels/")
    assert bytes(Shipment.objects.get(pk=shipment.pk).label_pdf) == served.content
    document = label_document([shipment], layout="4x6")
    [page] = PdfReader(io.BytesIO(document)).pages
    assert (page.mediabox.width, page.mediabox.height) == (288, 432)
    text = page.extract_text()
    assert f"{order.order_number} {shipment.tracking_number}" in text  # the search line
    assert f"Back Market order {order.channel_order_id}" in text  # Back Market's label


def test_a_backship_label_that_cannot_be_fetched_stops_the_shipment(store, sandbox):
    order = sandbox_order(store, is_backship=True, lines=(TO_ACCEPT,))
    set_identifier(order, sku=PHONE.sku, imei=IMEI)
    accept_order(order)
    # Back Market points to a label that is not there (any more).
    delivery = sandbox.state._deliveries[order.channel_order_id]
    delivery["labelUrl"] = f"{sandbox.url}/backship/labels/gone.pdf"

    with pytest.raises(OrderActionError) as refused:
        ship_order(order, carrier_code="colissimo")

    assert str(refused.value) == (
        f"cannot fetch the BackShip label of order {order.order_number}: "
        "the label's address answered HTTP 404"
    )
    assert not Shipment.objects.filter(order=order).exists()


def test_only_https_or_back_markets_own_host_and_only_pdfs(sandbox):
    api = "https://www.backmarket.fr"
    refusals = {
        "http://203.0.113.9/label.pdf": "the label's address is not an https:// URL",
        "ftp://backmarket.fr/label.pdf": "the label's address is not an https:// URL",
        f"{sandbox.url}/_sandbox/stats": "the label is not a PDF",
    }
    for url, reason in refusals.items():
        allowed = sandbox.url if url.startswith(sandbox.url) else api
        with pytest.raises(LabelUnavailable) as refused:
            fetch_label(url, api_base_url=allowed, user_agent="BM-test;t@example.com")
        assert str(refused.value) == reason
