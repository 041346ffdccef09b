"""Secrets at rest: Fernet encryption with the key from SHIPDESK_ENCRYPTION_KEY or SHIPDESK_HOME."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet(settings.ENCRYPTION_KEY).decrypt(value.encode()).decode()
    except InvalidToken as exc:
        # Never echo the ciphertext: the usual cause is a changed encryption key.
        raise ValueError(
            "cannot decrypt a stored secret: was SHIPDESK_ENCRYPTION_KEY changed?"
        ) from exc
