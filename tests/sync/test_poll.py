"""Fresh imports: a cheap poll every 20 s between the scheduled imports.

The sandbox runs over HTTP on 127.0.0.1 and counts the requests it receives; the schedule is
checked as data (what `plan_minute` plans), never by waiting for it.
"""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from django.utils import dateformat, timezone
from huey.contrib.djhuey import HUEY

from shipdesk.backmarket.client import RetryPolicy
from shipdesk.orders.models import Order
from shipdesk.stores.connection import client_for, connect_store
from shipdesk.stores.models import Store
from shipdesk.sync.importer import import_orders, poll_orders
from shipdesk.sync.models import ImportRun
from shipdesk.sync.tasks import Check, plan_minute, poll_store, schedule_imports

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _requests(sandbox) -> Counter:
    return Counter(sandbox.state.stats()["paths"])


def _new_orders(sandbox, count: int) -> list[int]:
    response = httpx.post(f"{sandbox.url}/_sandbox/orders", json={"count": count})
    return response.json()["order_ids"]


def test_a_poll_with_nothing_new_costs_one_request(sandbox_factory, db):
    # Given 60 orders paid ten minutes ago (more than a page of 50), all imported
    offset = [-600.0]
    sandbox = sandbox_factory(orders=120, seed=7, clock=lambda: time.time() + offset[0])
    _new_orders(sandbox, 60)
    offset[0] = 0.0
    store = connect_store(name="Quiet", region="eu", token="sandbox-token", base_url=sandbox.url)
    import_orders(store)
    store.refresh_from_db()
    imported_at = store.last_import_at

    # When the store is polled and nothing changed since
    before = _requests(sandbox)
    run = poll_orders(store)
    polled = _requests(sandbox) - before

    # Then the poll asked once, found an empty page and left no run behind; the scheduled
    # import stays due at its own time
    assert polled == {"GET /ws/orders": 1}
    assert (run.status, run.trigger, run.requests, run.fetched, run.total) == (
        "ok",
        "poll",
        1,
        0,
        0,
    )
    assert not ImportRun.objects.filter(trigger="poll").exists()
    store.refresh_from_db()
    assert store.last_import_at == imported_at
    assert imported_at < store.last_checked_at <= run.started_at

    # And the scheduled import, which re-reads ten minutes before the last change, reads
    # those 60 orders again: two pages
    before = _requests(sandbox)
    import_orders(store, trigger="schedule")
    assert _requests(sandbox) - before == {"GET /ws/orders": 2}


def test_a_new_order_is_imported_by_the_next_poll(store, sandbox):
    # Given an imported store
    import_orders(store)

    # When a buyer pays a new order on Back Market, then the store is polled
    (order_id,) = _new_orders(sandbox, 1)
    before = _requests(sandbox)
    run = poll_orders(store)

    # Then the poll imported it with one request, and its run says so
    assert _requests(sandbox) - before == {"GET /ws/orders": 1}
    order = Order.objects.get(store=store, channel_order_id=order_id)
    assert (order.status, order.awaiting_acceptance) == ("awaiting_shipment", True)
    kept = ImportRun.objects.get(trigger="poll")
    assert (kept.pk, kept.status, kept.created, kept.requests) == (run.pk, "ok", 1, 1)


def test_orders_arriving_on_back_market_are_imported_by_the_next_poll(sandbox_factory, db):
    # Given a sandbox where 6 new paid orders arrive a minute, and its store imported
    offset = [0.0]
    sandbox = sandbox_factory(
        orders=120, seed=7, arrival_rate=6, clock=lambda: time.time() + offset[0]
    )
    store = connect_store(name="Busy", region="eu", token="sandbox-token", base_url=sandbox.url)
    import_orders(store)
    known = set(Order.objects.values_list("channel_order_id", flat=True))
    on_back_market = set(sandbox.state.order_ids())

    # When 20 seconds pass on Back Market (2 orders arrive) and the store is polled
    offset[0] = 20.0
    run = poll_orders(store)

    # Then the poll imported exactly the orders that arrived, with one request
    arrived = set(sandbox.state.order_ids()) - on_back_market
    new = set(Order.objects.values_list("channel_order_id", flat=True)) - known
    assert new == arrived
    assert len(new) == 2
    assert (run.created, run.requests) == (2, 1)


def test_a_store_never_imported_is_not_polled(store, sandbox):
    # Given a store whose first import has not run yet
    before = _requests(sandbox)

    # When it is polled
    run = poll_orders(store)

    # Then nothing is asked: its first import reads the history
    assert run is None
    assert _requests(sandbox) - before == Counter()
    assert not ImportRun.objects.exists()


def test_a_failing_poll_is_recorded_like_a_failing_import_and_polls_go_on(store, sandbox):
    # Given an imported store
    import_orders(store)
    store.refresh_from_db()
    imported_at = store.last_import_at

    # When Back Market answers a poll with a 503
    sandbox.state.fail_next = 1
    with client_for(store, retry=RetryPolicy(max_attempts=1)) as client:
        failed = poll_orders(store, client=client)

    # Then the run failed with the error, the store is flagged as failing ...
    failed.refresh_from_db()
    assert (failed.status, failed.trigger) == ("failed", "poll")
    assert [error["kind"] for error in failed.errors] == ["TransientError"]
    store.refresh_from_db()
    assert store.health == Store.Health.FAILING
    assert "503" in store.last_error
    assert store.last_import_at == imported_at

    # ... the next minute still polls it ...
    assert [check.kind for check in plan_minute([store], store.last_import_at)] == [
        "poll",
        "poll",
        "poll",
    ]

    # ... and the next poll that gets an answer clears the failure
    poll_orders(store)
    store.refresh_from_db()
    assert (store.health, store.last_error) == (Store.Health.OK, "")


