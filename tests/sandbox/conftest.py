"""Sandboxes over real HTTP on 127.0.0.1, driven by a fake clock.

A test module that only reads, or that claims its own orders with `find_order`, can share
one sandbox by overriding `sandbox`, `api` and `clock` with the `shared_*` fixtures
(a uvicorn shutdown costs ~0.2 s, per test that adds up).
"""

import ssl
from collections.abc import Callable, Iterator

import httpx
import pytest

from shipdesk.sandbox import DEFAULT_TOKEN, SandboxServer

USER_AGENT = "BM-acme-shipdesk;ops@acme.example"
START = 1_775_000_000.0  # 2026-03-31T23:33:20Z


class FakeClock:
    """Stands in for time.time so tests move time instead of sleeping."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# Plain HTTP, but httpx builds an SSL context per client (~30 ms): build it once.
_SSL = ssl.create_default_context()


def _client(server: SandboxServer, token: str = DEFAULT_TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Basic {token}", "User-Agent": USER_AGENT}
    return httpx.Client(base_url=server.url, headers=headers, verify=_SSL)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_sandbox(clock: FakeClock) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes with given settings (fake clock, 400 orders, seed 7 by default)."""
    servers: list[SandboxServer] = []

    def start(**kwargs) -> SandboxServer:
        server = SandboxServer(**{"orders": 400, "seed": 7, "clock": clock, **kwargs})
        servers.append(server.__enter__())
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def sandbox(start_sandbox) -> SandboxServer:
    return start_sandbox()


@pytest.fixture
def connect() -> Iterator[Callable[..., httpx.Client]]:
    """HTTP clients to a sandbox, sending a token and a proper User-Agent."""
    clients: list[httpx.Client] = []

    def make(server: SandboxServer, token: str = DEFAULT_TOKEN) -> httpx.Client:
        clients.append(_client(server, token))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(sandbox: SandboxServer, connect) -> httpx.Client:
    return connect(sandbox)


@pytest.fixture(scope="module")
def shared_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def shared_sandbox(shared_clock: FakeClock) -> Iterator[SandboxServer]:
    # No rate limit: with the clock frozen, a module's requests would all share one window.
    with SandboxServer(orders=1000, seed=7, clock=shared_clock, rate_limit=False) as server:
        yield server


@pytest.fixture(scope="module")
def shared_api(shared_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with _client(shared_sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def claimed() -> dict[str, set[int]]:
    return {}


@pytest.fixture
def find_order(sandbox: SandboxServer, claimed) -> Callable[[Callable[[dict], bool]], dict]:
    """The oldest generated order matching a predicate that no other test of the module took."""
    taken = claimed.setdefault(sandbox.url, set())

    def find(predicate: Callable[[dict], bool]) -> dict:
        for order_id in sandbox.state.order_ids():
            order = sandbox.state.order(order_id)
            if order_id not in taken and predicate(order):
                taken.add(order_id)
                return order
        raise LookupError("no generated order matches")

    return find
