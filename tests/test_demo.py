"""`shipdesk demo` as `make demo` runs it: starts, shows new orders, stops without leftovers."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from shipdesk.run.management.commands.demo import SANDBOX_TOKEN, arrivals

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SHIPDESK = str(Path(sys.executable).parent / "shipdesk")
ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "BM-acme-shipdesk;ops@acme.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past connections may linger
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if re.search(rf"^PPid:\s+{pid}$", status, re.M):
                found.append(int(entry.name))
    return sorted(found)


def wait_until(predicate, what: str, timeout: float = 120):
    """Polls; the deadline only turns a hang into a failure, it measures nothing."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.2)
    return result


class Demo:
    """`shipdesk demo` in its own session, like a terminal's foreground job."""

    def __init__(self, home: Path, logs: Path, *args: str):
        self.port, self.sandbox_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.out, self.err = logs / "demo.out", logs / "demo.err"
        self.home = f"SHIPDESK_HOME={home}".encode()
        env = {**os.environ, "SHIPDESK_HOME": str(home)}
        for name in (
            "DATABASE_URL",
            "REDIS_URL",
            "SHIPDESK_WEBHOOKS_ALLOW_PRIVATE",
            "SHIPDESK_BASE_URL",
        ):
            env.pop(name, None)
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [SHIPDESK, "demo", "--port", str(self.port)]
                + ["--sandbox-port", str(self.sandbox_port), *args],
                env=env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            wait_until(lambda: "Press Ctrl-C to stop." in self.stdout(), "the banner")
        except BaseException:
            self.children = children(self.process.pid)  # for kill() to find them
            self.kill()
            raise
        self.children = children(self.process.pid)

    def stdout(self) -> str:
        if self.process.poll() is not None:
            raise AssertionError(f"the demo stopped:\n{self.err.read_text()[-3000:]}")
        return self.out.read_text()

    def stop(self, how) -> int:
        how(self.process.pid)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        """What a failed test left running: its processes, recognised by their data folder."""
        for pid in [self.process.pid, *self.children]:
            try:
                if running(pid) and self.home in Path(f"/proc/{pid}/environ").read_bytes():
                    os.kill(pid, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass
        self.process.wait()


@pytest.fixture
def start_demo(tmp_path):
    demos = []
    home = tmp_path / "home"

    def start(*args: str) -> Demo:
        logs = tmp_path / f"run{len(demos)}"
        logs.mkdir()
        demos.append(Demo(home, logs, *args))
        return demos[-1]

    yield start
    for demo in demos:
        demo.kill()


def sigterm(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)  # `kill <demo pid>`


def ctrl_c(pid: int) -> None:
    os.killpg(pid, signal.SIGINT)  # what a terminal sends to its foreground job


@pytest.mark.parametrize("how", [sigterm, ctrl_c], ids=["kill", "ctrl-c"])
def test_the_demo_stops_its_processes_and_frees_its_ports(start_demo, how):
    demo = start_demo()
    kids = demo.children
    commands = sorted(Path(f"/proc/{pid}/cmdline").read_text().split("\0")[3:] for pid in kids)
    environments = [Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") for pid in kids]
    banner = demo.stdout()

    returncode = demo.stop(how)

    assert [command[0] for command in commands] == ["sandbox", "serve", "worker"]
    assert commands[0][commands[0].index("--arrival-rate") + 1] == "4.0"
    assert f"\n  {arrivals(4.0, 15.0)}\n" in banner
    assert "\n  Sandbox carrier:     account 'Sandbox carrier', no credentials" in banner
    assert all(b"SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1" in env for env in environments)
    # Links in emails (password resets) name the port the demo serves, not the default one.
    assert all(f"SHIPDESK_BASE_URL={demo.url}".encode() in env for env in environments)
    assert returncode == 0
    assert [pid for pid in kids if running(pid)] == []
    assert port_is_free(demo.port) and port_is_free(demo.sandbox_port)
    assert demo.out.read_text().endswith("Stopping the demo...\nStopped.\n")
    errors = demo.err.read_text()
    assert "Traceback" not in errors and "CancelledError" not in errors
    assert "CommandError" not in errors  # the children stopping is no error


class WebUI:
    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url, follow_redirects=True, timeout=30)
        self.client.get("/login/")
        response = self.client.post(
            "/login/",
            data={
                "username": "demo",
                "password": "demo-shipdesk",
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
            },
        )
        assert response.url.path == "/orders/"

    def shows(self, order_id: int) -> bool:
        page = self.client.get("/orders/", params={"tab": "all", "q": str(order_id)}).text
        return f'data-order="{order_id}"' in page


def new_order(demo: Demo) -> int:
    response = httpx.post(f"{demo.sandbox_url}/_sandbox/orders", json={"count": 1})
    [order_id] = response.json()["order_ids"]
    return order_id


def imported_ids(home: Path) -> set[int]:
    with closing(sqlite3.connect(home / "shipdesk.sqlite3")) as db:
        return {row[0] for row in db.execute("SELECT channel_order_id FROM orders_order")}


def test_new_orders_show_in_the_web_ui_and_a_restart_never_reuses_their_numbers(
    start_demo, tmp_path
):
    home = tmp_path / "home"
    demo = start_demo("--arrival-rate", "0", "--import-every", "1")
    assert "  No new orders arrive (--arrival-rate 0); the demo store imports every 1 s.\n" in (
        demo.stdout()
    )
    first = new_order(demo)
    ui = WebUI(demo.url)
    wait_until(lambda: ui.shows(first), f"order {first} in the web UI")
    assert demo.stop(sigterm) == 0
    before_restart = imported_ids(home)

    demo = start_demo("--arrival-rate", "0", "--import-every", "1")
    second = new_order(demo)
    ui = WebUI(demo.url)
    wait_until(lambda: ui.shows(second), f"order {second} in the web UI")
    bm = httpx.Client(headers={"Authorization": f"Basic {SANDBOX_TOKEN}", "User-Agent": USER_AGENT})
    known = bm.get(f"{demo.sandbox_url}/ws/orders/{first}")
    assert demo.stop(sigterm) == 0

    assert first in before_restart
    assert second not in before_restart and second > max(before_restart)
    assert known.status_code == 200 and known.json()["order_id"] == first
    assert re.search(r"\(\d+ orders, carried on from .*demo-sandbox\.jsonl", demo.out.read_text())


def test_the_banner_says_how_often_orders_arrive_and_are_imported():
    assert arrivals(4.0, 15.0) == (
        "A new order arrives every 15 s (4 a minute) and the demo store imports every 15 s: "
        "a new order shows in the web UI (reload the page) within about 15 s."
    )
    assert arrivals(0.5, 30.0) == (
        "A new order arrives every 120 s (0.5 a minute) and the demo store imports every 30 s: "
        "a new order shows in the web UI (reload the page) within about 30 s."
    )


def test_the_demo_refuses_a_port_in_use_in_one_line(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        env = {**os.environ, "SHIPDESK_HOME": str(tmp_path)}
        env.pop("DATABASE_URL", None)
        result = subprocess.run(
            [SHIPDESK, "demo", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 1
    assert result.stderr == (
        f"CommandError: 127.0.0.1:{port} is not free (Address already in use); is another demo "
        "still running? Choose another port with --port (make demo PORT=...)\n"
    )


def test_make_demo_takes_its_ports_from_port_and_sandbox_port():
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "requirements.lock", "demo"]
        + ["PORT=9001", "SANDBOX_PORT=9002"],
        cwd=ROOT,
        # Run from `make test`, make's own variables would reach this make and change its output.
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    command = " ".join(result.stdout.replace("\\\n", " ").split())
    assert command.endswith(
        'SHIPDESK_HOME="${SHIPDESK_HOME:-var}" .venv/bin/shipdesk demo --port 9001 '
        "--sandbox-port 9002"
    )
