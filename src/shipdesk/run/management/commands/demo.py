"""`shipdesk demo`: the whole system on one machine, on an embedded default.

The demo starts three processes (sandbox, worker, web application) in their own process
groups, so that Ctrl-C, `kill` or a closed terminal reaches the demo alone and the demo stops
them one way, gracefully, then waits for them: nothing is left running on the ports.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shipdesk.cli import PORT, add_listen_options, bounded
from shipdesk.stores.models import Store

SANDBOX_TOKEN = "demo-sandbox-token"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_S = 10.0  # the children's time to finish a running import or request
# What the children are called in messages.
ROLES = {"sandbox": "the Back Market sandbox", "worker": "the worker", "serve": "the web server"}


class Command(BaseCommand):
    help = "Run the Back Market sandbox, a demo store, the worker and the web application."

    def add_arguments(self, parser):
        add_listen_options(parser, 8000, "the web UI")
        parser.add_argument(
            "--sandbox-port",
            type=PORT,
            default=8765,
            help="port of the Back Market sandbox, on 127.0.0.1 (default: %(default)s)",
        )
        parser.add_argument(
            "--orders",
            type=bounded(int, 0, 100_000),
            default=300,
            help="orders the sandbox starts with the first time (default: %(default)s)",
        )
        parser.add_argument(
            "--arrival-rate",
            type=bounded(float, 0, 600),
            default=4.0,
            help="new orders per minute (default: %(default)s)",
        )
        parser.add_argument(
            "--import-every",
            type=bounded(float, 1, 3600),
            default=15.0,
            metavar="SECONDS",
            help="seconds between two imports of the demo store (default: %(default)s)",
        )

    def handle(self, *args, host, port, sandbox_port, arrival_rate, import_every, **options):
        _check_free(host, port, "--port (make demo PORT=...)")
        _check_free("127.0.0.1", sandbox_port, "--sandbox-port (make demo SANDBOX_PORT=...)")
        call_command("migrate", interactive=False, verbosity=0)
        self.signals = 0
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        self.children: dict[str, subprocess.Popen] = {}
        try:
            self._run(host, port, sandbox_port, options["orders"], arrival_rate, import_every)
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum, frame) -> None:
        # Counted, not raised: the demo stops between two steps, never half-way through one.
        self.signals += 1

    def _run(self, host, port, sandbox_port, orders, arrival_rate, import_every) -> None:
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        address = f"[{host}]" if ":" in host else host
        self.child_env = {
            **os.environ,
            # The demo's webhooks go to 127.0.0.1, which shipdesk refuses by default.
            "SHIPDESK_WEBHOOKS_ALLOW_PRIVATE": "1",
            # Links in emails, and the host names served, follow the demo's own address.
            "SHIPDESK_BASE_URL": os.environ.get("SHIPDESK_BASE_URL") or f"http://{address}:{port}",
        }
        self._spawn(
            "sandbox",
            *("--port", str(sandbox_port), "--token", SANDBOX_TOKEN),
            *("--orders", str(orders), "--arrival-rate", str(arrival_rate)),
            # Kept with the database: a restarted demo never reuses an order number.
            *("--state", str(settings.HOME / "demo-sandbox.jsonl")),
        )
        if not self._wait_for(f"{sandbox_url}/_sandbox/stats"):
            return
        store = self._demo_store(sandbox_url)
        carrier = demo_carrier(sandbox_url)
        user = self._demo_user()
        self._spawn("worker")
        self._spawn("serve", "--host", host, "--port", str(port))
        if not self._wait_for(f"http://{host}:{port}/healthz"):
            return
        self.stdout.write(
            self.style.SUCCESS("\nshipdesk is running.\n")
            + f"  Web UI:              http://{host}:{port}/   (user {user[0]!r}, "
            + f"password {user[1]!r})\n"
            + f"  Back Market sandbox: {sandbox_url}  (store {store.name!r}; updates received: "
            + f"{sandbox_url}/_sandbox/updates)\n"
            + f"  Sandbox carrier:     account {carrier.name!r}, no credentials (rates, labels, "
            + "tracking)\n"
            + f"  {arrivals(arrival_rate, import_every)}\n"
            + "  Press Ctrl-C to stop.\n"
        )
        self.stdout.flush()
        from shipdesk.sync.tasks import import_store

        next_import = time.monotonic()
        while not self.signals:
            self._check_children()
            if time.monotonic() >= next_import:
                import_store(store.pk, "demo")  # to the worker; skipped while one is running
                next_import = time.monotonic() + import_every
            time.sleep(0.2)

    def _spawn(self, role: str, *args: str) -> None:
        self.children[role] = subprocess.Popen(
            [sys.executable, "-m", "shipdesk.cli", role, *args],
            env=self.child_env,
            stdin=subprocess.DEVNULL,
            process_group=0,  # out of the terminal's reach: the demo stops them itself
        )

    def _check_children(self) -> None:
        for role, child in self.children.items():
            if child.poll() is not None:
                raise CommandError(
                    f"{ROLES[role]} stopped with exit code {child.returncode} (see its messages "
                    "above); the demo stopped too"
                )

    def _wait_for(self, url: str, timeout: float = 60) -> bool:
        """Wait until `url` answers; False if the demo was asked to stop meanwhile."""
        deadline = time.monotonic() + timeout
        while not self.signals:
            self._check_children()
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    return True
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise CommandError(f"{url} did not answer within {timeout:.0f} s")
            time.sleep(0.2)
        return False

    def _stop_children(self) -> None:
        """SIGINT (graceful for uvicorn and Huey), then SIGKILL after GRACE_S or a 2nd Ctrl-C."""
        running = [child for child in self.children.values() if child.poll() is None]
        if not running:
            return
        self.stdout.write("Stopping the demo...")
        self.stdout.flush()
        signals = self.signals  # one more (a second Ctrl-C) and they are killed at once
        for child in running:
            child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + GRACE_S
        while any(child.poll() is None for child in running):
            if time.monotonic() > deadline or self.signals > signals:
                break
            time.sleep(0.1)
        for child in running:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.stdout.write("Stopped.")

    def _demo_store(self, sandbox_url: str) -> Store:
        store = Store.objects.filter(name="Demo store").first()
        if store is None:
            from shipdesk.stores.connection import connect_store

            return connect_store(
                name="Demo store",
                region="eu",
                token=SANDBOX_TOKEN,
                base_url=sandbox_url,
                country_code="fr-fr",
                company_name="Demo Refurb SAS",
            )
        if store.base_url != sandbox_url:
            store.base_url = sandbox_url
            store.save(update_fields=["base_url"])
        return store

    def _demo_user(self) -> tuple[str, str]:
        username, password = "demo", "demo-shipdesk"
        users = get_user_model().objects
        if not users.filter(username=username).exists():
            users.create_superuser(username, "demo@example.com", password)
        return username, password


DEMO_CARRIER = "Sandbox carrier"
DEMO_CARRIER_LATENCY_MS = 150  # about a real carrier's answer time


def demo_carrier(sandbox_url: str):
    """The demo's sandbox carrier account (served by the demo's sandbox), and a ship-from
    warehouse for its labels when there is none; kept pointing at the sandbox's port."""
    from shipdesk.carriers.models import CarrierAccount
    from shipdesk.carriers.services import add_sandbox_account
    from shipdesk.stores.models import Warehouse

    if not Warehouse.objects.exists():
        Warehouse.objects.create(
            name="Demo warehouse",
            company="Demo Refurb SAS",
            street1="12 rue des Ateliers",
            city="Paris",
            postal_code="75011",
            country="FR",
            phone="+33 1 84 80 12 34",
            is_default=True,
        )
    account = CarrierAccount.objects.filter(name=DEMO_CARRIER).first()
    if account is None:
        return add_sandbox_account(
            DEMO_CARRIER, url=sandbox_url, latency_ms=DEMO_CARRIER_LATENCY_MS
        )
    profile = account.server_url.rpartition("/")[2]
    wanted = f"{sandbox_url}/carrier/ups/{profile}"
    if account.server_url != wanted:
        account.server_url = wanted
        account.save(update_fields=["server_url", "modified_at"])
    return account


def arrivals(per_minute: float, import_every: float) -> str:
    """The banner's promise about new orders, from the demo's real settings."""
    imports = f"the demo store imports every {import_every:g} s"
    if not per_minute:
        return f"No new orders arrive (--arrival-rate 0); {imports}."
    return (
        f"A new order arrives every {60 / per_minute:.3g} s ({per_minute:g} a minute) and "
        f"{imports}: a new order shows in the web UI (reload the page) within about "
        f"{import_every:g} s."
    )


def _check_free(host: str, port: int, option: str) -> None:
    """A clear error now rather than a child failing to listen later."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"{host}:{port} is not free ({exc.strerror}); is another demo still running? "
                f"Choose another port with {option}"
            ) from exc
