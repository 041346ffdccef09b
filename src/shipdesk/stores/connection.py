"""Connecting a store to Back Market: clients, token checks, token replacement."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction

from shipdesk.backmarket import BackMarketClient
from shipdesk.stores.models import Store


def _pacer():
    """Every process paces each Back Market account through the database (0 turns it off)."""
    from shipdesk.backmarket import NullPacer
    from shipdesk.sync.pacing import DatabasePacer

    if settings.BACKMARKET_RATE_LIMIT <= 0:
        return NullPacer()
    return DatabasePacer(limit=settings.BACKMARKET_RATE_LIMIT)


def make_client(
    *, token: str, region: str, base_url: str = "", country_code: str = "fr-fr", **kwargs
):
    kwargs.setdefault("pacer", _pacer())
    return BackMarketClient(
        token,
        region,
        base_url=base_url or None,
        country_code=country_code,
        user_agent=settings.BACKMARKET_USER_AGENT,
        **kwargs,
    )


def client_for(store: Store, **kwargs) -> BackMarketClient:
    return make_client(
        token=store.token,
        region=store.region,
        base_url=store.base_url,
        country_code=store.country_code,
        **kwargs,
    )


def token_fingerprint(token: str) -> str:
    """A short, non-reversible name for a token, safe to log."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def connect_store(
    *, name: str, region: str, token: str, base_url: str = "", country_code: str = "fr-fr", **fields
) -> Store:
    """Check the token against Back Market with one request, then save the store.

    Raises the connector's error (TokenRejected, Forbidden, ...) and saves nothing when
    Back Market refuses the token.
    """
    token = token.strip()
    with make_client(
        token=token, region=region, base_url=base_url, country_code=country_code
    ) as client:
        client.check_token()
    store = Store(name=name, region=region, base_url=base_url, country_code=country_code, **fields)
    store.token = token
    store.full_clean(exclude=["token_encrypted"])
    store.save()
    return store


def replace_token(store: Store, token: str) -> Store:
    """Replace an expired or revoked token in place: orders, settings and the import cursor stay."""
    token = token.strip()
    with make_client(
        token=token, region=store.region, base_url=store.base_url, country_code=store.country_code
    ) as client:
        client.check_token()
    with transaction.atomic():
        store.token = token
        store.health = Store.Health.OK
        store.last_error = ""
        store.save(update_fields=["token_encrypted", "health", "last_error", "modified_at"])
    return store
