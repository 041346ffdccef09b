"""A local simulator of the Back Market seller API, for tests, demos and benchmarks."""

from shipdesk.sandbox.generator import generate_orders, new_order
from shipdesk.sandbox.server import SandboxServer, create_app, run_sandbox
from shipdesk.sandbox.state import DEFAULT_TOKEN, SandboxError, SandboxState

__all__ = [
    "DEFAULT_TOKEN",
    "SandboxError",
    "SandboxServer",
    "SandboxState",
    "create_app",
    "generate_orders",
    "new_order",
    "run_sandbox",
]
