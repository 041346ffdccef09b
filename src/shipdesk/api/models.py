"""What the REST API keeps: API keys and rate-limit counters (webhook subscriptions are the
notifications app's: the API only subscribes and lists)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """One user's credentials for the ShipStation-compatible API (HTTP Basic: key, secret).

    Only a SHA-256 digest of the secret is kept: the secret is 192 random bits, so a fast
    hash is as safe as a slow one and costs nothing on every request.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key


class RateLimitWindow(models.Model):
    """Requests made with one key in one minute: the counter every process shares."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField()  # Unix time of the minute's start
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "window"], name="unique_rate_window")
        ]