def _store(pk: int, **fields) -> Store:
    defaults = {
        "name": f"Store {pk}",
        "import_cursor": NOW - timedelta(hours=1),
        "last_import_at": NOW - timedelta(seconds=30),
    }
    return Store(pk=pk, **{**defaults, **fields})


def test_the_scheduled_import_takes_the_first_check_when_it_is_due():
    due = _store(7, last_import_at=NOW - timedelta(minutes=2))
    not_due = _store(8)

    assert plan_minute([due, not_due], NOW) == [
        Check(7, "import", 7),
        Check(27, "poll", 7),
        Check(47, "poll", 7),
        Check(8, "poll", 8),
        Check(28, "poll", 8),
        Check(48, "poll", 8),
    ]


def test_checks_are_never_more_than_20_s_apart_minute_after_minute():
    # Given a store imported every 2 minutes (the default), planned for ten minutes
    store = _store(13, last_import_at=NOW - timedelta(minutes=2))
    checks = []
    for minute in range(10):
        now = NOW + timedelta(minutes=minute)
        for check in plan_minute([store], now):
            checks.append((minute * 60 + check.delay_s, check.kind))
            if check.kind == "import":
                store.last_import_at = now + timedelta(seconds=check.delay_s)

    # Then a check every 20 s, the longest wait for a new order, and an import every 2 min
    times = [at for at, _ in checks]
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {20}
    assert [at for at, kind in checks if kind == "import"] == [13, 133, 253, 373, 493]


def test_ten_stores_cost_three_requests_a_minute_each_when_nothing_changes():
    # Given ten stores importing automatically, and stores that must not be checked
    stores = [_store(pk) for pk in range(1, 11)] + [
        _store(11, auto_import=False),
        _store(12, health=Store.Health.TOKEN_REJECTED),
        _store(13, import_cursor=None, last_import_at=NOW),  # its first import failed
    ]

    checks = plan_minute(stores, NOW)

    # Then each of the ten is checked 3 times a minute (one request each when nothing
    # changed: 3 of Back Market's ~1,200 a minute, 0.25%), at seconds of their own
    assert Counter(check.store_id for check in checks) == dict.fromkeys(range(1, 11), 3)
    assert len({check.delay_s for check in checks}) == 30


def test_the_minute_task_queues_the_checks_it_plans(db):
    # Given a store due for its import and one that is not
    due = Store.objects.create(name="Due", token_encrypted="x", import_cursor=NOW)
    polled = Store.objects.create(
        name="Polled", token_encrypted="y", import_cursor=NOW, last_import_at=datetime.now(UTC)
    )
    HUEY.flush()

    # When the minute's task runs
    planned = schedule_imports.call_local()

    # Then every planned check is queued with its delay, and dropped if it cannot start by
    # the next one
    queued = sorted((t.name, t.args, t.expires) for t in HUEY.pending())
    HUEY.flush()
    assert planned == plan_minute([due, polled])
    assert queued == sorted(
        (
            "import_store" if check.kind == "import" else "poll_store",
            (check.store_id,),
            check.delay_s + 20,
        )
        for check in planned
    )
    assert len(queued) == 6


def test_the_store_page_says_how_often_new_orders_are_checked(client, admin_user, store):
    # Given a store polled a moment ago
    import_orders(store)
    poll_orders(store)
    store.refresh_from_db()
    client.force_login(admin_user)

    # When its page is read, in English and in French
    english = client.get(f"/stores/{store.pk}/").content.decode()
    french = client.get(f"/stores/{store.pk}/", headers={"accept-language": "fr"}).content
    french = french.decode()

    # Then it says both rhythms and when Back Market was last asked
    assert "automatic: new orders checked every 20 s, full import every 2 min" in english
    checked = dateformat.format(timezone.localtime(store.last_checked_at), "c")
    assert f'Last checked: <time datetime="{checked}">' in english
    assert (
        "automatique : nouvelles commandes vérifiées toutes les 20 s, import complet toutes "
        "les 2 min" in french
    )


def test_a_poll_right_after_a_check_asks_nothing(store, sandbox):
    # Given a store imported a moment ago (a second scheduler's plan, or the worker's start,
    # can queue a poll for the same seconds)
    import_orders(store)

    # When a poll planned for now runs
    before = _requests(sandbox)
    result = poll_store.call_local(store.pk)

    # Then it asks Back Market nothing and leaves no run
    assert result is None
    assert _requests(sandbox) - before == Counter()
    assert list(ImportRun.objects.values_list("trigger", flat=True)) == ["manual"]

    # And once the last check is 10 s old, it asks
    Store.objects.filter(pk=store.pk).update(last_checked_at=timezone.now() - timedelta(seconds=10))
    assert poll_store.call_local(store.pk)["requests"] == 1
    assert _requests(sandbox) - before == {"GET /ws/orders": 1}
