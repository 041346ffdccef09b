"""Batch pages without a browser: selected orders (or a tab) become a batch processed by the
worker (Huey immediate here), its progress polled, its result listed with the reasons, its
one PDF, pick list, reprint and void; the history of batches."""

import io

import pytest
from pypdf import PdfReader

from shipdesk.batches.actions import create_batch
from shipdesk.batches.models import Batch
from shipdesk.orders.models import Order
from shipdesk.web.models import UserPreference
from tests.factories import IMEI, OTHER_IMEI, OTHER_PHONE, sandbox_order

# Labels are bought from threads with their own database connections: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def orders(store, account):
    """Three phones the rules sent to Sandbox Lyon's Standard: the first two ready, the
    third without its IMEI."""
    made = [sandbox_order(store), sandbox_order(store, lines=(OTHER_PHONE,)), sandbox_order(store)]
    for order, imei in zip(made[:2], (IMEI, OTHER_IMEI), strict=True):
        order.items.get().units.update(imei=imei)
    for order in made:
        order.items.update(weight_grams=450)
    Order.objects.filter(pk__in=[o.pk for o in made]).update(
        carrier_account=account, carrier_code="sandbox", service_code="ups_standard_eu"
    )
    return made


def test_selected_orders_go_to_a_new_batch_page(shipper_client, orders):
    response = shipper_client.post(
        "/orders/bulk/", {"action": "batch", "ids": [o.pk for o in orders]}
    )

    assert response.status_code == 302
    assert response["Location"] == "/batches/new/?" + "&".join(f"ids={o.pk}" for o in orders)
    page = shipper_client.get(response["Location"]).content.decode()
    assert "3 orders in this batch." in page
    assert page.count('<input type="hidden" name="ids"') == 3
    assert page.count("Sandbox Lyon · Sandbox Standard") == 3


def test_a_processed_batch_lists_what_shipped_what_did_not_and_why(
    shipper_client, orders, huey_immediate, sandbox
):
    response = shipper_client.post(
        "/batches/new/",
        {"ids": [o.pk for o in orders], "service_from": "rules", "with_slips": "on"},
        follow=True,
    )

    batch = Batch.objects.get()
    html = response.content.decode()
    assert response.redirect_chain == [(f"/batches/{batch.pk}/", 302)]
    assert (batch.status, batch.total, batch.shipped, batch.failed) == ("done", 3, 2, 1)
    assert "3 of 3 processed: 2 shipped, 1 not shipped" in html
    assert 'hx-trigger="every 1s"' not in html
    assert html.count('data-status="shipped"') == 2
    assert f"cannot ship order {orders[2].order_number}: missing IMEI / serial number for" in html
    pdf = shipper_client.get(f"/batches/{batch.pk}/labels.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == batch.pages == 4  # label + slip
    assert "Print the labels (4 pages)" in html
    assert shipper_client.get(f"/batches/{batch.pk}/picklist.pdf").content.startswith(b"%PDF")
    assert len(sandbox.carrier.calls_to("ship")) == 2


def test_a_batch_being_processed_polls_its_progress(shipper_client, shipper, orders):
    batch = create_batch(orders, user=shipper)

    html = shipper_client.get(f"/batches/{batch.pk}/").content.decode()
    partial = shipper_client.get(f"/batches/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="/batches/{batch.pk}/" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert "0 of 3 processed: 0 shipped, 0 not shipped" in partial
    assert "<html" not in partial


def test_a_whole_tab_can_be_batched(shipper_client, orders):
    page = shipper_client.get("/batches/new/", {"scope": "view", "tab": "awaiting_shipment"})

    html = page.content.decode()
    awaiting = Order.objects.filter(status="awaiting_shipment", awaiting_acceptance=False)
    assert f"{awaiting.count()} orders in this batch." in html
    assert html.count('<input type="hidden" name="ids"') == awaiting.count()


def test_one_service_for_every_order_and_its_mistakes(shipper_client, orders, account):
    none_chosen = shipper_client.post(
        "/batches/new/", {"ids": [orders[0].pk], "service_from": "one", "service": ""}
    )
    chosen = shipper_client.post(
        "/batches/new/",
        {
            "ids": [orders[0].pk],
            "service_from": "one",
            "service": f"{account.pk}|ups_express_eu",
        },
    )

    assert none_chosen.status_code == 400
    assert "Choose the service every order ships with." in none_chosen.content.decode()
    batch = Batch.objects.get()
    assert chosen["Location"] == f"/batches/{batch.pk}/"
    assert (batch.account, batch.service) == (account, "ups_express_eu")


def test_voiding_a_batch_voids_its_labels_at_the_carrier(
    shipper_client, orders, huey_immediate, sandbox
):
    shipper_client.post("/batches/new/", {"ids": [o.pk for o in orders[:2]]})
    batch = Batch.objects.get()

    html = shipper_client.post(f"/batches/{batch.pk}/void/", follow=True).content.decode()

    assert f"2 label(s) of batch {batch.pk} voided." in html
    assert [c.status for c in sandbox.carrier.calls_to("void")] == [200, 200]
    assert Order.objects.filter(pk__in=[o.pk for o in orders[:2]], status="shipped").count() == 0


def test_the_history_lists_the_batches_newest_first(shipper_client, shipper, orders):
    first = create_batch(orders[:1], user=shipper)
    second = create_batch(orders, user=shipper)

    html = shipper_client.get("/batches/").content.decode()

    assert html.index(f'data-batch="{second.pk}"') < html.index(f'data-batch="{first.pk}"')


def test_the_batch_page_speaks_french(client, shipper, orders):
    UserPreference.objects.create(user=shipper, language="fr")
    client.force_login(shipper)
    batch = create_batch(orders, user=shipper)

    html = client.get(f"/batches/{batch.pk}/").content.decode()

    assert "0 sur 3 traitées : 0 expédiées, 0 non expédiées" in html


def test_the_batch_pdf_is_laid_out_as_the_user_prints_labels(shipper_client, shipper, orders):
    UserPreference.objects.create(user=shipper, label_layout="a4x4")
    shipper_client.post("/batches/new/", {"ids": [orders[0].pk], "service_from": "rules"})
    UserPreference.objects.filter(user=shipper).update(label_layout="zpl")
    shipper_client.post("/batches/new/", {"ids": [orders[1].pk], "service_from": "rules"})

    # ZPL is no PDF: that user's batch is in the default layout.
    assert list(Batch.objects.order_by("id").values_list("layout", flat=True)) == ["a4x4", "4x6"]
