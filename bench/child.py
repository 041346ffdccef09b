"""Benchmark steps that need a process of their own (fresh memory, or several at once).

    python bench/child.py import --url URL --token TOKEN --name STORE
    python bench/child.py pace --store STORE_ID --seconds 20
    python bench/child.py lists --user USER --key KEY --secret SECRET --repeat 20

Run by bench/run.py with SHIPDESK_HOME and DATABASE_URL set; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta

from harness import peak_rss_kb, percentile, rss_kb, setup_django


def order_pages(store, client):
    """The pages an import of `store` reads (its first import: no cursor yet)."""
    from django.utils import timezone

    since = timezone.now() - timedelta(days=store.first_import_days)
    return client.iter_order_pages(date_modification=since, page_size=50)


def fetch_only(store) -> tuple[float, int]:
    """Read the pages an import of `store` reads, with the same client, and do nothing else."""
    from shipdesk.stores.connection import client_for

    started, requests = time.perf_counter(), 0
    with client_for(store) as client:
        for _page in order_pages(store, client):
            requests += 1
    return time.perf_counter() - started, requests


def parse_only(store) -> float:
    """Seconds the import's work before the database takes on the same pages: validating,
    mapping and serialising each order. Pages are read again but their reading is not timed.
    """
    from shipdesk.backmarket import parse_order
    from shipdesk.backmarket.mapping import map_order
    from shipdesk.stores.connection import client_for
    from shipdesk.sync.importer import payload_hash, payload_json

    spent = 0.0
    with client_for(store) as client:
        for page in order_pages(store, client):
            started = time.perf_counter()
            for raw in page.results:
                try:
                    map_order(parse_order(raw))
                except ValueError:
                    continue  # a malformed record: quarantined by the import
                payload_hash(payload_json(raw))
            spent += time.perf_counter() - started
    return spent


def import_step(url: str, token: str, name: str) -> dict:
    setup_django()
    from shipdesk.stores.connection import connect_store, remove_store
    from shipdesk.stores.models import Store
    from shipdesk.sync.importer import import_orders
    from shipdesk.sync.models import PacingBucket

    # One Back Market account is one store: an earlier step's store of this sandbox goes first,
    # so that this import is a first import too.
    for earlier in Store.objects.filter(base_url=url):
        remove_store(earlier, force=True)
    baseline = rss_kb()  # Django and shipdesk loaded, nothing imported yet

    store = connect_store(name=name, region="eu", token=token, base_url=url, first_import_days=90)
    # The limit is the fastest read: the first may pay for the sandbox's warm-up.
    (fetch_s, pages), again = fetch_only(store), fetch_only(store)
    fetch_s = min(fetch_s, again[0])
    PacingBucket.objects.all().delete()  # the import starts with the budget the fetch had
    started = time.perf_counter()
    run = import_orders(store, trigger="bench")
    import_s = time.perf_counter() - started
    peak = peak_rss_kb()
    return {
        "status": run.status,
        "fetch_s": fetch_s,
        "fetch_pages": pages,
        "import_s": import_s,
        "fetched": run.fetched,
        "created": run.created,
        "requests": run.requests,
        "parse_s": parse_only(store),
        "baseline_rss_kb": baseline,
        "peak_rss_kb": peak,
    }


def pace_step(store_id: int, seconds: float) -> dict:
    """Read the store's orders over and over, as fast as the pacer lets this process."""
    setup_django()

    from shipdesk.backmarket import BackMarketError
    from shipdesk.stores.connection import client_for
    from shipdesk.stores.models import Store

    store = Store.objects.get(pk=store_id)
    deadline = time.monotonic() + seconds
    requests, errors = 0, {}
    with client_for(store) as client:
        while time.monotonic() < deadline:
            try:
                for _page in order_pages(store, client):
                    requests += 1
                    if time.monotonic() >= deadline:
                        break
            except BackMarketError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
    return {"requests": requests, "errors": errors}


def time_requests(client, path: str, repeat: int, **headers) -> dict:
    """p50 / p95 in ms of GET `path` after three warm-up requests; p95 None unless all 200."""
    statuses, times = set(), []
    for i in range(repeat + 3):
        started = time.perf_counter()
        response = client.get(path, **headers)
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status_code)
        if i >= 3:
            times.append(elapsed)
    return {
        "statuses": sorted(statuses),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95) if statuses == {200} else None,
    }


def lists_step(username: str, key: str, secret: str, repeat: int) -> dict:
    """The orders page signed in, and the API's order list with a key, through Django."""
    import base64

    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    # As a browser on this machine asks: Django's default "testserver" is not an allowed host.
    web = Client(raise_request_exception=False, HTTP_HOST="localhost")
    web.force_login(get_user_model().objects.get(username=username))
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {
        "orders_page": time_requests(web, "/orders/", repeat),
        "ssapi_orders": time_requests(
            Client(raise_request_exception=False, HTTP_HOST="localhost"),
            "/ssapi/orders",
            repeat,
            HTTP_AUTHORIZATION=f"Basic {basic}",
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("import")
    step.add_argument("--url", required=True)
    step.add_argument("--token", required=True)
    step.add_argument("--name", required=True)
    step = steps.add_parser("pace")
    step.add_argument("--store", type=int, required=True)
    step.add_argument("--seconds", type=float, required=True)
    step = steps.add_parser("lists")
    step.add_argument("--user", required=True)
    step.add_argument("--key", required=True)
    step.add_argument("--secret", required=True)
    step.add_argument("--repeat", type=int, required=True)
    args = parser.parse_args()
    if args.step == "import":
        result = import_step(args.url, args.token, args.name)
    elif args.step == "pace":
        result = pace_step(args.store, args.seconds)
    else:
        result = lists_step(args.user, args.key, args.secret, args.repeat)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
