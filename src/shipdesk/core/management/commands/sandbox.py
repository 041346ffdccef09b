from django.core.management.base import BaseCommand

from shipdesk.sandbox.server import run_sandbox


class Command(BaseCommand):
    help = "Run a local Back Market sandbox that follows the seller API contract."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--orders", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--token", default="sandbox-token")
        parser.add_argument("--no-rate-limit", action="store_true")
        parser.add_argument("--fault-rate", type=float, default=0.0)
        parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of HTML 429s")
        parser.add_argument("--arrival-rate", type=float, default=0.0, help="new orders per minute")
        parser.add_argument(
            "--latency-ms", type=float, default=0.0, help="delay before every /ws/ answer"
        )

    def handle(self, *args, **o):
        self.stdout.write(
            f"Back Market sandbox on http://{o['host']}:{o['port']} "
            f"({o['orders']} orders, token {o['token']!r})"
        )
        run_sandbox(
            o["host"],
            o["port"],
            orders=o["orders"],
            seed=o["seed"],
            token=o["token"],
            rate_limit=not o["no_rate_limit"],
            fault_rate=o["fault_rate"],
            throttle_rate=o["throttle_rate"],
            arrival_rate=o["arrival_rate"],
            latency_s=o["latency_ms"] / 1000,
        )
