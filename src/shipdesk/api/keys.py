"""API keys: creation (the secret is shown once), revocation and checking a key and secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from shipdesk.api.models import ApiKey

# Writing last_used_at on every request would double the writes; once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(user, *, name: str = "") -> tuple[ApiKey, str]:
    """A new key for the user; returns (key, secret). The secret is not stored, only its hash."""
    secret = secrets.token_hex(24)
    api_key = ApiKey.objects.create(
        user=user, key=secrets.token_hex(16), secret_hash=hash_secret(secret), name=name
    )
    return api_key, secret


def revoke_key(api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def check_key(key: str, secret: str) -> ApiKey | None:
    """The live key with this secret whose user is active, else None."""
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(key=key, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, hash_secret(secret)):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
