import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from shipstation_api_wrapper.api import ShipStationClient

from shipdesk.api.keys import create_key
from shipdesk.carriers.services import add_sandbox_account
from tests.factories import make_warehouse

from .helpers import IMEI, imported_phone_order


@pytest.fixture
def api_user(db, django_user_model):
    return django_user_model.objects.create_user(
        "erp", "erp@example.com"
    )  # no password: API keys only


@pytest.fixture
def credentials(api_user):
    """(key, secret) of a fresh API key for the `erp` user."""
    api_key, secret = create_key(api_user, name="ERP")
    return api_key.key, secret


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class Api:
    """The Django test client with the API key's Basic auth and JSON bodies."""

    def __init__(self, client, key: str, secret: str):
        self.client = client
        self.auth = basic(key, secret)

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/ssapi{path}", params or {}, HTTP_AUTHORIZATION=self.auth)

    def post(self, path: str, body=None, *, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(
            f"/ssapi{path}", data, content_type="application/json", HTTP_AUTHORIZATION=self.auth
        )

    def put(self, path: str, body):
        return self.client.put(
            f"/ssapi{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.auth,
        )

    def delete(self, path: str):
        return self.client.delete(f"/ssapi{path}", HTTP_AUTHORIZATION=self.auth)


@pytest.fixture
def api(client, credentials):
    return Api(client, *credentials)


@pytest.fixture
def no_rate_limit(settings):
    settings.SHIPDESK_API_RATE_LIMIT = 100_000


class WebhookTarget:
    """A local HTTP endpoint that records the POSTs it receives and answers `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.requests: list[tuple] = []  # (headers, raw body) of each POST
        self.status = 200
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                target.requests.append((self.headers, raw))
                target.received.append(json.loads(raw))
                self.send_response(target.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"thanks" if target.status == 200 else b"busy")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/shipdesk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_target():
    target = WebhookTarget()
    yield target
    target.stop()


# Labels through a third-party ShipStation client against the sandbox carrier
# (test_labels.py, test_createlabel.py).


@pytest.fixture
def shipstation(live_server, credentials, no_rate_limit):
    key, secret = credentials
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return ShipStationClient(token, base_url=f"{live_server.url}/ssapi").orders.request


@pytest.fixture
def warehouse(db):
    return make_warehouse()


@pytest.fixture
def account(sandbox, warehouse):
    """A sandbox carrier account: the local UPS the Back Market sandbox also serves."""
    return add_sandbox_account("Sandbox Lyon", url=sandbox.url)


@pytest.fixture
def phone_order(store):
    order = imported_phone_order(store)
    order.items.get().units.update(imei=IMEI)
    return order
