"""Fixtures for the web UI: users, an imported store, Huey in immediate mode, and Chromium."""

import os
from pathlib import Path

import pytest

from shipdesk.carriers.services import add_sandbox_account
from tests import browser as chromium
from tests.factories import make_warehouse, sandbox_order


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser(
        "alice", "alice@example.com", "alice-password-1"
    )


@pytest.fixture
def shipper(django_user_model):
    return django_user_model.objects.create_user("sam", "sam@example.com", "sam-password-1")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def shipper_client(client, shipper):
    client.force_login(shipper)
    return client


@pytest.fixture
def imported(store):
    """The sandbox store with its orders imported."""
    from shipdesk.sync.importer import import_orders

    import_orders(store)
    return store


@pytest.fixture
def huey_immediate():
    """Queued jobs run at once, in the caller's thread (imports, notifications)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium.find_chromium()
    if executable is None:
        # `make test` installs one before the tests start; pytest run by hand may not have.
        pytest.fail("no Chromium for the browser tests: run `make test`, which installs one")

    # Playwright's sync API runs an event loop in the test thread, and Django then refuses
    # synchronous database calls from it; the tests use the database between page actions.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=chromium.ARGS, headless=True
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, extra_http_headers={"Accept-Language": "en"}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot(screenshots):
    """Keep a screenshot of the page as a test artefact, named <name>.png."""

    def take(page, name: str) -> Path:
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def account(sandbox):
    """A sandbox carrier account (the local UPS the Back Market sandbox serves) and a
    default ship-from warehouse: labels can be bought."""
    make_warehouse()
    return add_sandbox_account("Sandbox Lyon", url=sandbox.url)


@pytest.fixture
def phone_order(imported):
    """An accepted order of one smartphone (quantity 1) awaiting shipment, known to Back
    Market (the sandbox)."""
    return sandbox_order(imported)
