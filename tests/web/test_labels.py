"""Labels on the order page without a browser: every active account's rates (the rules'
choice preselected), buying one, printing and reprinting it in the user's layout, voiding it
at the carrier, against the sandbox carrier served by the Back Market sandbox."""

import io

import pytest
from pypdf import PdfReader

from shipdesk.carriers.models import CarrierShipment
from shipdesk.carriers.services import add_sandbox_account
from shipdesk.orders.models import Order
from shipdesk.shipping.models import Shipment
from shipdesk.web.models import UserPreference
from tests.factories import IMEI, make_warehouse, sandbox_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def accounts(sandbox):
    make_warehouse()
    return (
        add_sandbox_account("Sandbox Lyon", url=sandbox.url),
        add_sandbox_account("Sandbox down", url=sandbox.url, fail_rate=1),
    )


@pytest.fixture
def order(store):
    """A phone with its IMEI, weighed, the rules having chosen Sandbox Lyon's Express."""
    order = sandbox_order(store)
    order.items.get().units.update(imei=IMEI)
    order.items.update(weight_grams=450)
    return order


def choose(order, account, service):
    Order.objects.filter(pk=order.pk).update(
        carrier_account=account, carrier_code="sandbox", service_code=service
    )


def rates_html(client, order, **params) -> str:
    response = client.get(f"/orders/{order.pk}/rates/", params, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_loads_the_rates_after_itself(shipper_client, order, accounts):
    html = shipper_client.get(f"/orders/{order.pk}/").content.decode()

    assert f'hx-get="/orders/{order.pk}/rates/" hx-trigger="load"' in html
    assert "Asking every carrier account for its rates…" in html


def test_every_accounts_rates_or_its_reason_with_the_rules_choice_checked(
    shipper_client, order, accounts
):
    lyon, down = accounts
    choose(order, lyon, "ups_express_eu")

    html = rates_html(shipper_client, order)

    # 450 g is billed as 0.5 kg, Lyon to Lyon: (6.90 + 0.55) + 12 % fuel = 8.34, and so on.
    assert f'value="{lyon.pk}|ups_standard_eu|8.34" required>' in html
    assert f'value="{lyon.pk}|ups_worldwide_saver_eu|17.58" required>' in html
    assert f'value="{lyon.pk}|ups_express_eu|24.08" required checked>' in html
    assert html.count(" checked>") == 1
    assert html.count('data-testid="chosen-rate"') == 1
    assert "The UPS system is temporarily unavailable; please try again later." in html
    assert f'value="{down.pk}|' not in html


def test_without_javascript_the_rates_are_a_page_of_their_own(shipper_client, order, accounts):
    html = shipper_client.get(f"/orders/{order.pk}/rates/").content.decode()

    assert f"<h1>Rates for order {order.order_number}</h1>" in html
    assert 'data-testid="rates"' in html


def test_buying_a_rate_ships_the_order_and_offers_its_label_first(
    shipper_client, order, accounts, sandbox
):
    lyon, _down = accounts

    response = shipper_client.post(
        f"/orders/{order.pk}/label/",
        {"rate": f"{lyon.pk}|ups_standard_eu|8.34", "weight_grams": "450"},
        follow=True,
    )

    shipment = Shipment.objects.get(order=order)
    html = response.content.decode()
    assert response.redirect_chain == [(f"/orders/{order.pk}/?printed={shipment.pk}", 302)]
    assert (
        f"Label bought from Sandbox Lyon: {shipment.tracking_number}. "
        f"Order {order.order_number} is shipped."
    ) in html
    assert (
        f'href="/orders/{order.pk}/shipments/{shipment.pk}/label/" target="_blank" '
        'rel="noopener" autofocus data-testid="print-new-label">Print the label</a>'
    ) in html
    assert (shipment.carrier_code, shipment.service_code, shipment.shipment_cost) == (
        "sandbox",
        "ups_standard_eu",
        shipment.shipment_cost,
    )
    assert sandbox.carrier.parcel(shipment.tracking_number).reference == order.order_number
    order.refresh_from_db()
    assert order.status == "shipped"


def test_the_label_prints_in_the_users_layout_or_the_one_asked_for(
    shipper_client, shipper, order, accounts
):
    lyon, _down = accounts
    shipper_client.post(f"/orders/{order.pk}/label/", {"rate": f"{lyon.pk}|ups_standard_eu|"})
    shipment = Shipment.objects.get(order=order)
    url = f"/orders/{order.pk}/shipments/{shipment.pk}/label/"

    default = shipper_client.get(url)
    UserPreference.objects.update_or_create(user=shipper, defaults={"label_layout": "a4"})
    preferred = shipper_client.get(url)
    asked = shipper_client.get(url, {"layout": "a4x4"})

    def page_size(response) -> tuple[int, int]:
        page = PdfReader(io.BytesIO(response.content)).pages[0]
        return round(float(page.mediabox.width)), round(float(page.mediabox.height))

    assert default["Content-Type"] == "application/pdf"
    assert default["Content-Disposition"] == (
        f'inline; filename="label-{order.order_number}-{shipment.tracking_number}.pdf"'
    )
    assert page_size(default) == (288, 432)  # 4x6 in
    assert page_size(preferred) == page_size(asked) == (595, 842)  # A4
    assert shipment.tracking_number in PdfReader(io.BytesIO(asked.content)).pages[0].extract_text()


def test_a_carriers_refusal_is_said_and_nothing_is_shipped(shipper_client, order, accounts):
    lyon, _down = accounts
    order.ship_to.postal_code = "00000"
    order.ship_to.save()

    response = shipper_client.post(
        f"/orders/{order.pk}/label/", {"rate": f"{lyon.pk}|ups_standard_eu|8.34"}, follow=True
    )

    assert "Sandbox Lyon refused the label: " in response.content.decode()
    assert not Shipment.objects.exists()


def test_no_rate_chosen_is_said(shipper_client, order, accounts):
    response = shipper_client.post(f"/orders/{order.pk}/label/", {}, follow=True)

    assert "Choose one of the rates." in response.content.decode()
    assert not Shipment.objects.exists()


def test_voiding_cancels_the_label_at_the_carrier(shipper_client, order, accounts, sandbox):
    lyon, _down = accounts
    shipper_client.post(f"/orders/{order.pk}/label/", {"rate": f"{lyon.pk}|ups_standard_eu|"})
    shipment = Shipment.objects.get(order=order)

    response = shipper_client.post(f"/orders/{order.pk}/shipments/{shipment.pk}/void/", follow=True)

    assert (
        f"Shipment {shipment.tracking_number} voided: label cancelled at the carrier."
        in response.content.decode()
    )
    assert sandbox.carrier.parcel(shipment.tracking_number).voided is True
    assert CarrierShipment.objects.get(shipment=shipment).label_voided_at is not None
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"


def test_the_rates_speak_french(client, shipper, order, accounts):
    UserPreference.objects.create(user=shipper, language="fr")
    client.force_login(shipper)

    html = rates_html(client, order)

    assert "Acheter l’étiquette et expédier" in html
