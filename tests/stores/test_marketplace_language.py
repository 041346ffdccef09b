"""The store's country code is what it is: the language Back Market answers in (its
Accept-Language), not a filter on the orders, and the pages say so."""

import html

import pytest

from shipdesk.web.forms import ConnectStoreForm
from tests.factories import make_store

pytestmark = pytest.mark.django_db

HELP = (
    "Back Market answers in this language (it is sent with every request). It filters "
    "nothing: the token imports the orders of every country of the platform."
)


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("alice", "a@example.com", "pw"))
    return client


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
