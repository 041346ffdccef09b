"""The store's country code is what it is: the language Back Market answers in (its
Accept-Language), not a filter on the orders, and the pages say so."""

import html

import pytest

from shipdesk.stores.connection import StoreRefused, connect_store
from shipdesk.stores.models import Store
from shipdesk.web.forms import ConnectStoreForm
from tests.factories import make_store

from ..commands import refusal, run

pytestmark = pytest.mark.django_db

HELP = (
    "Back Market answers in this language (it is sent with every request). It filters "
    "nothing: the token imports the orders of every country of the platform."
)


def test_the_connect_form_says_what_the_country_code_does():
    field = ConnectStoreForm().fields["country_code"]

    assert (str(field.label), str(field.help_text)) == ("Marketplace language", HELP)


def test_the_connect_page_shows_it(admin_client):
    page = html.unescape(admin_client.get("/stores/connect/").content.decode())

    assert "Marketplace language" in page
    assert HELP in page


def test_the_store_page_names_it_the_same(admin_client):
    store = make_store()
    store.country_code = "de-de"
    store.save()

    page = admin_client.get(f"/stores/{store.pk}/").content.decode()

    assert "<dt>Marketplace language</dt><dd>de-de</dd>" in page


def add(region, *more) -> list[str]:
    return ["store", "add", "--name", "S", "--region", region, "--token", "sandbox-token", *more]


@pytest.mark.parametrize(
    ("region", "language"), [("eu", "fr-fr"), ("us", "en-us"), ("ap", "ja-jp")]
)
def test_a_store_added_without_one_takes_its_platforms_first(sandbox, region, language):
    run(*add(region, "--base-url", sandbox.url))

    assert Store.objects.get().country_code == language


def test_a_store_added_with_one_keeps_it(sandbox):
    run(*add("eu", "--base-url", sandbox.url, "--country-code", "DE-DE "))

    assert Store.objects.get().country_code == "de-de"


def test_one_not_on_the_platform_is_refused_in_one_line(sandbox):
    message = refusal(*add("us", "--base-url", sandbox.url, "--country-code", "fr-fr"))

    assert message == (
        "'fr-fr' is not a marketplace of the us platform (one of: en-us); nothing saved"
    )
    assert not Store.objects.exists()


def test_connect_store_says_which_field(db):
    with pytest.raises(StoreRefused) as refused:
        connect_store(name="S", region="ap", token="t", country_code="xx")

    assert (str(refused.value), refused.value.field) == (
        "'xx' is not a marketplace of the ap platform (one of: ja-jp, en-au)",
        "country_code",
    )
