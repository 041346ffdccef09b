"""Configuration read from the environment, with keys generated once into SHIPDESK_HOME.

Kept free of Django so the CLI, settings and tests share one reading of the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def home() -> Path:
    path = Path(os.environ.get("SHIPDESK_HOME", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _key_file(name: str, make) -> str:
    """Read a key from SHIPDESK_HOME, creating it (mode 600) the first time."""
    path = home() / name
    if not path.exists():
        value = make()
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(value)
        return value
    return path.read_text().strip()


def secret_key() -> str:
    return os.environ.get("SHIPDESK_SECRET_KEY") or _key_file(
        "secret.key", lambda: secrets.token_urlsafe(50)
    )


def encryption_key() -> str:
    return os.environ.get("SHIPDESK_ENCRYPTION_KEY") or _key_file(
        "encryption.key", lambda: Fernet.generate_key().decode()
    )


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{home() / 'shipdesk.sqlite3'}"


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def email_settings() -> dict:
    """Django EMAIL_* settings from SHIPDESK_EMAIL_URL.

    `smtp://user:pass@host:587?starttls=1`, `smtps://user:pass@host:465` (implicit TLS),
    optional `from=` and `timeout=` query parameters. Empty: emails stay in a local outbox.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    url = os.environ.get("SHIPDESK_EMAIL_URL", "")
    if not url:
        return {}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SHIPDESK_EMAIL_URL must start with smtp:// or smtps://")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    truthy = ("1", "true", "yes", "on")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and query.get("starttls", "").lower() in truthy,
        "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
        "DEFAULT_FROM_EMAIL": query.get("from", "shipdesk@localhost"),
    }
