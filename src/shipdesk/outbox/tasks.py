"""Background jobs of the outbox: one delivery per message after commit, and the periodic
job that delivers what is due (retries, and anything whose after-commit job was lost)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shipdesk.outbox import engine


@db_task()
def deliver_message(message_id: int) -> str | None:
    return engine.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_messages() -> dict:
    return engine.deliver_due()
