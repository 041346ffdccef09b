import pytest


@pytest.fixture
def sandbox(sandbox_factory):
    """A smaller Back Market sandbox than the suite's: these tests need a few orders only."""
    return sandbox_factory(orders=40, seed=7, token="sandbox-token")
