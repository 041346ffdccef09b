"""Stores: connecting with a tested token, replacing it, settings and imports."""

import io
import re
from datetime import timedelta

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shipdesk.stores.models import Store
from shipdesk.sync.models import ImportRun
from tests.factories import make_store

pytestmark = pytest.mark.django_db


def connect(client, sandbox, token, name="Refurb Paris", **extra):
    return client.post(
        "/stores/connect/",
        {
            "name": name,
            "region": "eu",
            "country_code": "fr-fr",
            "token": token,
            "first_import_days": "90",
            "base_url": sandbox.url,
            **extra,
        },
    )


def test_a_rejected_token_is_shown_and_nothing_is_saved(admin_client, sandbox):
    response = connect(admin_client, sandbox, "not-the-token")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Back Market rejected this token (401)." in html
    assert "not-the-token" not in html
    assert not Store.objects.exists()


def test_an_accepted_token_saves_the_store_and_opens_its_settings(admin_client, sandbox):
    response = connect(admin_client, sandbox, "sandbox-token")

    store = Store.objects.get()
    assert response["Location"] == f"/stores/{store.pk}/"
    assert (store.name, store.region, store.country_code, store.first_import_days) == (
        "Refurb Paris",
        "eu",
        "fr-fr",
        90,
    )
    assert store.token == "sandbox-token"
    page = admin_client.get(response["Location"]).content.decode()
    assert "Connected: Back Market accepted the token of Refurb Paris." in page
    assert "sandbox-token" not in page


def test_the_country_must_be_on_the_region_platform(admin_client, sandbox):
    response = connect(admin_client, sandbox, "sandbox-token", country_code="en-us")

    assert "en-us is not on the Europe (incl. UK) platform." in response.content.decode()
    assert not Store.objects.exists()


def test_a_token_is_replaced_in_place_after_being_tested(admin_client, store, sandbox):
    httpx.post(f"{sandbox.url}/_sandbox/token", json={"token": "renewed"}, timeout=5)
    Store.objects.filter(pk=store.pk).update(health="token_rejected", last_error="401")

    refused = admin_client.post(f"/stores/{store.pk}/token/", {"token": "sandbox-token"})
    accepted = admin_client.post(f"/stores/{store.pk}/token/", {"token": "renewed"})

    assert refused.status_code == 400
    assert "Back Market rejected this token (401)." in refused.content.decode()
    assert accepted["Location"] == f"/stores/{store.pk}/"
    store.refresh_from_db()
    assert (store.token, store.health, store.last_error) == ("renewed", "ok", "")


def test_a_rejected_token_puts_a_banner_on_every_page_for_signed_in_users(
    admin_client, shipper, client
):
    make_store("Refurb Lyon", health="token_rejected")
    make_store("Refurb Paris")

    admin_pages = [admin_client.get(p).content.decode() for p in ("/orders/", "/products/")]
    client.force_login(shipper)
    shipper_page = client.get("/notifications/").content.decode()
    client.logout()
    login_page = client.get("/login/").content.decode()

    for html in admin_pages:
        assert (
            "Back Market rejected the API token of the store <strong>Refurb Lyon</strong>" in html
        )
        assert "Refurb Paris</strong>" not in html
        assert "Replace the token" in html
    assert "Ask an admin to replace the token." in shipper_page
    assert "rejected the API token" not in login_page


def test_branding_with_a_logo(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    store = make_store()
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "#0b3d91").save(png, "PNG")

    response = admin_client.post(
        f"/stores/{store.pk}/branding/",
        {
            "company_name": "Refurb Paris SAS",
            "email": "contact@refurb.example",
            "phone": "+33 1 23 45 67 89",
            "website": "refurb.example",
            "brand_color": "#112233",
            "accent_color": "#FFAA00",
            "logo": SimpleUploadedFile("logo.png", png.getvalue(), content_type="image/png"),
        },
    )

    assert response["Location"] == f"/stores/{store.pk}/"
    store.refresh_from_db()
    assert (store.company_name, store.website, store.brand_color, store.accent_color) == (
        "Refurb Paris SAS",
        "https://refurb.example",
        "#112233",
        "#ffaa00",
    )
    logo = admin_client.get(f"/stores/{store.pk}/logo/")
    assert b"".join(logo.streaming_content) == png.getvalue()


