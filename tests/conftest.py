import pytest


@pytest.fixture(autouse=True)
def _no_client_pacing(settings):
    """Tests talk to a local sandbox; pacing is tested on its own (tests/sync/test_pacing.py)."""
    settings.BACKMARKET_RATE_LIMIT = 0


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
