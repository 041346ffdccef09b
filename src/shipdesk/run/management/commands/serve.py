import os

import uvicorn
from django.core.management.base import BaseCommand, CommandError

from shipdesk.cli import add_listen_options, bounded, database_problem


class Command(BaseCommand):
    help = "Run the web application (UI and REST API) with uvicorn."

    def add_arguments(self, parser):
        add_listen_options(parser, 8000)
        parser.add_argument(
            "--workers",
            type=bounded(int, 1, 256),
            # A string default goes through `type` too: a bad variable is a usage error.
            default=os.environ.get("SHIPDESK_WEB_WORKERS", "1"),
            help="web processes (default: $SHIPDESK_WEB_WORKERS, else 1: %(default)s)",
        )

    def handle(self, *args, host, port, workers, **options):
        # Checked before listening: otherwise every page would answer 500.
        problem = database_problem()
        if problem:
            raise CommandError(problem)
        uvicorn.run(
            "shipdesk.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
        )