def test_a_logo_that_is_not_an_image_is_refused(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    store = make_store()

    response = admin_client.post(
        f"/stores/{store.pk}/branding/",
        {
            "brand_color": "#112233",
            "accent_color": "#ffaa00",
            "logo": SimpleUploadedFile("logo.png", b"<script>", content_type="image/png"),
        },
    )

    assert response.status_code == 400
    assert "Upload a valid image." in response.content.decode()


def test_customer_notifications_and_import_settings(admin_client):
    store = make_store()

    admin_client.post(
        f"/stores/{store.pk}/emails/",
        {
            "language": "en",
            "email_shipment_confirmation": "on",
            "shipment_email_subject": "Your order {{ order_number }} is on its way",
            "shipment_email_body": "",
            "delivery_email_subject": "",
            "delivery_email_body": "",
        },
    )
    admin_client.post(
        f"/stores/{store.pk}/import-settings/",
        {
            "auto_import": "on",
            "auto_accept": "on",
            "interval_minutes": "15",
            "first_import_days": "7",
        },
    )

    store.refresh_from_db()
    assert (store.email_shipment_confirmation, store.email_delivery_notification) == (True, False)
    assert store.email_templates.get(kind="shipment_confirmation", language="en").subject == (
        "Your order {{ order_number }} is on its way"
    )
    assert (
        store.auto_import,
        store.auto_accept,
        store.import_interval,
        store.first_import_days,
    ) == (
        True,
        True,
        timedelta(minutes=15),
        7,
    )


def test_status_mapping_editor(admin_client):
    store = make_store()

    admin_client.post(
        f"/stores/{store.pk}/mapping/",
        {
            "state_0": "skip",
            "state_10": "awaiting_payment",
            "state_1": "on_hold",
            "state_3": "awaiting_shipment",
            "state_9": "shipped",
            "state_cancelled": "cancelled",
        },
    )
    refused = admin_client.post(f"/stores/{store.pk}/mapping/", {"state_0": "lost"})

    store.refresh_from_db()
    assert store.status_mapping == {
        "0": None,
        "10": "awaiting_payment",
        "1": "on_hold",
        "3": "awaiting_shipment",
        "9": "shipped",
        "cancelled": "cancelled",
    }
    assert refused.status_code == 400
    assert "Select a valid choice. lost is not one of the available choices." in (
        refused.content.decode()
    )


def test_import_now_shows_the_runs_figures(admin_client, store, huey_immediate):
    response = admin_client.post(f"/stores/{store.pk}/import/", HTTP_HX_REQUEST="true")

    run = ImportRun.objects.get()
    html = response.content.decode()
    assert run.status == "ok"
    assert 'data-state="ok"' in html
    assert "hx-trigger" not in html
    assert (
        f"Finished</strong> —\n      {run.fetched} of {run.total} read, {run.created} new, 0 updated"
        in html
    )
    assert '<div id="import-status" hx-swap-oob="true">' in html


def test_import_status_polls_until_a_run_appears(admin_client, store):
    waiting = admin_client.get(f"/stores/{store.pk}/import/status/?after=0")

    html = waiting.content.decode()
    assert 'data-state="queued"' in html
    assert f'hx-get="/stores/{store.pk}/import/status/?after=0" hx-trigger="every 1s"' in html


def test_import_now_without_javascript_queues_and_comes_back(admin_client, store, huey_immediate):
    response = admin_client.post(f"/stores/{store.pk}/import/", follow=True)

    html = response.content.decode()
    assert "Import queued." in html
    run = ImportRun.objects.get()
    assert re.search(rf'<td class="num">{run.created}</td>', html)


def test_shippers_cannot_change_stores(shipper_client, sandbox):
    store = make_store()

    responses = [
        shipper_client.post("/stores/connect/", {"name": "x"}),
        shipper_client.post(f"/stores/{store.pk}/token/", {"token": "x"}),
        shipper_client.post(f"/stores/{store.pk}/import/"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
