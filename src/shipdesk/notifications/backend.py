"""An email backend that keeps messages in the database (the outbox page) instead of sending.

Used when SHIPDESK_EMAIL_URL is not set, so `make demo` shows what customers would receive.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


def _html_part(message: EmailMessage) -> str:
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype == "text/html":
            return content.decode() if isinstance(content, bytes) else content
    if getattr(message, "content_subtype", "plain") == "html":
        return message.body
    return ""


class LocalOutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        from shipdesk.notifications.models import OutboxEmail

        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            html = _html_part(message)
            OutboxEmail.objects.create(
                to=", ".join(recipients),
                from_email=message.from_email or "",
                subject=message.subject,
                text="" if message.content_subtype == "html" else message.body,
                html=html,
                message_id=message.extra_headers.get("Message-ID", ""),
            )
            sent += 1
        return sent
