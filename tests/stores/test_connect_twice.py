"""One Back Market account, one store: connecting a token twice is refused everywhere, and
a store can be removed; server addresses and network failures are reported as what they are."""

import hashlib
import io
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from shipdesk.core import crypto
from shipdesk.orders.models import Address, Order, OrderEvent
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.stores.connection import StoreRefused, connect_store, replace_token
from shipdesk.stores.models import Store, account_fingerprint
from tests import upgrade
from tests.factories import make_order, make_store

from ..commands import refusal, run

pytestmark = pytest.mark.django_db

TWICE = (
    "this token is already connected as store {id} (Test store): one Back Market account is "
    "one store, or every order would be imported twice"
)
NO_SCHEME = (
    "the server address '127.0.0.1:8110' is not an http:// or https:// address with a host "
    "name (e.g. http://127.0.0.1:8765)"
)


def add(name, token, base_url, *more) -> list[str]:
    return (
        ["store", "add", "--name", name, "--region", "eu", "--token", token]
        + (["--base-url", base_url] if base_url else [])
        + list(more)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_same_token_cannot_be_connected_as_a_second_store(store, sandbox):
    with pytest.raises(StoreRefused) as refused:
        connect_store(name="Again", region="eu", token=" sandbox-token\n", base_url=sandbox.url)

    assert str(refused.value) == TWICE.format(id=store.pk)
    assert refused.value.field == "token"
    assert list(Store.objects.values_list("name", flat=True)) == ["Test store"]


def test_the_same_token_on_another_server_is_another_account(store, sandbox_factory):
    other = sandbox_factory(orders=5, seed=3, token="sandbox-token")

    second = connect_store(name="Other", region="eu", token="sandbox-token", base_url=other.url)

    assert second.account_fingerprint != store.account_fingerprint


def test_the_fingerprint_is_keyed_and_never_the_token(store, sandbox):
    fingerprint = store.account_fingerprint

    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
    assert fingerprint == account_fingerprint(sandbox.url, "sandbox-token")
    assert fingerprint != hashlib.sha256(b"sandbox-token").hexdigest()
    assert fingerprint != hashlib.sha256(f"{sandbox.url}\nsandbox-token".encode()).hexdigest()


def test_the_fingerprint_follows_a_change_of_server(db):
    store = make_store(base_url="http://127.0.0.1:8765")
    store.base_url = "http://127.0.0.1:8766"  # the demo's sandbox moved
    store.save(update_fields=["base_url"])

    with pytest.raises(StoreRefused):
        connect_store(
            name="Again", region="eu", token="Refurb Paris-token", base_url="http://127.0.0.1:8766"
        )

    store.refresh_from_db()
    assert store.account_fingerprint == account_fingerprint(
        "http://127.0.0.1:8766", "Refurb Paris-token"
    )


def test_store_add_refuses_a_token_already_connected(store, sandbox):
    message = refusal(*add("FR bis", "sandbox-token", sandbox.url))

    assert message == TWICE.format(id=store.pk) + "; nothing saved"
    assert Store.objects.count() == 1


def test_the_connect_form_refuses_a_token_already_connected(admin_client, store, sandbox):
    response = admin_client.post(
        "/stores/connect/",
        {
            "name": "FR bis",
            "region": "eu",
            "country_code": "fr-fr",
            "token": "sandbox-token",
            "first_import_days": 30,
            "base_url": sandbox.url,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "token": [TWICE.format(id=store.pk).replace("this", "This", 1)]
    }
    assert Store.objects.count() == 1


def test_set_token_refuses_another_stores_token(store, sandbox):
    other = make_store("Refurb Lyon", base_url=sandbox.url)

    message = refusal("store", "set-token", "Refurb Lyon", "--token", "sandbox-token")
    with pytest.raises(StoreRefused):
        replace_token(other, "sandbox-token")

    assert message == TWICE.format(id=store.pk) + "; nothing changed"
    other.refresh_from_db()
    assert other.token == "Refurb Lyon-token"


def test_the_store_page_refuses_another_stores_token(admin_client, store, sandbox):
    other = make_store("Refurb Lyon", base_url=sandbox.url)

    response = admin_client.post(f"/stores/{other.pk}/token/", {"token": "sandbox-token"})

    assert response.status_code == 400
    assert response.context["token_form"].errors == {
        "token": [TWICE.format(id=store.pk).replace("this", "This", 1)]
    }
    other.refresh_from_db()
    assert other.token == "Refurb Lyon-token"


@pytest.mark.django_db(transaction=True)
def test_stores_connected_twice_before_the_upgrade_are_named():
    """The upgrade fingerprints existing stores; a second store on one token keeps none."""
    apps = upgrade.migrate([("stores", "0001_initial")])
    try:
        Old = apps.get_model("stores", "Store")
        for name, token in (("FR", "token-a"), ("FR again", "token-a"), ("UK", "token-b")):
            Old.objects.create(name=name, token_encrypted=crypto.encrypt(token))
    finally:
        upgrade.migrate(upgrade.latest())

    first, again, uk = Store.objects.order_by("pk")
    assert first.account_fingerprint == account_fingerprint("https://www.backmarket.fr", "token-a")
    assert uk.account_fingerprint == account_fingerprint("https://www.backmarket.fr", "token-b")
    assert (again.account_fingerprint, again.last_error) == (
        "",
        f"This store uses the same Back Market token as store {first.pk} (FR): its orders are "
        "imported twice. Remove one with `shipdesk store remove`.",
    )


def test_store_remove_refuses_while_orders_wait_then_removes_everything(db):
    store, kept = make_store(), make_store("Refurb Lyon")
    shipped = make_order(store, 1001, title="USB-C charger 20 W")
    ship_order(shipped, carrier_code="colissimo", tracking_number="6A1", notify_backmarket=False)
    make_order(store, 1002)
    make_order(kept, 1003)

    refused = refusal("store", "remove", "Refurb Paris", "--yes")
    unconfirmed = refusal("store", "remove", "Refurb Paris", "--force")
    out = run("store", "remove", "Refurb Paris", "--force", "--yes")

    assert refused == (
        "store Refurb Paris has 1 order(s) still to ship and 0 shipment(s) not reported to "
        "Back Market; removing it loses them: nothing removed (--force removes it anyway)"
    )
    assert unconfirmed == (
        "removing store 'Refurb Paris' deletes its orders and their history: confirm with --yes"
    )
    assert out == f"Store {store.pk} (Refurb Paris) removed with 2 orders and 1 shipments.\n"
    assert list(Store.objects.values_list("name", flat=True)) == ["Refurb Lyon"]
    assert list(Order.objects.values_list("order_number", flat=True)) == ["1003"]
    assert Shipment.objects.count() == 0
    assert Address.objects.count() == 2  # the kept order's ship-to and bill-to
    assert set(OrderEvent.objects.values_list("order__order_number", flat=True)) <= {"1003"}


def test_store_remove_asks_at_a_terminal(monkeypatch):
    store = make_store()

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    declined = refusal("store", "remove", str(store.pk))
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    out = run("store", "remove", str(store.pk))

    assert declined == "nothing changed"
    assert out == (
        f"Remove store {store.pk} (Refurb Paris) and its 0 orders? [y/N] "
        f"Store {store.pk} (Refurb Paris) removed with 0 orders and 0 shipments.\n"
    )
    assert not Store.objects.exists()


def test_store_list_without_a_store_says_how_to_add_one(db):
    assert run("store", "list") == (
        "No store connected; add one with "
        "`shipdesk store add --name NAME --region eu --token TOKEN`.\n"
    )


def test_store_list_shows_the_last_import_in_the_configured_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    store = make_store(last_import_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC))

    line = run("store", "list")

    assert line == (
        f"{store.pk:>4}  Refurb Paris                   eu  ok              "
        "last import 2026-03-14 10:30\n"
    )


def test_a_base_url_without_a_scheme_is_refused_in_one_line(db):
    assert refusal(*add("FR", "t", "127.0.0.1:8110")) == NO_SCHEME + "; nothing saved"
    with pytest.raises(StoreRefused) as refused:
        connect_store(name="FR", region="eu", token="t", base_url="ftp://example.com")
    assert refused.value.field == "base_url"
    assert not Store.objects.exists()


def test_a_name_that_does_not_resolve_is_reported_as_such(db):
    message = refusal(*add("FR", "t", "http://no-such-host.invalid"))

    assert (
        message
        == "could not reach 'no-such-host.invalid': the name does not resolve; nothing saved"
    )


def test_a_refused_connection_is_reported_as_such(db):
    port = free_port()

    message = refusal(*add("FR", "t", f"http://127.0.0.1:{port}"))

    assert message == (
        "could not reach '127.0.0.1': the connection was refused (is the address and port "
        "right?); nothing saved"
    )


def test_set_token_reports_an_unreachable_server(db):
    make_store(base_url="http://no-such-host.invalid")

    message = refusal("store", "set-token", "Refurb Paris", "--token", "new")

    assert message == (
        "could not reach 'no-such-host.invalid': the name does not resolve; nothing changed"
    )
    assert Store.objects.get().token == "Refurb Paris-token"


@pytest.mark.parametrize(
    ("base_url", "field", "error"),
    [
        (
            "ftp://example.com",
            "base_url",
            "The server address 'ftp://example.com' is not an http:// or https:// address "
            "with a host name (e.g. http://127.0.0.1:8765)",
        ),
        (
            "http://no-such-host.invalid",
            "token",
            "Could not reach 'no-such-host.invalid': the name does not resolve.",
        ),
    ],
)
def test_the_connect_form_reports_bad_addresses_on_their_field(
    admin_client, base_url, field, error
):
    response = admin_client.post(
        "/stores/connect/",
        {
            "name": "FR",
            "region": "eu",
            "country_code": "fr-fr",
            "token": "t",
            "first_import_days": 30,
            "base_url": base_url,
        },
    )

    assert response.context["form"].errors == {field: [error]}
    assert not Store.objects.exists()


def test_the_real_command_prints_one_line_for_a_bad_address(tmp_path):
    env = {
        **os.environ,
        "SHIPDESK_HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    cli = [sys.executable, "-m", "shipdesk.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)

    results = [
        subprocess.run([*cli, *add("FR", "t", base_url)], env=env, capture_output=True, text=True)
        for base_url in ("127.0.0.1:8110", "http://no-such-host.invalid")
    ]

    assert [(r.returncode, r.stdout, len(r.stderr.splitlines())) for r in results] == [
        (1, "", 1),
        (1, "", 1),
    ]
    assert results[0].stderr.endswith(f"{NO_SCHEME}; nothing saved\n")
    assert results[1].stderr.endswith(
        "could not reach 'no-such-host.invalid': the name does not resolve; nothing saved\n"
    )


def test_store_add_help_gives_each_option_its_default(capsys):
    with pytest.raises(SystemExit):
        call_command("store", "add", "--help")

    help_text = " ".join(capsys.readouterr().out.split())
    for expected in (
        "--country-code COUNTRY_CODE the store's marketplace language, sent with every "
        "request: Back Market answers in it, e.g. de-de. It filters nothing: the token imports "
        "the orders of every country of the region's platform (default: fr-fr for eu, en-us "
        "for us, ja-jp for ap)",
        "--import-interval IMPORT_INTERVAL seconds between imports, from 60 (default: 120)",
        "--first-import-days FIRST_IMPORT_DAYS the first import reads this many days back "
        "(default: 30)",
        "--base-url BASE_URL another server than the region's",
        "(default: the region's)",
        "--auto-accept accept paid orders on Back Market as they are imported (default: off)",
        "--region {eu,us,ap} Back Market's platform: eu (www.backmarket.fr, also the UK)",
    ):
        assert expected in help_text
