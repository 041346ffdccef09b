"""The worker keeps the customers up to date, so that reading them finds little to do."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shipdesk.customers.refresh import refresh_customers


@db_periodic_task(crontab(minute="*"))
def refresh_customers_every_minute() -> int:
    return refresh_customers()
