"""Real `shipdesk worker` processes on the test database and queue, started, killed, restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The URL of the database the test runs on (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or ""
    netloc = quote(host, safe="") if host.startswith("/") else host  # a socket directory
    if db["PORT"]:
        netloc += f":{db['PORT']}"
    if db["USER"]:
        credentials = quote(db["USER"], safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        netloc = f"{credentials}@{netloc}"
    return f"postgresql://{netloc}/{quote(db['NAME'], safe='')}"


class Workers:
    """`shipdesk worker` processes: number 0 runs the scheduler, the others only consume.

    Each runs in its own process group so a kill takes its threads with it, as a crashed
    machine would; output goes to one log file per process, kept for a failure's report.
    """

    def __init__(self, count: int, *, threads: int, log_dir: Path, env: dict[str, str]):
        self.count, self.threads, self.log_dir = count, threads, log_dir
        self.env = {
            **os.environ,
            "SHIPDESK_HOME": str(settings.HOME),
            "DATABASE_URL": database_url(),
            **({"REDIS_URL": settings.REDIS_URL} if settings.REDIS_URL else {}),
            **env,
        }
        self.processes: dict[int, subprocess.Popen] = {}
        self.started = 0
        self.killed = 0

    def start(self, index: int) -> None:
        args = [sys.executable, "-m", "shipdesk.cli", "worker", "--threads", str(self.threads)]
        if index:
            args.append("--no-scheduler")
        log = open(self.log_dir / f"worker-{index}-{self.started}.log", "wb")  # noqa: SIM115
        with log:
            self.processes[index] = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started += 1

    def start_all(self) -> None:
        for index in range(self.count):
            self.start(index)

    def alive(self) -> list[int]:
        return [i for i, p in self.processes.items() if p.poll() is None]

    def kill(self, index: int) -> None:
        """SIGKILL: no cleanup, leases and dequeued jobs are left behind."""
        process = self.processes.pop(index)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.killed += 1

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def log_tail(self, lines: int = 30) -> str:
        """The end of every worker's log, for a failing test's report."""
        out = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)
