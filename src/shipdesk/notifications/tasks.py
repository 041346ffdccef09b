"""Background jobs for customer emails."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def send_customer_email(email_id: int) -> str | None:
    from shipdesk.notifications.emails import send

    return send(email_id)


@db_periodic_task(crontab(minute="*"))
def send_due_customer_emails() -> dict:
    """Retries, and any email whose after-commit job was lost (e.g. a queue restart)."""
    from shipdesk.notifications.emails import send_due

    return send_due()
