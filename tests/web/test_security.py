"""Hostile input against the web UI: sign-in lockout everywhere, Host headers, reset links,
logged 500s, outside links, security headers, HTTPS settings, passwords and 403 pages."""

import importlib.util
import io
import json
import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from shipdesk.backmarket import parse_order
from shipdesk.backmarket.mapping import map_order
from shipdesk.core.middleware import CONTENT_SECURITY_POLICY
from shipdesk.orders import actions
from shipdesk.orders.models import Order
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment
from shipdesk.sync.importer import import_orders
from shipdesk.web.models import LoginAttempt
from tests.factories import make_order, make_store

from .test_auth import reset_password, sign_in

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this user from your address. Try again in 15 minutes."
DATA = Path(__file__).parents[1] / "data" / "backmarket"


def admin_sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- 1. One sign-in path, one lockout ---------------------------------------------------


def test_25_wrong_passwords_on_the_admin_login_then_the_right_one_does_not_sign_in(client, admin):
    for _ in range(25):
        assert admin_sign_in(client, "alice", "wrong-password").status_code == 200

    response = admin_sign_in(client, "alice", "alice-password-1")

    assert response.status_code == 200  # the form again, not a redirect to /admin/
    assert signed_in_user_id(client) is None
    # Refused while locked, the last 20 were not even checked.
    assert LoginAttempt.objects.get(username="alice", ip="10.0.0.1").failures == 5


SIGN_INS = {"web": sign_in, "admin": admin_sign_in}


@pytest.mark.parametrize(
    ("failing", "then", "refusal"),
    [
        ("admin", "web", LOCKED),
        ("web", "admin", "Please enter the correct username and password for a staff account."),
    ],
)
def test_failures_on_one_login_lock_the_other(client, admin, failing, then, refusal):
    for _ in range(5):
        SIGN_INS[failing](client, "alice", "wrong-password")

    response = SIGN_INS[then](client, "alice", "alice-password-1")
    elsewhere = SIGN_INS[then](Client(), "alice", "alice-password-1", ip="10.0.0.2")

    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert signed_in_user_id(client) is None
    assert elsewhere.status_code == 302  # signed in from another address


def change_password(client, old: str, new: str):
    return client.post(
        "/preferences/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="10.0.0.1",
    )


def test_wrong_old_passwords_on_the_password_change_lock_like_sign_ins(shipper_client, shipper):
    for _ in range(5):
        change_password(shipper_client, "guess", "fresh-pass-789")
    refused = change_password(shipper_client, "sam-password-1", "fresh-pass-789")

    assert refused.status_code == 200
    assert LOCKED in refused.content.decode()
    shipper.refresh_from_db()
    assert shipper.check_password("sam-password-1")
    assert LOCKED in sign_in(Client(), "sam", "sam-password-1").content.decode()


# --- 2. Host headers and password-reset links -------------------------------------------


def test_an_unknown_host_is_refused(client):
    response = client.get("/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400


def test_the_reset_link_comes_from_the_base_url_whatever_host_was_asked(
    client, shipper, mailoutbox, settings
):
    settings.SHIPDESK_BASE_URL = "https://ship.example.com"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "ship-alias.example.net"]

    response = client.post(
        "/password-reset/", {"email": "sam@example.com"}, HTTP_HOST="ship-alias.example.net"
    )

    assert response["Location"] == "/password-reset/sent/"
    [email] = mailoutbox
    [link] = re.findall(r"\S+/password-reset/\S+", email.body)
    assert link.startswith("https://ship.example.com/password-reset/")
    assert "ship-alias" not in email.body
    assert "(sam) on ship.example.com." in email.body


def test_the_sixth_reset_request_in_an_hour_sends_no_email(client, shipper, mailoutbox):
    answers = [
        client.post("/password-reset/", {"email": "sam@example.com"}, REMOTE_ADDR=f"10.0.0.{n}")
        for n in range(1, 7)
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 302, 302, 200]
    assert len(mailoutbox) == 5
    assert (
        "Too many password reset requests. Try again in 60 minutes." in answers[-1].content.decode()
    )


