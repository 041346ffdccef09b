"""Customer emails: at most once.

The message (one per shipment and kind of email) is composed when it is sent, from the
order as it is then. A transient SMTP failure (4xx, network) is retried after about 1, 5
and 25 minutes; a refusal (5xx, a refused recipient) fails at once. A worker that dies
while sending leaves its lease behind: the email is then marked failed, never resent, as
the customer may already have it.
"""

from __future__ import annotations

import smtplib

from shipdesk.notifications.emails import compose
from shipdesk.orders.history import record
from shipdesk.outbox.engine import FAIL, Backoff, Delivery, Final, Retriable, Sender, register
from shipdesk.outbox.models import Message

PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, ValueError)
INTERRUPTED = "interrupted while sending; not resent, as the customer may have it already"


def send(message: Message, delivery: Delivery) -> None:
    payload = message.payload
    with delivery.attempt({"to": payload["to"], "email": payload["email_kind"]}) as attempt:
        try:
            email = compose(message.shipment, payload["email_kind"], payload["to"])
            attempt.request |= {
                "subject": email.subject,
                "message_id": email.extra_headers["Message-ID"],
            }
            email.send()
        except Exception as exc:  # SMTP, network and template errors all end up on the row
            error = f"{type(exc).__name__}: {exc}"[:2000]
            # 5xx: the server refuses for good.
            if isinstance(exc, PERMANENT_ERRORS) or getattr(exc, "smtp_code", 0) >= 500:
                raise Final(error) from exc
            raise Retriable(error) from exc
        attempt.answer = "accepted by the mail server"


def finished(message: Message, status: str, error: str) -> None:
    sent = status == Message.Status.SENT
    record(
        message.order,
        "customer_email_sent" if sent else "customer_email_failed",
        source="system",
        email=message.pk,
        shipment=message.shipment_id,
        email_kind=message.payload["email_kind"],
        to=message.payload["to"],
        error=error,
        interrupted=error == INTERRUPTED,
    )


register(
    Sender(
        kind=Message.Kind.EMAIL,
        send=send,
        lease_s=lambda: 15 * 60,
        backoff=Backoff(first_s=60, factor=5, max_retries=3),
        when_interrupted=FAIL,
        interrupted_error=INTERRUPTED,
        finished=finished,
    )
)
