"""What the web UI keeps: each user's language and time zone, and failed sign-ins."""

from django.conf import settings
from django.db import models

from shipdesk.documents.labels import DEFAULT_LAYOUT, LAYOUTS


class UserPreference(models.Model):
    """A user's language and time zone (blank: the browser's language, the server's zone),
    and how their labels print (documents.labels' layouts)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField(max_length=64, blank=True)
    label_layout = models.CharField(
        max_length=10, choices=list(LAYOUTS.items()), default=DEFAULT_LAYOUT
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser'}, {self.time_zone or 'server'})"


class LoginAttempt(models.Model):
    """Failed sign-ins per username and address, in the database so every process sees them."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField()
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip"], name="unique_login_attempt")
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}: {self.failures}"
