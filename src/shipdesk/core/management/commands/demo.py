"""`shipdesk demo`: the whole system on one machine, on an embedded default."""

import os
import signal
import subprocess
import sys
import time

import httpx
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shipdesk.stores.models import Store

SANDBOX_TOKEN = "demo-sandbox-token"


class Command(BaseCommand):
    help = "Run the Back Market sandbox, a demo store, the worker and the web application."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8765)
        parser.add_argument("--orders", type=int, default=300)
        parser.add_argument("--arrival-rate", type=float, default=2.0, help="new orders per minute")

    def handle(self, *args, host, port, sandbox_port, orders, arrival_rate, **options):
        call_command("migrate", interactive=False, verbosity=0)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        procs = [
            self._spawn(
                "sandbox",
                "--port",
                str(sandbox_port),
                "--orders",
                str(orders),
                "--token",
                SANDBOX_TOKEN,
                "--arrival-rate",
                str(arrival_rate),
            )
        ]
        try:
            self._wait_for(f"{sandbox_url}/_sandbox/stats", procs[0])
            store = self._demo_store(sandbox_url)
            user = self._demo_user()
            procs.append(self._spawn("worker"))
            procs.append(self._spawn("serve", "--host", host, "--port", str(port)))
            self._wait_for(f"http://{host}:{port}/healthz", procs[-1])
            from shipdesk.sync.tasks import import_store

            import_store(store.pk, "demo")
            self.stdout.write(
                self.style.SUCCESS("\nshipdesk is running.\n")
                + f"  Web UI:            http://{host}:{port}/   (user {user[0]!r}, password {user[1]!r})\n"
                + f"  Back Market sandbox: {sandbox_url}  (store {store.name!r}; updates received: "
                + f"{sandbox_url}/_sandbox/updates)\n"
                + "  Orders arrive every few seconds; press Ctrl-C to stop.\n"
            )
            while all(p.poll() is None for p in procs):
                time.sleep(1)
            raise CommandError("a demo process stopped unexpectedly")
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

    def _spawn(self, *args) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "shipdesk.cli", *args], env=os.environ.copy()
        )

    def _wait_for(self, url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise CommandError(f"{' '.join(proc.args[3:])} exited with code {proc.returncode}")
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise CommandError(f"{url} did not answer within {timeout:.0f} s")

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
