"""`make demo`'s sandbox carrier account: ready, with a ship-from warehouse, served by the
demo's sandbox (which a restart on another port follows)."""

import pytest

from shipdesk.carriers import services
from shipdesk.carriers.models import CarrierAccount
from shipdesk.run.management.commands.demo import demo_carrier
from shipdesk.stores.models import Warehouse
from tests.factories import imported_order

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_sandbox_carrier_account_that_quotes_and_follows_the_sandbox(store, sandbox):
    account = demo_carrier(sandbox.url)

    assert (account.name, account.carrier_code, account.credentials) == (
        "Sandbox carrier",
        "sandbox",
        {},
    )
    assert account.server_url == f"{sandbox.url}/carrier/ups/l150-f0"
    [warehouse] = Warehouse.objects.all()
    assert (warehouse.city, warehouse.is_default) == ("Paris", True)
    order = imported_order(store, country_code="de-de")
    order.weight_grams = 450
    order.save()
    quoted = services.rates(order, account)
    assert (quoted.messages, [r.service for r in quoted.rates]) == (
        [],
        ["ups_standard_eu", "ups_worldwide_saver_eu", "ups_express_eu"],
    )

    moved = demo_carrier("http://127.0.0.1:8766")

    assert moved.pk == account.pk and CarrierAccount.objects.count() == 1
    assert moved.server_url == "http://127.0.0.1:8766/carrier/ups/l150-f0"
    assert Warehouse.objects.count() == 1
