"""Batches run their label purchases in threads: these tests commit for real
(transaction=True), so that each thread's own database connection sees the orders.

Labels come from the sandbox carrier (shipdesk's UPS simulator, served over HTTP by the
test's Back Market sandbox); `gls` stands in for GLS's API at karrio's HTTP function, for
the test that holds label requests until enough are in flight at once."""

import base64
import json
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest

from shipdesk.carriers.models import CarrierAccount
from shipdesk.carriers.services import add_sandbox_account
from shipdesk.orders.actions import set_identifier
from shipdesk.orders.models import Order, Product
from shipdesk.sandbox.carrier import REFUSED_POSTAL_CODE
from tests.carriers.conftest import label_pdf, paris_warehouse
from tests.factories import IMEI, Line, imported_order

GLS = "https://api-sandbox.gls-group.net"


@dataclass
class LabelCarrier:
    """GLS's answers to karrio, a label for each order; counts the label requests in
    flight per account (each account's token names it). A request waits (up to 5 s) until
    `hold_until` requests are in flight in all: parallel requests meet, serial ones time out."""

    hold_until: int = 0
    label: bytes | None = None  # every label's content, when not a PDF saying the order
    in_flight: Counter = field(default_factory=Counter)
    most_in_flight: Counter = field(default_factory=Counter)
    most_in_all: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, decoder=None, on_ok=None, on_error=None, **kwargs):
        from karrio.core.utils.helpers import decode_bytes

        url, headers = kwargs["url"], kwargs.get("headers") or {}
        if url.startswith(f"{GLS}/oauth2/"):
            client_id = base64.b64decode(headers["Authorization"].split()[1]).split(b":")[0]
            token = {"access_token": client_id.decode(), "token_type": "Bearer"}
            return (decoder or decode_bytes)(json.dumps({**token, "expires_in": 14400}).encode())
        assert url == f"{GLS}/shipit-farm/v1/backend/rs/shipments", url
        account = headers["Authorization"].removeprefix("Bearer ")
        number = json.loads(kwargs["data"])["Shipment"]["ShipmentReference"][0]
        with self.changed:
            self.in_flight[account] += 1
            self.most_in_flight[account] = max(
                self.most_in_flight[account], self.in_flight[account]
            )
            self.most_in_all = max(self.most_in_all, self.in_flight.total())
            self.changed.notify_all()
            self.changed.wait_for(lambda: self.in_flight.total() >= self.hold_until, timeout=5)
        try:
            label = base64.b64encode(self.label or label_pdf(f"LABEL {number}")).decode()
            answer = {
                "shipmentId": f"S{number}",
                "trackingNumbers": [f"GLS{number}"],
                "parcels": [{"parcelId": f"S{number}-1", "trackingNumber": f"GLS{number}"}],
                "labels": [
                    {"trackingNumber": f"GLS{number}", "labelData": label, "labelFormat": "PDF"}
                ],
            }
            return (decoder or decode_bytes)(json.dumps(answer).encode())
        finally:
            with self.changed:
                self.in_flight[account] -= 1


@pytest.fixture
def gls(monkeypatch):
    fake = LabelCarrier()
    monkeypatch.setattr("karrio.lib.request", fake)
    return fake


def gls_account(name: str) -> CarrierAccount:
    acc = CarrierAccount(name=name, carrier_code="gls", test_mode=True, country_code="FR")
    acc.credentials = {"client_id": name, "client_secret": "gls-secret", "contact_id": "276a1b"}
    acc.save()
    return acc


@pytest.fixture
def sandbox(sandbox_factory):
    """A small Back Market sandbox: its carrier is what these tests need."""
    return sandbox_factory(orders=10, seed=7, token="sandbox-token")


@pytest.fixture
def account(sandbox, db):
    return add_sandbox_account("Sandbox", url=sandbox.url)


@pytest.fixture
def shop(store):
    paris_warehouse()
    return store


def orders_split_between(shop, accounts: tuple, service: str, count: int) -> list[Order]:
    """`count` orders of one case each, their rules' account taking turns among `accounts`."""
    orders = []
    for n in range(count):
        order = order_of(shop, (f"CASE-{n}", f"A-{n}"))
        order.carrier_account, order.service_code = accounts[n % len(accounts)], service
        order.save()
        orders.append(order)
    return orders


def order_of(
    store, *lines: tuple[str, str], imei: bool = True, refused: bool = False, **order
) -> Order:
    """An imported order of one unit per (sku, shelf) given; phones get their IMEI.
    `refused`: to a postal code the sandbox carrier refuses."""
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
    if refused:
        made.ship_to.postal_code = REFUSED_POSTAL_CODE
        made.ship_to.save()
    return made