def test_the_refused_reset_is_explained_in_french_too(client):
    for _ in range(5):
        client.post("/password-reset/", {"email": "sam@example.com"})

    response = client.post(
        "/password-reset/", {"email": "sam@example.com"}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert (
        "Trop de demandes de réinitialisation du mot de passe. Réessayez dans 60 minutes."
        in response.content.decode()
    )


def test_reset_requests_from_one_address_are_limited_whatever_the_email(client, mailoutbox):
    answers = [
        client.post("/password-reset/", {"email": f"someone{n}@example.com"}) for n in range(6)
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 302, 302, 200]


def test_a_refused_reset_does_not_tell_whether_the_address_exists(client, shipper, mailoutbox):
    for _ in range(5):
        client.post("/password-reset/", {"email": "sam@example.com"}, REMOTE_ADDR="10.0.0.1")
        client.post("/password-reset/", {"email": "ghost@example.com"}, REMOTE_ADDR="10.0.0.2")

    known = client.post("/password-reset/", {"email": "sam@example.com"}, REMOTE_ADDR="10.0.0.3")
    unknown = client.post(
        "/password-reset/", {"email": "ghost@example.com"}, REMOTE_ADDR="10.0.0.4"
    )

    def errors(response):
        return re.findall(
            r'<div class="form-errors" role="alert">.*?</div>', response.content.decode()
        )

    assert errors(known) == errors(unknown) != []


# --- 3. Web UI 500s are logged -----------------------------------------------------------


@pytest.mark.urls("tests.web.boom_urls")
def test_a_page_that_fails_is_logged_with_its_traceback_to_the_console(admin):
    handlers = logging.getLogger("django.request").handlers
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    try:
        response = client.get("/boom/")
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)

    logged = stream.getvalue()
    assert response.status_code == 500
    assert "ERROR django.request: Internal Server Error: /boom/" in logged
    assert "Traceback (most recent call last):" in logged
    assert "RuntimeError: the label printer caught fire" in logged


# --- 4. Links from outside, and the Content-Security-Policy -------------------------------


def test_a_javascript_delivery_note_from_back_market_is_not_kept():
    raw = json.loads((DATA / "order_normal.json").read_text())
    raw["delivery_note"] = "javascript:alert(document.cookie)"

    assert map_order(parse_order(raw)).delivery_note_url == ""


def test_back_markets_delivery_note_address_is_kept():
    raw = json.loads((DATA / "order_normal.json").read_text())

    assert map_order(parse_order(raw)).delivery_note_url == raw["delivery_note"]


def test_backship_javascript_tracking_and_label_urls_are_not_kept(store, sandbox):
    import_orders(store)
    order = next(
        o
        for o in Order.objects.filter(is_backship=True, status="awaiting_shipment")
        if all(i.quantity == 1 for i in o.items.all())
    )
    if order.awaiting_acceptance:
        actions.accept_order(order)
    for item in order.items.all():
        actions.set_identifier(order, sku=item.sku, imei="356938035643809", allow_duplicate=True)
    delivery = sandbox.state._deliveries[order.channel_order_id]
    delivery["trackingUrl"] = "javascript:alert(1)"
    delivery["labelUrl"] = " JavaScript:alert(2)"

    shipment = ship_order(order, carrier_code="colissimo")

    assert shipment.tracking_number == delivery["trackingNumber"]
    assert shipment.label_url == ""
    # The carrier's own tracking page instead of Back Market's refused address.
    assert shipment.tracking_url == (
        f"https://www.laposte.fr/outils/suivre-vos-envois?code={shipment.tracking_number}"
    )


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("javascript:alert(1)", "<td>6A12345678901</td>"),
        (
            "https://track.example.com/6A12345678901",
            '<td><a href="https://track.example.com/6A12345678901" rel="noopener noreferrer" '
            'target="_blank">6A12345678901</a></td>',
        ),
    ],
)
def test_only_an_http_tracking_url_is_a_link_on_the_order_page(shipper_client, stored, shown):
    order = make_order(make_store(), 1001)
    Shipment.objects.create(
        order=order,
        carrier_code="colissimo",
        tracking_number="6A12345678901",
        tracking_url=stored,
        ship_date="2026-03-15",
    )

    html = shipper_client.get(f"/orders/{order.pk}/").content.decode()

    assert shown in html
    assert "javascript:" not in html


def test_every_html_page_has_a_content_security_policy(client, shipper_client):
    login = client.get("/login/")
    orders = shipper_client.get("/orders/")
    forbidden = shipper_client.get("/users/")

    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    assert [r["Content-Security-Policy"] for r in (login, orders, forbidden)] == [
        CONTENT_SECURITY_POLICY
    ] * 3


def test_the_templates_have_no_inline_script():
    templates = Path(__file__).parents[2] / "src" / "shipdesk"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.glob("*/templates/**/*.html")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=", path.read_text())
    ]

    assert offenders == []


# --- 5. Behind HTTPS ---------------------------------------------------------------------


def read_settings(monkeypatch, tmp_path, **environment):
    """The settings module run afresh with this environment (Django's own stay as they are)."""
    for name in (
        "SHIPDESK_BASE_URL",
        "SHIPDESK_ALLOWED_HOSTS",
        "SHIPDESK_CSRF_TRUSTED_ORIGINS",
        "SHIPDESK_HSTS_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHIPDESK_HOME", str(tmp_path))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("shipdesk.settings")
    module = importlib.util.module_from_spec(spec)  # not registered: Django keeps its own
    spec.loader.exec_module(module)
    return vars(module)


