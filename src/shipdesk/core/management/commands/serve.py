import os

import uvicorn
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web application (UI and REST API) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("SHIPDESK_WEB_WORKERS", "1"))
        )

    def handle(self, *args, host, port, workers, **options):
        uvicorn.run(
            "shipdesk.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
        )
