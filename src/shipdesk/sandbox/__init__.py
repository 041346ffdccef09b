"""A local simulator of the Back Market seller API, for tests, demos and benchmarks.

Also a Django app (for its `sandbox` command), so every shipdesk process imports this
package at start: the simulator (Starlette, uvicorn) is imported only when first used.
"""

from importlib import import_module

_EXPORTS = {
    "DEFAULT_TOKEN": "state",
    "SandboxError": "state",
    "SandboxState": "state",
    "SandboxServer": "server",
    "create_app": "server",
    "run_sandbox": "server",
    "generate_orders": "generator",
    "new_order": "generator",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