def security_settings(values: dict) -> dict:
    names = [
        "SHIPDESK_BASE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    ]
    return {name: values.get(name) for name in names}


def test_by_default_only_this_machine_is_served_over_http(monkeypatch, tmp_path):
    values = read_settings(monkeypatch, tmp_path)

    assert security_settings(values) == {
        "SHIPDESK_BASE_URL": "http://127.0.0.1:8000",
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "[::1]"],
        "CSRF_TRUSTED_ORIGINS": ["http://127.0.0.1:8000"],
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "LANGUAGE_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_an_https_base_url_makes_cookies_secure_and_sends_hsts(monkeypatch, tmp_path):
    values = read_settings(
        monkeypatch,
        tmp_path,
        SHIPDESK_BASE_URL="https://ship.example.com/",
        SHIPDESK_ALLOWED_HOSTS="ship.internal, 10.0.0.12",
    )

    assert security_settings(values) == {
        "SHIPDESK_BASE_URL": "https://ship.example.com",
        "ALLOWED_HOSTS": [
            "localhost",
            "127.0.0.1",
            "[::1]",
            "ship.example.com",
            "ship.internal",
            "10.0.0.12",
        ],
        "CSRF_TRUSTED_ORIGINS": ["https://ship.example.com"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    assert "SECURE_PROXY_SSL_HEADER" not in values


def test_an_ipv6_base_url_host_is_served(monkeypatch, tmp_path):
    values = read_settings(monkeypatch, tmp_path, SHIPDESK_BASE_URL="http://[2001:db8::5]:8000")

    assert values["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "[2001:db8::5]"]


@pytest.mark.parametrize(
    "url",
    [
        "ship.example.com",
        "ftp://ship.example.com",
        "https://ship.example.com/shipdesk",
        "https://ship.example.com:99999",
        "https://user:pass@ship.example.com",
        "https://",
    ],
)
def test_a_base_url_that_is_not_a_scheme_and_host_is_refused(monkeypatch, tmp_path, url):
    with pytest.raises(ImproperlyConfigured) as refused:
        read_settings(monkeypatch, tmp_path, SHIPDESK_BASE_URL=url)

    assert str(refused.value) == (
        f"SHIPDESK_BASE_URL must be a scheme and host, like https://ship.example.com, not {url!r}"
    )


# --- 6. Passwords ------------------------------------------------------------------------


def test_an_admin_cannot_give_a_new_user_a_password_like_the_username(
    admin_client, django_user_model
):
    response = admin_client.post(
        "/users/new/", {"username": "marguerite", "role": "shipper", "password": "marguerite1"}
    )

    assert response.status_code == 200
    assert "The password is too similar to the username." in response.content.decode()
    assert not django_user_model.objects.filter(username="marguerite").exists()


def test_an_admin_cannot_set_a_numeric_password(admin_client, shipper):
    response = admin_client.post(
        f"/users/{shipper.pk}/",
        {
            "email": "sam@example.com",
            "role": "shipper",
            "is_active": "on",
            "password": "4815162342",
        },
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    shipper.refresh_from_db()
    assert shipper.check_password("sam-password-1")


def test_a_common_password_is_refused_when_changing_ones_own(shipper_client, shipper):
    response = change_password(shipper_client, "sam-password-1", "password123")

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    shipper.refresh_from_db()
    assert shipper.check_password("sam-password-1")


def test_a_numeric_password_is_refused_on_reset(client, shipper, mailoutbox):
    _, response = reset_password(client, mailoutbox, "sam@example.com", "123456789012")

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    shipper.refresh_from_db()
    assert shipper.check_password("sam-password-1")


def test_user_add_refuses_a_weak_password_in_one_line(django_user_model):
    with pytest.raises(CommandError) as refused:
        call_command("user", "add", "bob", "--password", "password", stdout=io.StringIO())

    assert str(refused.value) == "password refused: This password is too common."
    assert not django_user_model.objects.filter(username="bob").exists()


def test_user_add_accepts_a_good_password(django_user_model):
    out = io.StringIO()

    call_command("user", "add", "bob", "--password", "bob-packs-parcels-7", stdout=out)

    assert out.getvalue() == "Created shipper 'bob'.\n"
    assert django_user_model.objects.get(username="bob").check_password("bob-packs-parcels-7")


def test_the_demo_password_passes_the_validators():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    assert validate_password("demo-shipdesk", get_user_model()(username="demo")) is None


# --- 7. Admin-only pages answer 403 to shippers ----------------------------------------


def test_a_shipper_opening_the_email_outbox_gets_the_403_page(shipper_client):
    responses = [shipper_client.get(path) for path in ("/emails/", "/emails/1/")]

    assert [r.status_code for r in responses] == [403, 403]
    html = responses[0].content.decode()
    assert "<h1>Not allowed</h1>" in html
    assert "This page is for admins. Ask an admin if you need it." in html


def test_the_403_page_is_in_french_too(shipper_client):
    html = shipper_client.get("/emails/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "<h1>Accès refusé</h1>" in html
    assert "Cette page est réservée aux administrateurs." in html


def test_anonymous_visitors_of_the_outbox_are_asked_to_sign_in(client):
    response = client.get("/emails/")

    assert (response.status_code, response["Location"]) == (302, "/login/?next=/emails/")


def test_admins_see_the_outbox(admin_client):
    assert admin_client.get("/emails/").status_code == 200
