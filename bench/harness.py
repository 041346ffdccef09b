"""What the benchmarks share: a scratch database, Django, sandbox processes, percentiles.

Kept free of Django at import time: the environment (SHIPDESK_HOME, DATABASE_URL) must be
set before `setup_django()` reads the settings.
"""

from __future__ import annotations

import json
import math
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
    import django

    django.setup()


def peak_rss_kb() -> int:
    """This process's peak resident memory so far, in kilobytes.

    VmHWM, not getrusage: Linux carries ru_maxrss across exec, so a child started by a big
    parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_kb() -> int:
    """This process's resident memory now, in kilobytes (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def max_in_window(times: list[float], window_s: float) -> int:
    """Most events seen in any `window_s` seconds (sliding window over sorted times)."""
    ordered, best, start = sorted(times), 0, 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxProcess:
    """`shipdesk sandbox` in its own process, so serving pages costs the importer nothing."""

    def __init__(
        self, *, orders: int, seed: int, token: str, rate_limit: bool = False, latency_ms: int = 0
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [PYTHON, "-m", "shipdesk.cli", "sandbox", "--port", str(self.port)]
        args += ["--orders", str(orders), "--seed", str(seed), "--token", token]
        if not rate_limit:
            args.append("--no-rate-limit")
        if latency_ms:
            args += ["--latency-ms", str(latency_ms)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{self.url}/_sandbox/stats", timeout=2)
                return
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the sandbox did not start: " + self.process.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_child(*args: str, env: dict[str, str] | None = None) -> dict:
    """Run `bench/child.py ARGS` in a fresh interpreter; it prints one JSON object."""
    result = subprocess.run(
        [PYTHON, str(BENCH / "child.py"), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/child.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class ScratchDatabase:
    """Where the benchmark writes: a new SQLite file, or a new PostgreSQL database.

    With a PostgreSQL DATABASE_URL, a database `<name>_bench_<pid>` is created next to the
    one named (the role needs CREATEDB) and dropped at the end: the benchmark never writes
    into an existing database.
    """

    def __init__(self, home: Path, database_url: str):
        self.admin_url = ""
        if database_url.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(database_url)
            self.name = f"{parts.path.lstrip('/') or 'shipdesk'}_bench_{os.getpid()}"
            self.admin_url = database_url
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.engine = "postgresql"
        else:
            self.name = str(home / "bench.sqlite3")
            self.url = f"sqlite:///{self.name}"
            self.engine = "sqlite"

    def create(self) -> None:
        if self.admin_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.admin_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(_libpq_url(self.admin_url), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)


def _libpq_url(url: str) -> str:
    # dj-database-url accepts postgres://; libpq wants postgresql://.
    return "postgresql://" + url.split("://", 1)[1]
