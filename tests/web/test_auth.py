"""Signing in, roles, throttled failures, password reset and each user's preferences."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shipdesk.web import throttle
from shipdesk.web.models import LoginAttempt, UserPreference
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_root_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/login/")


def test_every_page_but_login_asks_anonymous_visitors_to_sign_in(client):
    paths = ["/orders/", "/orders/1/", "/stores/", "/products/", "/notifications/", "/users/"]

    locations = [client.get(path)["Location"] for path in paths]

    assert locations == [f"/login/?next={path}" for path in paths]


def test_signing_in_leads_to_the_orders(client, shipper):
    response = sign_in(client, "sam", "sam-password-1")

    assert (response.status_code, response["Location"]) == (302, "/orders/")


def test_signing_in_follows_next(client, shipper):
    response = client.post(
        "/login/", {"username": "sam", "password": "sam-password-1", "next": "/products/"}
    )

    assert response["Location"] == "/products/"


def test_shippers_do_not_see_admin_pages(shipper_client):
    statuses = [
        shipper_client.get(path).status_code
        for path in ("/stores/", "/stores/connect/", "/users/", "/users/new/", "/settings/")
    ]

    assert statuses == [403, 403, 403, 403, 403]
    assert "This page is for admins." in shipper_client.get("/users/").content.decode()


def test_admins_see_admin_pages(admin_client):
    statuses = [
        admin_client.get(path).status_code
        for path in ("/stores/", "/stores/connect/", "/users/", "/users/new/", "/settings/")
    ]

    assert statuses == [200, 200, 200, 200, 200]


def test_five_failed_sign_ins_lock_that_username_from_that_address(client, shipper):
    for _ in range(5):
        sign_in(client, "sam", "wrong")

    refused = sign_in(client, "sam", "sam-password-1")
    elsewhere = sign_in(client, "sam", "sam-password-1", ip="10.0.0.2")

    assert refused.status_code == 200
    assert (
        "Too many failed sign-ins for this user from your address. Try again in 15 minutes."
        in refused.content.decode()
    )
    assert elsewhere["Location"] == "/orders/"
    attempt = LoginAttempt.objects.get(username="sam", ip="10.0.0.1")
    assert attempt.failures == 5


def test_four_failures_then_success_clears_the_count(client, shipper):
    for _ in range(4):
        sign_in(client, "Sam", "wrong")

    response = sign_in(client, "sam", "sam-password-1")

    assert response["Location"] == "/orders/"
    assert not LoginAttempt.objects.exists()


def test_the_lock_ends_after_the_lockout():
    start = timezone.now()
    for _ in range(5):
        throttle.record_failure("sam", "10.0.0.1", now=start)

    locked = throttle.locked_until("sam", "10.0.0.1", now=start + timedelta(minutes=14))
    free = throttle.locked_until("sam", "10.0.0.1", now=start + timedelta(minutes=16))
    again = throttle.record_failure("sam", "10.0.0.1", now=start + timedelta(minutes=16))

    assert locked == start + throttle.LOCKOUT
    assert free is None
    assert (again.failures, again.locked_until) == (1, None)


def test_failures_spread_beyond_the_window_do_not_lock():
    start = timezone.now()
    for minute in (0, 5, 10, 14):
        throttle.record_failure("sam", "10.0.0.1", now=start + timedelta(minutes=minute))

    late = throttle.record_failure("sam", "10.0.0.1", now=start + timedelta(minutes=20))

    assert (late.failures, late.locked_until) == (1, None)


def reset_password(client, mailoutbox, email: str, new_password: str):
    """Ask for a reset link, follow it, choose a password: (the email, the last answer)."""
    client.post("/password-reset/", {"email": email})
    [sent] = mailoutbox
    # The link comes from SHIPDESK_BASE_URL, not from the request's host (testserver).
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", sent.body).group(1)
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    return sent, response


def test_password_reset_by_email(client, shipper, mailoutbox):
    email, response = reset_password(client, mailoutbox, "sam@example.com", "brand-new-pass-42")

    assert email.subject == "Reset your shipdesk password"
    assert email.to == ["sam@example.com"]
    assert response["Location"] == "/password-reset/done/"
    assert sign_in(client, "sam", "brand-new-pass-42")["Location"] == "/orders/"


def test_password_reset_does_not_tell_whether_an_address_exists(client, mailoutbox):
    response = client.post("/password-reset/", {"email": "nobody@example.com"}, follow=True)

    assert "If an account has this address" in response.content.decode()
    assert mailoutbox == []


def test_the_interface_follows_the_browser_language(shipper_client):
    english = shipper_client.get("/orders/", HTTP_ACCEPT_LANGUAGE="en")
    french = shipper_client.get("/orders/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert "<h1>Orders</h1>" in english.content.decode()
    assert "<h1>Commandes</h1>" in french.content.decode()
    assert '<html lang="fr">' in french.content.decode()


def test_a_users_language_and_time_zone_win_over_the_browser(shipper_client, shipper):
    order = make_order(make_store(), 1001)  # ordered 2026-03-14 09:30 UTC

    response = shipper_client.post(
        "/preferences/",
        {"language": "fr", "time_zone": "Asia/Tokyo"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = shipper_client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.cookies["django_language"].value == "fr"
    assert UserPreference.objects.get(user=shipper).time_zone == "Asia/Tokyo"
    html = page.content.decode()
    assert "<h1>Commande 1001</h1>" in html
    assert "14 mars 2026 18:30" in html


def test_signing_in_takes_the_users_language(client, shipper):
    UserPreference.objects.create(user=shipper, language="fr")

    response = sign_in(client, "sam", "sam-password-1")

    assert response.cookies["django_language"].value == "fr"


def test_dates_use_the_servers_time_zone_by_default(shipper_client):
    order = make_order(make_store(), 1001)

    html = shipper_client.get(f"/orders/{order.pk}/").content.decode()

    assert "March 14, 2026, 10:30 a.m." in html
