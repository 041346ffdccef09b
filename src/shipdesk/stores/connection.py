"""Connecting a store to Back Market: clients, token checks, token replacement, removal."""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shipdesk.backmarket import BackMarketClient, BackMarketError, RetryPolicy
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD
from shipdesk.outbox.models import Message
from shipdesk.stores.models import Store, account_fingerprint

# A person waits for the token check: one retry, not the background jobs' minute of them.
CHECK_RETRY = RetryPolicy(max_attempts=2, budget_s=5.0)

# Each platform's marketplaces, by the language code Back Market answers in (its
# Accept-Language); the first is a new store's unless it names another.
MARKETPLACES = {
    "eu": [
        "fr-fr",
        "fr-be",
        "es-es",
        "de-de",
        "de-at",
        "it-it",
        "en-gb",
        "nl-nl",
        "pt-pt",
        "en-ie",
        "el-gr",
        "sk-sk",
        "sv-se",
    ],
    "us": ["en-us"],
    "ap": ["ja-jp", "en-au"],
}


class StoreRefused(Exception):
    """The store cannot be connected, changed or removed; the message says why.

    `field` names the form field at fault (name, token, base_url), when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


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


def check_base_url(base_url: str) -> str:
    """The base URL as given (stripped), or StoreRefused: an http(s) URL with a host."""
    base_url = (base_url or "").strip()
    if not base_url:
        return ""
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreRefused(
            _(
                "the server address %(url)r is not an http:// or https:// address with a host "
                "name (e.g. http://127.0.0.1:8765)"
            )
            % {"url": base_url},
            field="base_url",
        )
    return base_url


# What Back Market asks of a User-Agent: `BM-<Company>-<Integration>;<contact email>`.
_USER_AGENT_FORM = re.compile(r"BM-[^;\s]+;[^@;\s]+@[^@;\s]+\.[^@;\s]+")


def is_backmarket_server(server: str) -> bool:
    """Is this server Back Market itself (a region's host, pre-production, backmarket.co.uk),
    not a sandbox? Every Back Market host is named backmarket.<its domain>."""
    host = urlsplit((server or "").strip()).hostname or ""
    return "backmarket" in host.split(".")[:-1]


def user_agent_problem(user_agent: str) -> str | None:
    """What is wrong with the User-Agent shipdesk sends Back Market, and how to set it;
    None when it is the seller's own."""
    if user_agent == settings.BACKMARKET_PLACEHOLDER_USER_AGENT:
        problem = _(
            "shipdesk sends Back Market its placeholder User-Agent %(agent)r, which names "
            "nobody: Back Market asks every integration to identify itself and may refuse "
            "its requests (403)."
        )
    elif not _USER_AGENT_FORM.fullmatch(user_agent or ""):
        problem = _(
            "shipdesk sends Back Market the User-Agent %(agent)r, not in the form Back Market "
            "asks for: it may refuse its requests (403)."
        )
    else:
        return None
    return (
        problem % {"agent": user_agent}
        + " "
        + _(
            "Set SHIPDESK_BM_USER_AGENT to BM-<your company>-shipdesk;<your contact email> "
            "(e.g. BM-Acme-shipdesk;ops@acme.fr) and restart shipdesk (web server and worker)."
        )
    )


def user_agent_warning(server: str) -> str | None:
    """user_agent_problem for a store on Back Market itself; None for a sandbox."""
    if not is_backmarket_server(server):
        return None
    return user_agent_problem(settings.BACKMARKET_USER_AGENT)


def marketplace_language(region: str, country_code: str = "") -> str:
    """The store's marketplace language: the one given, else its platform's first; refused
    (StoreRefused) when it is not a marketplace of that platform."""
    codes = MARKETPLACES.get(region, [])
    country_code = (country_code or "").strip().lower() or (codes[0] if codes else "")
    if country_code not in codes:
        raise StoreRefused(
            _("%(code)r is not a marketplace of the %(region)s platform (one of: %(codes)s)")
            % {"code": country_code, "region": region, "codes": ", ".join(codes)},
            field="country_code",
        )
    return country_code


def _refuse_connected_twice(fingerprint: str, *, other_than: Store | None = None) -> None:
    same = Store.objects.filter(account_fingerprint=fingerprint)
    if other_than is not None:
        same = same.exclude(pk=other_than.pk)
    existing = same.first()
    if existing is not None:
        raise StoreRefused(
            _(
                "this token is already connected as store %(id)s (%(name)s): one Back Market "
                "account is one store, or every order would be imported twice"
            )
            % {"id": existing.pk, "name": existing.name},
            field="token",
        )


def _name_in_use(name: str) -> StoreRefused:
    return StoreRefused(_("a store named %(name)r already exists") % {"name": name}, field="name")


def _checked_token(token: str) -> str:
    token = (token or "").strip()
    if not token:
        raise StoreRefused(_("the token is empty"), field="token")
    return token


def unreachable_reason(exc: BackMarketError) -> str | None:
    """Why the server could not be reached at all, or None when it answered something."""
    if exc.status is not None:
        return None
    cause = exc.__cause__
    if not isinstance(cause, httpx.TransportError):
        return None
    seen = cause
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return _("the name does not resolve")
        if isinstance(seen, ConnectionRefusedError):
            return _("the connection was refused (is the address and port right?)")
        if isinstance(seen, ssl.SSLCertVerificationError):
            return _("its TLS certificate is not valid (%(reason)s)") % {
                "reason": seen.verify_message or seen
            }
        if isinstance(seen, ssl.SSLError):
            return _("the TLS handshake failed")
        seen = seen.__cause__ or seen.__context__
    if isinstance(cause, httpx.TimeoutException):
        return _("no answer in time")
    return str(cause) or type(cause).__name__


def unreachable_message(exc: BackMarketError, server: str) -> str | None:
    """ "could not reach 'host': why" for a network failure; None when the server answered."""
    reason = unreachable_reason(exc)
    if reason is None:
        return None
    host = urlsplit(exc.url or server).hostname or server
    return _("could not reach %(host)r: %(reason)s") % {"host": host, "reason": reason}


def connect_store(
    *, name: str, region: str, token: str, base_url: str = "", country_code: str = "", **fields
) -> Store:
    """Check the token against Back Market with one request, then save the store.

    `country_code` is the store's marketplace language (see marketplace_language): Back
    Market answers in it; it filters no order. Refused (StoreRefused) for a bad server
    address, a marketplace not on the region's platform, a name in use, or a token already
    connected as another store. Raises the connector's error (TokenRejected, Forbidden, a
    TransientError when the server cannot be reached...) and saves nothing when Back
    Market refuses the token.
    """
    name = (name or "").strip()
    base_url = check_base_url(base_url)
    country_code = marketplace_language(region, country_code)
    token = _checked_token(token)
    if not name:
        raise StoreRefused(_("the store needs a name"), field="name")
    if Store.objects.filter(name=name).exists():
        raise _name_in_use(name)
    store = Store(name=name, region=region, base_url=base_url, country_code=country_code, **fields)
    store.token = token
    _refuse_connected_twice(store.account_fingerprint)
    with make_client(
        token=token,
        region=region,
        base_url=base_url,
        country_code=country_code,
        retry=CHECK_RETRY,
    ) as client:
        client.check_token()
    store.full_clean(exclude=["token_encrypted"], validate_constraints=False)
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError:
        # Someone connected the same account, or a store of that name, in the meantime.
        _refuse_connected_twice(store.account_fingerprint)
        raise _name_in_use(name) from None
    return store


def replace_token(store: Store, token: str) -> Store:
    """Replace an expired or revoked token in place: orders, settings and the import cursor stay.

    Refused (StoreRefused) when the new token is another store's.
    """
    token = _checked_token(token)
    check_base_url(store.base_url)
    _refuse_connected_twice(account_fingerprint(store.server, token), other_than=store)
    with make_client(
        token=token,
        region=store.region,
        base_url=store.base_url,
        country_code=store.country_code,
        retry=CHECK_RETRY,
    ) as client:
        client.check_token()
    with transaction.atomic():
        store.token = token
        store.health = Store.Health.OK
        store.last_error = ""
        store.save(
            update_fields=[
                "token_encrypted",
                "account_fingerprint",
                "health",
                "last_error",
                "modified_at",
            ]
        )
    return store


def removal_blocker(store: Store) -> str | None:
    """Why removing the store would lose work (orders to ship, shipments not reported to
    Back Market), or None."""
    open_orders = store.orders.filter(status__in=(AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD))
    unsent = Message.objects.filter(
        order__store=store, kind=Message.Kind.BACKMARKET, shipment__isnull=False
    ).exclude(status=Message.Status.SENT)
    open_count, unsent_count = open_orders.count(), unsent.count()
    if not (open_count or unsent_count):
        return None
    return _(
        "store %(name)s has %(open)s order(s) still to ship and %(unsent)s shipment(s) not "
        "reported to Back Market; removing it loses them"
    ) % {"name": store.name, "open": open_count, "unsent": unsent_count}


def remove_store(store: Store, *, force: bool = False) -> dict:
    """Delete a store with its orders, shipments, history and import records.

    Refused (see removal_blocker) unless `force`. Back Market is not told: the token stays
    valid there. Returns how many orders and shipments went.
    """
    from shipdesk.orders.models import Address
    from shipdesk.shipping.models import Shipment

    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        blocker = None if force else removal_blocker(store)
        if blocker:
            raise StoreRefused(blocker)
        orders = store.orders.all()
        shipments = Shipment.objects.filter(order__store=store)
        counts = {"orders": orders.count(), "shipments": shipments.count()}
        addresses = sorted(
            {pk for pair in orders.values_list("ship_to_id", "bill_to_id") for pk in pair}
        )
        shipments.delete()  # they protect their orders
        orders.delete()
        for start in range(0, len(addresses), 500):  # within SQLite's limit on parameters
            Address.objects.filter(pk__in=addresses[start : start + 500]).delete()
        store.delete()
    return counts
