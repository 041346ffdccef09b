"""Background jobs: a batch is processed by the worker, not in the web request."""

from django.db import transaction
from huey.contrib.djhuey import db_task

from shipdesk.batches.actions import process_batch
from shipdesk.batches.models import Batch


@db_task()
def process_batch_task(batch_id: int) -> None:
    process_batch(batch_id)


def start_batch(batch: Batch) -> None:
    """Have the worker process the batch once the caller's transaction is committed."""
    transaction.on_commit(lambda: process_batch_task(batch.pk))
