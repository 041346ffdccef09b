"""The order page's override for an IMEI already used elsewhere, in both languages."""

import pytest

from shipdesk.orders.models import ItemUnit
from tests.factories import make_order, make_store

pytestmark = pytest.mark.django_db

IMEI = "356938035643809"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("language", "refusal", "button"),
    [
        (
            "en",
            f"{IMEI} is already used on order 1002; override only if you are sure",
            "Use it anyway",
        ),
        (
            "fr",
            f"{IMEI} est déjà utilisé sur la commande 1002 ; forcez seulement si vous en êtes sûr",
            "L’utiliser quand même",
        ),
    ],
)
def test_a_reused_imei_offers_its_override_button(shipper_client, language, refusal, button):
    store = make_store()
    ItemUnit.objects.filter(item__order=make_order(store, 1002)).update(imei=IMEI)
    order = make_order(store, 1001)
    unit = ItemUnit.objects.get(item__order=order)

    html = shipper_client.post(
        f"/orders/{order.pk}/units/{unit.pk}/",
        {"value": IMEI},
        HTTP_ACCEPT_LANGUAGE=language,
        **HTMX,
    ).content.decode()

    assert refusal in html
    assert (
        f'<button type="submit" name="allow_duplicate" value="1" class="small">{button}</button>'
        in html
    )


def test_other_refusals_offer_no_override(shipper_client):
    order = make_order(make_store(), 1001)
    unit = ItemUnit.objects.get(item__order=order)

    html = shipper_client.post(
        f"/orders/{order.pk}/units/{unit.pk}/", {"value": "356938035643808"}, **HTMX
    ).content.decode()

    assert "wrong check digit" in html
    assert 'name="allow_duplicate"' not in html
