import email
import email.policy
import socket

import pytest

from shipdesk.orders.actions import set_identifier
from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders
from tests.factories import IMEI, imported_order


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts; `reply` fakes a server answer."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.reply: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "orders@atelier.example.com"
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def jobs():
    """Run Huey jobs in the calling thread, as the worker would."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = False


@pytest.fixture
def branded_store(store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    store.company_name = "Atelier Müller"
    store.email = "bonjour@atelier.example.com"
    store.phone = "+33 1 84 80 12 34"
    store.website = "https://atelier.example.com"
    store.brand_color = "#114477"
    store.accent_color = "#ffcc00"
    store.email_shipment_confirmation = True
    store.email_delivery_notification = True
    store.save()
    import_orders(store)
    return store


def phone_order(country_code: str) -> Order:
    """A new one-phone order to `country_code`, awaiting shipment."""
    return imported_order(Store.objects.get(), country_code=country_code)


def ship(order: Order, **kwargs):
    set_identifier(order, sku=order.items.get().sku, imei=IMEI)
    kwargs.setdefault("carrier_code", "colissimo")
    kwargs.setdefault("tracking_number", "6A12345678901")
    return ship_order(order, notify_backmarket=False, **kwargs)


@pytest.fixture
def sandbox(sandbox_factory):
    """A smaller Back Market sandbox than the suite's: these tests need a few orders only."""
    return sandbox_factory(orders=40, seed=7, token="sandbox-token")
