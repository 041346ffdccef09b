"""Background jobs: tracking shipped orders until delivery."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("carriers-track-shipments")
def track_shipments() -> dict:
    """Ask the carriers about shipments not yet delivered (each at most every 3 hours)."""
    from shipdesk.carriers.services import track_due

    counts = track_due()
    if counts["tracked"]:
        log.info("tracking: %s", counts)
    return counts
