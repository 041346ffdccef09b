"""Recorded Back Market payloads (tests/data/backmarket) and test doubles for time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

DATA = Path(__file__).resolve().parents[1] / "data" / "backmarket"


def load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def recorded_response(name: str, request: httpx.Request | None = None) -> httpx.Response:
    """Replay a recorded response: {"status", "headers", "body"}; a non-string body is JSON."""
    recorded = load_json(name)
    body = recorded["body"]
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.Response(
        recorded["status"],
        headers=recorded["headers"],
        content=content.encode(),
        request=request,
    )


class FakeClock:
    """A monotonic clock that only moves when slept on, recording every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
