"""Background jobs of the import: scheduled imports per store (the outbox has its own)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shipdesk.stores.models import Store
from shipdesk.sync.importer import ImportAlreadyRunning, import_orders

log = logging.getLogger(__name__)


@db_task()
def import_store(store_id: int, trigger: str = "schedule") -> dict | None:
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return None
    try:
        return import_orders(store, trigger=trigger).as_dict()
    except ImportAlreadyRunning:
        return None  # the running import covers this request


@db_periodic_task(crontab(minute="*"))
def schedule_imports() -> list[int]:
    """Queue an import for every store that is due; failing stores are retried, never dropped."""
    due = [s.pk for s in Store.objects.filter(auto_import=True) if s.is_import_due()]
    for store_id in due:
        import_store(store_id)
    return due
