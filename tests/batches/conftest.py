"""Batches run their label purchases in threads: these tests commit for real
(transaction=True), so that each thread's own database connection sees the orders."""

import io
import json
import threading
from dataclasses import dataclass, field
from urllib.error import HTTPError

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from shipdesk.carriers.models import CarrierAccount
from shipdesk.orders.actions import set_identifier
from shipdesk.orders.models import Order, Product
from shipdesk.stores.models import Warehouse
from tests.factories import IMEI, Line, imported_order, make_store

GLS = "https://api-sandbox.gls-group.net"


def label_pdf(text: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(100 * mm, 150 * mm))
    page.drawString(10 * mm, 130 * mm, text)
    page.save()
    return out.getvalue()


@dataclass
class LabelCarrier:
    """GLS's answers to karrio, made per request: a label saying the order number, or a
    refusal for the orders told to be refused. Counts the label requests in flight."""

    refused: set[str] = field(default_factory=set)
    hold_until: int = 0  # a request waits (up to 5 s) until this many are in flight
    in_flight: int = 0
    most_in_flight: int = 0
    labels: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self):
        self.changed = threading.Condition(self.lock)

    def __call__(self, decoder=None, on_ok=None, on_error=None, **kwargs):
        from karrio.core.utils.helpers import decode_bytes

        url = kwargs["url"]
        if url.startswith(f"{GLS}/oauth2/"):
            return (decoder or decode_bytes)(
                b'{"access_token": "t", "token_type": "Bearer", "expires_in": 14400}'
            )
        assert url == f"{GLS}/shipit-farm/v1/backend/rs/shipments", url
        number = json.loads(kwargs["data"])["Shipment"]["ShipmentReference"][0]
        with self.changed:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.changed.notify_all()
            self.changed.wait_for(lambda: self.in_flight >= self.hold_until, timeout=5)
        try:
            if number in self.refused:
                body = b'{"errors": [{"code": "E_ADDRESS", "message": "unknown street"}]}'
                error = HTTPError(url, 400, "error", {}, io.BytesIO(body))
                return on_error(error) if on_error else decode_bytes(error.read())
            with self.lock:
                self.labels.append(number)
            answer = {
                "shipmentId": f"S{number}",
                "trackingNumbers": [f"GLS{number}"],
                "parcels": [{"parcelId": f"S{number}-1", "trackingNumber": f"GLS{number}"}],
                "labels": [
                    {
                        "trackingNumber": f"GLS{number}",
                        "labelData": _b64(label_pdf(f"LABEL {number}")),
                        "labelFormat": "PDF",
                    }
                ],
                "status": "CREATED",
            }
            return (decoder or decode_bytes)(json.dumps(answer).encode())
        finally:
            with self.changed:
                self.in_flight -= 1


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


@pytest.fixture
def carrier(monkeypatch):
    fake = LabelCarrier()
    monkeypatch.setattr("karrio.lib.request", fake)
    return fake


@pytest.fixture
def account(db):
    acc = CarrierAccount(name="GLS main", carrier_code="gls", test_mode=True, country_code="FR")
    acc.credentials = {"client_id": "c", "client_secret": "gls-secret", "contact_id": "276a1b2c3d"}
    acc.save()
    return acc


@pytest.fixture
def shop(db):
    Warehouse.objects.create(
        name="Paris",
        company="Atelier Müller",
        street1="12 rue des Ateliers",
        city="Paris",
        postal_code="75011",
        country="FR",
        is_default=True,
    )
    return make_store()


def order_of(store, *lines: tuple[str, str], imei: bool = True, **order) -> Order:
    """An imported order of one unit per (sku, shelf) given; phones get their IMEI."""
    for sku, shelf in lines:
        Product.objects.update_or_create(
            sku=sku, defaults={"warehouse_location": shelf, "needs_imei": sku.startswith("IP")}
        )
    made = imported_order(
        store,
        lines=tuple(
            Line(sku=sku, title=f"iPhone {sku}" if sku.startswith("IP") else f"Case {sku}")
            for sku, _ in lines
        ),
        **order,
    )
    if imei:
        for item in made.items.all():
            if item.sku.startswith("IP"):
                set_identifier(made, sku=item.sku, imei=IMEI, allow_duplicate=True)
    made.weight_grams = 450
    made.save()
    return made
