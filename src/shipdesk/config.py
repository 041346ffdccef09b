"""Configuration read from the environment, with keys generated once into SHIPDESK_HOME.

Kept free of Django so the CLI, settings and tests share one reading of the environment.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet


def default_home() -> Path:
    """One data folder per user, wherever the command is run from (XDG's data folder)."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "shipdesk"


def home() -> Path:
    """The data folder: $SHIPDESK_HOME, else the user's default one; made private (0700) if new.

    Under pytest (which sets PYTEST_VERSION) without SHIPDESK_HOME, a temporary folder for the
    session instead, so tests never write into the checkout or the user's data. It is put in
    the environment so that processes the tests start share it.
    """
    chosen = os.environ.get("SHIPDESK_HOME")
    if not chosen and os.environ.get("PYTEST_VERSION"):
        chosen = os.environ["SHIPDESK_HOME"] = tempfile.mkdtemp(prefix="shipdesk-test-")
        atexit.register(shutil.rmtree, chosen, ignore_errors=True)
    path = Path(chosen or default_home()).expanduser().resolve()
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        if not os.environ.get("PYTEST_VERSION"):
            print(f"shipdesk: new data folder {path}", file=sys.stderr)
    return path


def private_file(path: Path) -> Path:
    """Make `path` readable by its owner only (0600), creating it empty if it is missing.

    For the SQLite files: sessions and password hashes are in them, and SQLite gives its
    -wal and -shm files the database file's mode.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
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
