"""Background jobs of the import: scheduled imports and polls per store (the outbox has its own).

Huey's periodic tasks run once a minute: `schedule_imports` plans the minute ahead, an
import when the store's interval says so and a poll every POLL_EVERY_S seconds otherwise,
each queued with its delay. A new order is seen within POLL_EVERY_S seconds, for one
request per check when nothing changed (3 a minute: 0.25% of Back Market's ~1,200).
"""

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shipdesk.stores.editing import StoreInactive
from shipdesk.stores.models import Store
from shipdesk.sync.importer import ImportAlreadyRunning, import_orders, poll_orders

log = logging.getLogger(__name__)

POLL_EVERY_S = 20
MINUTE_S = 60
RECENTLY = timedelta(seconds=POLL_EVERY_S / 2)


class Check(NamedTuple):
    """One check of a store planned for the coming minute."""

    delay_s: int  # after the minute's periodic task
    kind: str  # "import" or "poll"
    store_id: int


@db_task()
def import_store(store_id: int, trigger: str = "schedule") -> dict | None:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return None
    try:
        return import_orders(store, trigger=trigger).as_dict()
    except ImportAlreadyRunning:
        return None  # the running import covers this request
    except StoreInactive:
        return None  # deactivated since the import was asked for


@db_task()
def poll_store(store_id: int) -> dict | None:
    store = Store.objects.filter(pk=store_id).first()
    if (
        store is None
        or not store.active
        or not store.auto_import
        or store.health == Store.Health.TOKEN_REJECTED
    ):
        return None  # changed since the poll was planned
    if store.last_checked_at and timezone.now() - store.last_checked_at < RECENTLY:
        return None  # checked moments ago (by an import, or a second plan): nothing to add
    run = poll_orders(store)
    return run.as_dict() if run is not None else None


def plan_minute(stores: list[Store], now: datetime | None = None) -> list[Check]:
    """The checks of the coming minute: per store, one every POLL_EVERY_S seconds.

    The first check at which the scheduled import is due is that import (it reads what a poll
    would); the others are polls. A store without a cursor waits for its first import. Stores start at different
    seconds (their id), so many stores do not all ask at once.
    """
    now = now or timezone.now()
    checks = []
    for store in stores:
        if not store.auto_import or store.health == Store.Health.TOKEN_REJECTED:
            continue
        import_planned = False
        for delay in range(store.pk % POLL_EVERY_S, MINUTE_S, POLL_EVERY_S):
            if not import_planned and store.is_import_due(now + timedelta(seconds=delay)):
                checks.append(Check(delay, "import", store.pk))
                import_planned = True
            elif store.import_cursor is not None:
                checks.append(Check(delay, "poll", store.pk))
    return checks


@db_periodic_task(crontab(minute="*"))
def schedule_imports() -> list[Check]:
    """Queue the minute's imports and polls; failing stores are retried, never dropped."""
    checks = plan_minute(list(Store.objects.filter(auto_import=True, active=True)))
    for check in checks:
        task = import_store if check.kind == "import" else poll_store
        # A check a busy or stopped worker could not start by the next one is dropped, not
        # piled up: the next check reads what it would have (an import due stays due).
        task.schedule((check.store_id,), delay=check.delay_s, expires=check.delay_s + POLL_EVERY_S)
    return checks
