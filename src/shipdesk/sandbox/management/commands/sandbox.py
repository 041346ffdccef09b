from django.core.management.base import BaseCommand, CommandError

from shipdesk.cli import add_listen_options, bounded
from shipdesk.sandbox.server import run_sandbox
from shipdesk.sandbox.state import SandboxState

SHARE = bounded(float, 0, 1)


class Command(BaseCommand):
    help = "Run a local Back Market sandbox that follows the seller API contract."

    def add_arguments(self, parser):
        add_listen_options(parser, 8765)
        parser.add_argument(
            "--orders",
            type=bounded(int, 0, 1_000_000),
            default=200,
            help="orders generated at start, over the last 60 days (default: %(default)s)",
        )
        parser.add_argument(
            "--seed",
            type=bounded(int, 0, 2**63),
            default=1,
            help="the same seed generates the same orders (default: %(default)s)",
        )
        parser.add_argument(
            "--token", default="sandbox-token", help="the seller's API token (default: %(default)s)"
        )
        parser.add_argument(
            "--no-rate-limit",
            action="store_true",
            help="answer every request (by default, over 200 requests in 10 s are refused)",
        )
        parser.add_argument(
            "--fault-rate",
            type=SHARE,
            default=0.0,
            help="share of requests answered with a 5xx, from 0 to 1 (default: %(default)s)",
        )
        parser.add_argument(
            "--throttle-rate",
            type=SHARE,
            default=0.0,
            help="share of requests answered with the edge's HTML 429 (default: %(default)s)",
        )
        parser.add_argument(
            "--arrival-rate",
            type=bounded(float, 0, 6000),
            default=0.0,
            help="new paid orders per minute (default: %(default)s)",
        )
        parser.add_argument(
            "--latency-ms",
            type=bounded(float, 0, 60_000),
            default=0.0,
            help="delay before every /ws/ answer, in milliseconds (default: %(default)s)",
        )
        parser.add_argument(
            "--state",
            metavar="FILE",
            help="keep the orders in FILE: started again on it, the sandbox carries on where it "
            "stopped, and new orders get numbers it never gave (default: in memory only)",
        )

    def handle(self, *args, **o):
        try:
            state = self._state(o)
        except OSError as exc:
            raise CommandError(f"cannot use {o['state']}: {exc.strerror}") from exc
        resumed = f", carried on from {o['state']}" if state.resumed else ""
        self.stdout.write(
            f"Back Market sandbox on http://{o['host']}:{o['port']} "
            f"({len(state.order_ids())} orders{resumed}, token {o['token']!r})"
        )
        self.stdout.flush()  # before uvicorn's messages, in a log file too
        run_sandbox(state, o["host"], o["port"])

    def _state(self, o: dict) -> SandboxState:
        return SandboxState(
            orders=o["orders"],
            seed=o["seed"],
            token=o["token"],
            rate_limit=not o["no_rate_limit"],
            fault_rate=o["fault_rate"],
            throttle_rate=o["throttle_rate"],
            arrival_rate=o["arrival_rate"],
            latency_s=o["latency_ms"] / 1000,
            state_file=o["state"],
        )
