"""Background jobs of the REST API: webhook deliveries (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def deliver_webhook(delivery_id: int) -> str | None:
    from shipdesk.api.webhooks import deliver

    return deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> dict:
    """Retries, and anything whose after-commit job was lost (e.g. a queue restart)."""
    from shipdesk.api.webhooks import deliver_due

    return deliver_due()
