"""Webhooks: one signed POST per subscriber and batch, at least once.

The POST carries `{"resource_url", "resource_type"}`; the subscriber then GETs the resource
URL with its API key. It is signed: `X-Shipdesk-Signature: t=<unix time>,v1=<hex
HMAC-SHA256 of "<t>.<body>">` keyed with the subscription's secret, so a receiver can tell
shipdesk's POSTs from forged ones and refuse replayed old ones. Targets must be public
addresses (`core.netguard`: checked after resolving once, the POST pinned to the checked
address). Any failure, and any answer but a 2xx, is retried with backoff for 24 hours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings

from shipdesk.core import netguard
from shipdesk.notifications.models import WebhookSubscription
from shipdesk.outbox.engine import Delivery, Final, Retriable, Sender, register
from shipdesk.outbox.models import Message

log = logging.getLogger(__name__)

USER_AGENT = "shipdesk-webhooks"
SIGNATURE_HEADER = "X-Shipdesk-Signature"
# How much of a target's answer is read; an excerpt of it is kept with the attempt.
MAX_ANSWER_BYTES = 64 * 1024
EXCERPT_CHARS = 2000


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for one POST body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body(message: Message, subscription: WebhookSubscription) -> dict:
    return {"resource_url": message.payload["resource_url"], "resource_type": subscription.event}


def shown_url(url: str) -> str:
    """The target as the attempt log shows it: no user, password or query (they may hold
    the subscriber's own credentials)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def send(message: Message, delivery: Delivery) -> None:
    subscription = WebhookSubscription.objects.filter(pk=message.payload["subscription"]).first()
    if subscription is None or not subscription.active:
        raise Final("the subscription was switched off")
    content = body(message, subscription)
    raw = json.dumps(content, separators=(",", ":")).encode()
    summary = {"method": "POST", "url": shown_url(subscription.target_url), "body": content}
    with delivery.attempt(summary) as attempt:
        try:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                SIGNATURE_HEADER: sign(subscription.secret, raw, int(time.time())),
            }
            answer = netguard.post(
                subscription.target_url,
                raw,
                headers,
                deadline_s=settings.SHIPDESK_WEBHOOKS_DEADLINE_S,
                max_bytes=MAX_ANSWER_BYTES,
                allow_private=settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE,
            )
        # Failed says what went wrong without the system's words (addresses, "connection
        # refused"), which would make the webhook list a port scanner; ValueError: the
        # secret cannot be decrypted.
        except (netguard.Failed, ValueError) as exc:
            if exc.__cause__ is not None:
                log.info("webhook message %s: %r", message.pk, exc.__cause__)
            raise Retriable(str(exc)) from exc
        attempt.status_code = answer.status_code
        attempt.answer = answer.text[:EXCERPT_CHARS]
        if not 200 <= answer.status_code < 300:
            raise Retriable(f"the target answered HTTP {answer.status_code}")


register(
    Sender(kind=Message.Kind.WEBHOOK, send=send, lease_s=lambda: 120),
)
