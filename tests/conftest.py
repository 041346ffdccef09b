import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _no_client_pacing(settings):
    """Tests talk to a local sandbox; pacing is tested on its own (tests/sync/test_pacing.py)."""
    settings.BACKMARKET_RATE_LIMIT = 0


@pytest.fixture(autouse=True)
def _language_of_a_fresh_thread():
    """Each test starts in the default language, as a new process does: a French page seen by
    an earlier test leaves French active in this thread (LocaleMiddleware never resets it)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def sandbox_factory():
    """Start Back Market sandboxes on 127.0.0.1; each stops at the end of the test."""
    from contextlib import ExitStack

    from shipdesk.sandbox.server import SandboxServer

    with ExitStack() as stack:

        def start(**kwargs):
            kwargs.setdefault("rate_limit", False)
            return stack.enter_context(SandboxServer(**kwargs))

        yield start


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(orders=120, seed=7, token="sandbox-token")


@pytest.fixture
def store(db, sandbox):
    from shipdesk.stores.connection import connect_store

    return connect_store(
        name="Test store",
        region="eu",
        token="sandbox-token",
        base_url=sandbox.url,
        first_import_days=90,
    )


def pytest_collection_modifyitems(items):
    """Mark the tests that drive Chromium, so `make test-fast` can leave them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def _output_folder(tmp_path_factory, variable: str, name: str) -> Path:
    """$variable when set (to keep what tests write), else a temporary folder of the session."""
    chosen = os.environ.get(variable)
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def reports_folder(tmp_path_factory) -> Path:
    """Where tests write the figures they measure."""
    return _output_folder(tmp_path_factory, "SHIPDESK_TEST_REPORTS", "reports")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests keep their screenshots."""
    return _output_folder(tmp_path_factory, "SHIPDESK_SCREENSHOTS", "screenshots")


@pytest.fixture
def report(request, reports_folder):
    """Write figures for people to read into <reports folder>/<test name>.txt (never stdout)."""
    path = reports_folder / f"{request.node.name}.txt"

    def write(text: str) -> Path:
        with path.open("a", encoding="utf-8") as f:
            f.write(text.rstrip("\n") + "\n")
        return path

    return write
