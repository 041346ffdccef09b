"""What the import keeps about itself: per-run statistics and the orders it set aside."""

from django.db import models

from shipdesk.stores.models import Store


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="import_runs")
    trigger = models.CharField(max_length=20, default="schedule")  # schedule, manual, api, cli
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    since = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)  # Back Market's count for the query
    pages = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # not imported by the status mapping (unpaid)
    set_aside = models.PositiveIntegerField(default=0)  # no shipping address
    quarantined = models.PositiveIntegerField(default=0)  # malformed
    accepted = models.PositiveIntegerField(default=0)  # auto-accepted on Back Market
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]

    def as_dict(self) -> dict:
        return {
            "store": self.store_id,
            "run": self.id,
            "status": self.status,
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "set_aside": self.set_aside,
            "quarantined": self.quarantined,
            "accepted": self.accepted,
            "pages": self.pages,
            "requests": self.requests,
            "seconds": round((self.finished_at - self.started_at).total_seconds(), 3)
            if self.finished_at
            else None,
            "errors": self.errors,
        }


class QuarantinedOrder(models.Model):
    """A Back Market record the import could not take, with why, and the raw payload."""

    class Reason(models.TextChoices):
        MALFORMED = "malformed", "Malformed record"
        NO_SHIPPING_ADDRESS = "no_shipping_address", "No shipping address"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="quarantined_orders")
    # Text: a malformed record may not even have a usable order id.
    channel_order_id = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=30, choices=Reason.choices)
    reason = models.TextField()
    payload = models.JSONField()
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    times_seen = models.PositiveIntegerField(default=1)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "channel_order_id", "kind"], name="unique_quarantine"
            )
        ]


class PacingBucket(models.Model):
    """Back Market request budget of one account, shared by every process (token bucket)."""

    key = models.CharField(max_length=200, unique=True)
    tokens = models.FloatField()
    updated = models.FloatField()  # Unix time of the last refill
