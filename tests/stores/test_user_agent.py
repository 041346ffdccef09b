"""Connecting a store on Back Market itself with the placeholder User-Agent warns, on the
command line and on the store's pages, and says how to set it; a sandbox does not."""

import html
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shipdesk.stores.connection import is_backmarket_server, user_agent_problem
from shipdesk.stores.models import Store
from tests.factories import make_store

pytestmark = pytest.mark.django_db

PLACEHOLDER = "BM-shipdesk-shipdesk;contact@example.com"
HOW = (
    "Set SHIPDESK_BM_USER_AGENT to BM-<your company>-shipdesk;<your contact email> "
    "(e.g. BM-Acme-shipdesk;ops@acme.fr) and restart shipdesk (web server and worker)."
)
PLACEHOLDER_WARNING = (
    "shipdesk sends Back Market its placeholder User-Agent "
    "'BM-shipdesk-shipdesk;contact@example.com', which names nobody: Back Market asks every "
    "integration to identify itself and may refuse its requests (403). " + HOW
)


def add(*more, token="t") -> list[str]:
    return ["store", "add", "--name", "FR", "--region", "eu", "--token", token, *more]


@pytest.mark.parametrize(
    "server",
    [
        "https://www.backmarket.fr",
        "https://www.backmarket.com",
        "https://www.backmarket.co.jp",
        "https://www.backmarket.co.uk",
        "https://preprod.backmarket.fr/",
        "HTTPS://WWW.BACKMARKET.FR:443",
    ],
)
def test_back_markets_hosts_are_back_market(server):
    assert is_backmarket_server(server) is True


@pytest.mark.parametrize(
    "server",
    [
        "http://127.0.0.1:8765",
        "http://localhost:8765",
        "http://[::1]:8765",
        "http://sandbox.internal:8765",
        "http://backmarket",  # a sandbox named after it, on a private network
        "127.0.0.1:8110",
        "",
    ],
)
def test_a_sandbox_is_not_back_market(server):
    assert is_backmarket_server(server) is False


def test_the_placeholder_is_said_with_how_to_set_it():
    assert user_agent_problem(PLACEHOLDER) == PLACEHOLDER_WARNING


def test_a_user_agent_not_in_back_markets_form_is_said_with_how_to_set_it():
    assert user_agent_problem("Acme shipping <ops@acme.fr>") == (
        "shipdesk sends Back Market the User-Agent 'Acme shipping <ops@acme.fr>', not in the "
        "form Back Market asks for: it may refuse its requests (403). " + HOW
    )


def test_the_sellers_own_user_agent_is_fine():
    assert user_agent_problem("BM-Acme-shipdesk;ops@acme.fr") is None


def test_the_placeholder_is_the_default_user_agent(settings):
    assert settings.BACKMARKET_PLACEHOLDER_USER_AGENT == PLACEHOLDER


def test_store_add_on_back_market_warns_on_stderr_before_connecting(settings):
    # `.invalid` never resolves: the warning comes, and the command goes on to connect.
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER
    err = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command(*add("--base-url", "https://www.backmarket.invalid"), stderr=err)

    assert err.getvalue() == f"warning: {PLACEHOLDER_WARNING}\n"
    assert str(refused.value) == (
        "could not reach 'www.backmarket.invalid': the name does not resolve; nothing saved"
    )


def test_store_add_on_the_sandbox_connects_without_a_warning(settings, sandbox):
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER
    out, err = StringIO(), StringIO()

    call_command(*add("--base-url", sandbox.url, token="sandbox-token"), stdout=out, stderr=err)

    store = Store.objects.get()
    assert out.getvalue() == f"Connected store {store.pk} (FR); token accepted.\n"
    assert err.getvalue() == ""


def test_store_add_with_the_sellers_user_agent_says_nothing_more(settings):
    settings.BACKMARKET_USER_AGENT = "BM-Acme-shipdesk;ops@acme.fr"
    err = StringIO()

    with pytest.raises(CommandError):
        call_command(*add("--base-url", "https://www.backmarket.invalid"), stderr=err)

    assert err.getvalue() == ""


def banner(response) -> str:
    """The warning banner's text, as a reader sees it."""
    page = response.content.decode()
    text = page.split('data-testid="user-agent-warning">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(text.replace("<p>", "")).split())


def test_the_store_page_of_a_back_market_store_warns(admin_client, settings):
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER
    store = make_store()  # no base URL: the region's host, www.backmarket.fr

    response = admin_client.get(f"/stores/{store.pk}/")

    assert banner(response) == PLACEHOLDER_WARNING


def test_the_store_page_of_a_sandbox_store_does_not_warn(admin_client, settings):
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER
    store = make_store(base_url="http://127.0.0.1:8765")

    response = admin_client.get(f"/stores/{store.pk}/")

    assert response.status_code == 200
    assert b"user-agent-warning" not in response.content


def test_the_connect_page_warns_for_back_market_itself(admin_client, settings):
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER

    response = admin_client.get("/stores/connect/")

    assert banner(response) == (
        "For a store on Back Market itself (not a sandbox): " + PLACEHOLDER_WARNING
    )


def test_the_connect_page_says_nothing_with_the_sellers_user_agent(admin_client, settings):
    settings.BACKMARKET_USER_AGENT = "BM-Acme-shipdesk;ops@acme.fr"

    response = admin_client.get("/stores/connect/")

    assert response.status_code == 200
    assert b"user-agent-warning" not in response.content


def test_the_warning_in_french(admin_client, settings):
    settings.BACKMARKET_USER_AGENT = PLACEHOLDER
    store = make_store()

    response = admin_client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert banner(response) == (
        "shipdesk envoie à Back Market son User-Agent provisoire "
        "'BM-shipdesk-shipdesk;contact@example.com', qui ne désigne personne : Back Market "
        "demande à chaque intégration de s’identifier et peut refuser ses requêtes (403). "
        "Donnez à SHIPDESK_BM_USER_AGENT la valeur BM-<votre société>-shipdesk;<votre e-mail "
        "de contact> (par exemple BM-Acme-shipdesk;ops@acme.fr) et redémarrez shipdesk "
        "(serveur web et worker)."
    )
