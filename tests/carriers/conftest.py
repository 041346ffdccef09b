"""Carrier tests without network: karrio's HTTP function is replaced by recorded answers."""

import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.error import HTTPError

import pytest
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from shipdesk.carriers.models import CarrierAccount
from shipdesk.orders.actions import set_identifier
from shipdesk.orders.models import Order
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from tests.factories import IMEI, imported_order, make_warehouse

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str, **values) -> bytes:
    """A recorded carrier answer; {{name}} markers take per-test values (labels, dates).

    Tracking answers have their dates moved to yesterday ({{day}}) and the day before,
    as a carrier would report a parcel shipped now.
    """
    text = (RECORDED / name).read_text()
    yesterday = timezone.localdate() - timedelta(days=1)
    fmt = "%Y%m%d" if name.startswith("ups_") else "%Y-%m-%d"
    values.setdefault("day", yesterday.strftime(fmt))
    values.setdefault("day_before", (yesterday - timedelta(days=1)).strftime(fmt))
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    return text.encode()


def recorded_with_binary(name: str, **parts: bytes) -> bytes:
    """A recorded answer carrying raw bytes (a multipart label) at its {{name}} markers."""
    body = (RECORDED / name).read_bytes()
    for key, value in parts.items():
        body = body.replace(b"{{" + key.encode() + b"}}", value)
    return body


def label_pdf(text: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(100 * mm, 150 * mm))
    page.drawString(10 * mm, 130 * mm, text)
    page.save()
    return out.getvalue()


@dataclass
class Call:
    method: str
    url: str
    headers: dict
    data: str | None

    def json(self):
        return json.loads(self.data)


@dataclass
class Route:
    method: str
    url: str
    body: bytes
    status: int = 200
    times: int | None = None  # None: answers every matching call


@dataclass
class CarrierHTTP:
    """Stands in for karrio.lib.request: answers by method and URL prefix, records calls."""

    routes: list[Route] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    unmatched: list[Call] = field(default_factory=list)

    def on(self, method: str, url: str, body: bytes, *, status: int = 200, times=None):
        self.routes.append(Route(method, url, body, status, times))

    def __call__(self, decoder=None, on_ok=None, on_error=None, **kwargs):
        from karrio.core.utils.helpers import decode_bytes

        data = kwargs.get("data")
        if isinstance(data, dict | list):  # karrio serializes these to JSON itself
            data = json.dumps(data)
        call = Call(
            method=kwargs.get("method", "GET"),
            url=kwargs["url"],
            headers=dict(kwargs.get("headers") or {}),
            data=data.decode() if isinstance(data, bytes) else data,
        )
        self.calls.append(call)
        route = next(
            (
                r
                for r in self.routes
                if r.method == call.method and call.url.startswith(r.url) and r.times != 0
            ),
            None,
        )
        if route is None:
            self.unmatched.append(call)
            raise AssertionError(f"unexpected carrier request {call.method} {call.url}")
        if route.times is not None:
            route.times -= 1
        if route.status >= 400:
            error = HTTPError(call.url, route.status, "error", {}, io.BytesIO(route.body))
            return on_error(error) if on_error else decode_bytes(error.read())
        return (decoder or decode_bytes)(route.body)


@pytest.fixture
def carrier_http(monkeypatch):
    fake = CarrierHTTP()
    monkeypatch.setattr("karrio.lib.request", fake)
    return fake


@pytest.fixture
def warehouse(db):
    return paris_warehouse(phone="+33184801234")


def paris_warehouse(**fields):
    """The ship-from address the carrier tests check on their labels."""
    return make_warehouse(
        "Paris",
        company="Atelier Müller",
        street1="12 rue des Ateliers",
        city="Paris",
        postal_code="75011",
        **fields,
    )


@pytest.fixture
def orders(store, warehouse):
    store.company_name = "Atelier Müller"
    store.email = "bonjour@atelier.example.com"
    store.save()
    import_orders(store)
    return store


def phone_order(country_code: str) -> Order:
    """A new one-phone order to `country_code`, its IMEI scanned and its weight set."""
    order = imported_order(Store.objects.get(), country_code=country_code)
    set_identifier(order, sku=order.items.get().sku, imei=IMEI, allow_duplicate=True)
    order.weight_grams = 450
    order.save()
    return order


@pytest.fixture
def jobs():
    """Run Huey jobs in the calling thread, as the worker would."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = False


def account(carrier_code: str, **credentials) -> CarrierAccount:
    acc = CarrierAccount(name=f"{carrier_code} main", carrier_code=carrier_code)
    acc.credentials = credentials
    acc.save()
    return acc


def sandbox_account(
    sandbox, name: str = "Sandbox", *, latency_ms: int = 0, fail_rate: float = 0
) -> CarrierAccount:
    """A sandbox carrier account served by the test's sandbox (no credentials)."""
    from shipdesk.carriers.services import add_sandbox_account

    return add_sandbox_account(name, url=sandbox.url, latency_ms=latency_ms, fail_rate=fail_rate)


@pytest.fixture
def sandbox(sandbox_factory):
    """A smaller Back Market sandbox than the suite's: these tests need a few orders only."""
    return sandbox_factory(orders=40, seed=7, token="sandbox-token")
