"""Customer emails: the shipment confirmation and the delivery notification.

Off by default, per store (as in ShipStation). Each email is a CustomerEmail row, unique per
(shipment, kind), created in the caller's transaction and sent after commit by a Huey job:
never twice for the same event. Sending claims the row first (pending -> sending in one
UPDATE), so the after-commit job and the periodic safety net cannot both send it; a worker
that dies mid-send leaves the row "sending", which is then marked failed rather than resent.

Templates are the store's subject and body (plain text with {placeholders}); empty ones use
the built-in English or French defaults, chosen from the order's country.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from email.mime.image import MIMEImage
from email.utils import formataddr, make_msgid, parseaddr
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from shipdesk.notifications.models import CustomerEmail
from shipdesk.orders.history import record
from shipdesk.orders.models import Order
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store

log = logging.getLogger(__name__)

Kind = CustomerEmail.Kind
Status = CustomerEmail.Status

PLACEHOLDERS = (
    "order_number",
    "items",
    "carrier",
    "tracking_number",
    "tracking_link",
    "notes_to_buyer",
    "customer_name",
    "company_name",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (Kind.SHIPMENT_CONFIRMATION, "en"): (
        "Your order {order_number} has shipped",
        "Hello {customer_name},\n\n"
        "Good news: your order {order_number} from {company_name} is on its way.\n\n"
        "{items}\n\n"
        "Carrier: {carrier}\n"
        "Tracking number: {tracking_number}\n"
        "Track your parcel: {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Thank you for your order,\n{company_name}",
    ),
    (Kind.SHIPMENT_CONFIRMATION, "fr"): (
        "Votre commande {order_number} a été expédiée",
        "Bonjour {customer_name},\n\n"
        "Bonne nouvelle : votre commande {order_number} chez {company_name} est en route.\n\n"
        "{items}\n\n"
        "Transporteur : {carrier}\n"
        "Numéro de suivi : {tracking_number}\n"
        "Suivre votre colis : {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Merci pour votre commande,\n{company_name}",
    ),
    (Kind.DELIVERY_NOTIFICATION, "en"): (
        "Your order {order_number} has been delivered",
        "Hello {customer_name},\n\n"
        "Your order {order_number} from {company_name} has been delivered.\n\n"
        "{items}\n\n"
        "Carrier: {carrier}\n"
        "Tracking number: {tracking_number}\n"
        "Delivery details: {tracking_link}\n\n"
        "We hope you enjoy it. If anything is wrong, reply to this email.\n\n"
        "{company_name}",
    ),
    (Kind.DELIVERY_NOTIFICATION, "fr"): (
        "Votre commande {order_number} a été livrée",
        "Bonjour {customer_name},\n\n"
        "Votre commande {order_number} chez {company_name} a été livrée.\n\n"
        "{items}\n\n"
        "Transporteur : {carrier}\n"
        "Numéro de suivi : {tracking_number}\n"
        "Détails de la livraison : {tracking_link}\n\n"
        "Nous espérons qu'elle vous plaira. Un souci ? Répondez simplement à cet email.\n\n"
        "{company_name}",
    ),
}

# Retries for transient SMTP failures: after 1, 5 and 30 minutes, then failed.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
# A row still "sending" after this was interrupted (worker killed); it is not resent.
SENDING_TIMEOUT = timedelta(minutes=15)
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, ValueError)


# --- queueing ---------------------------------------------------------------------------


def queue_shipment_confirmation(shipment: Shipment) -> CustomerEmail | None:
    """Queue the shipment confirmation if the store sends them or the shipment asks for it.

    Returns the email's row (an existing one when this shipment already has it: nothing is
    sent twice), or None when nothing is to be sent: setting off, no customer email address.
    The send job is enqueued when the caller's transaction commits.
    """
    store = shipment.order.store
    if not (store.email_shipment_confirmation or shipment.notify_customer):
        return None
    return _queue(shipment, Kind.SHIPMENT_CONFIRMATION)


def queue_delivery_notification(shipment: Shipment) -> CustomerEmail | None:
    """Queue the delivery notification if the store sends them (see queue_shipment_confirmation)."""
    if not shipment.order.store.email_delivery_notification:
        return None
    return _queue(shipment, Kind.DELIVERY_NOTIFICATION)


def _queue(shipment: Shipment, kind: str) -> CustomerEmail | None:
    order = shipment.order
    to = (order.customer_email or "").strip()
    if shipment.voided or "@" not in to:
        return None
    email, created = CustomerEmail.objects.get_or_create(
        shipment=shipment, kind=kind, defaults={"order": order, "to": to}
    )
    if created:
        transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    from shipdesk.notifications.tasks import send_customer_email

    send_customer_email(email_id)


# --- content ----------------------------------------------------------------------------


def language(order: Order) -> str:
    """'fr' for French-speaking marketplaces / destinations, else 'en'."""
    prefix = (order.country_code or "").lower().split("-")[0]
    if prefix:
        return "fr" if prefix == "fr" else "en"
    return "fr" if (order.ship_to.country or "").upper() in ("FR", "MC") else "en"


def company_name(store: Store) -> str:
    return store.company_name or store.name


def item_lines(order: Order) -> list[str]:
    lines = []
    for item in order.items.all():
        if item.adjustment:
            continue
        options = ", ".join(
            f"{o.get('name')}: {o.get('value')}" for o in item.options or [] if isinstance(o, dict)
        )
        lines.append(f"{item.quantity} × {item.name}" + (f" ({options})" if options else ""))
    return lines


def placeholder_values(shipment: Shipment) -> dict[str, str]:
    order = shipment.order
    carrier = CARRIERS.get(shipment.carrier_code)
    tracking_link = shipment.tracking_url or (
        carrier.tracking_url_for(shipment.tracking_number) if carrier else ""
    )
    return {
        "order_number": order.order_number,
        "items": "\n".join(f"- {line}" for line in item_lines(order)),
        "carrier": carrier.name if carrier else shipment.carrier_code,
        "tracking_number": shipment.tracking_number,
        "tracking_link": tracking_link,
        "notes_to_buyer": shipment.notes_to_buyer or order.notes_to_buyer,
        "customer_name": order.ship_to.name or order.bill_to.name,
        "company_name": company_name(order.store),
    }


def templates(store: Store, kind: str, lang: str) -> tuple[str, str]:
    """(subject, body) templates: the store's own, else the built-in default."""
    default_subject, default_body = DEFAULT_TEMPLATES[(kind, lang)]
    if kind == Kind.SHIPMENT_CONFIRMATION:
        subject, body = store.shipment_email_subject, store.shipment_email_body
    else:
        subject, body = store.delivery_email_subject, store.delivery_email_body
    return (subject.strip() or default_subject, body.strip() or default_body)


def render_text(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; unknown braces stay as typed. Blank runs collapse to one line."""
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_html_body(template: str, values: dict[str, str]) -> str:
    """The same text as HTML: escaped, paragraphs, the tracking link clickable."""
    pieces = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append(escape(template[position : match.start()]))
        name, value = match.group(1), values[match.group(1)]
        if name == "tracking_link" and value.startswith(("https://", "http://")):
            pieces.append(f'<a href="{escape(value)}">{escape(value)}</a>')
        else:
            pieces.append(escape(value))
        position = match.end()
    pieces.append(escape(template[position:]))
    text = re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip()
    return "\n".join(
        f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in text.split("\n\n")
    )


def _text_colour_on(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000000" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.6 else "#ffffff"


def _hex(value: str, default: str) -> str:
    return value if re.fullmatch(r"#[0-9a-fA-F]{6}", value or "") else default


def _logo(store: Store) -> MIMEImage | None:
    if not store.logo:
        return None
    try:
        with store.logo.open("rb") as f:
            image = MIMEImage(f.read())
    except (OSError, TypeError):  # missing file, or not an image type email knows
        return None
    image.add_header("Content-ID", "<logo>")
    image.add_header("Content-Disposition", "inline", filename="logo")
    return image


def compose(email: CustomerEmail) -> EmailMultiAlternatives:
    """The message for this row: plain text plus HTML (and the logo inline)."""
    shipment, order = email.shipment, email.order
    store = order.store
    lang = language(order)
    subject_template, body_template = templates(store, email.kind, lang)
    values = placeholder_values(shipment)
    subject = " ".join(render_text(subject_template, values).split())
    text = render_text(body_template, values)
    brand = _hex(store.brand_color, "#0b3d91")
    logo = _logo(store)
    html = render_to_string(
        "notifications/email.html",
        {
            "lang": lang,
            "subject": subject,
            "body": render_html_body(body_template, values),
            "company_name": company_name(store),
            "store": store,
            "brand": brand,
            "brand_text": _text_colour_on(brand),
            "accent": _hex(store.accent_color, "#f5a623"),
            "logo": logo is not None,
        },
    )
    from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "shipdesk@localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=formataddr((company_name(store), from_address)),
        to=[email.to],
        reply_to=[store.email] if store.email else None,
        headers={"Message-ID": make_msgid(domain=from_address.rpartition("@")[2] or None)},
    )
    message.attach_alternative(html, "text/html")
    if logo is not None:
        message.mixed_subtype = "related"
        message.attach(logo)
    return message


# --- sending ----------------------------------------------------------------------------


def send(email_id: int) -> str | None:
    """Send one pending email; return its new status, or None if it was not pending/due."""
    now = timezone.now()
    claimed = CustomerEmail.objects.filter(
        pk=email_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return None
    email = CustomerEmail.objects.select_related(
        "order__store", "order__ship_to", "order__bill_to", "shipment"
    ).get(pk=email_id)
    label = email.get_kind_display()
    try:
        message = compose(email)
        message.send()
    except Exception as exc:  # SMTP, network and template errors all end up on the row
        error = f"{type(exc).__name__}: {exc}"[:2000]
        final = (
            isinstance(exc, PERMANENT_ERRORS)
            or getattr(exc, "smtp_code", 0) >= 500  # 5xx: the server refuses for good
            or email.attempts > len(RETRY_DELAYS)
        )
        if final:
            CustomerEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, error=error)
            record(
                email.order,
                "customer_email_failed",
                f"{label} to {email.to} failed: {error}",
                source="system",
                email=email.pk,
                shipment=email.shipment_id,
            )
            log.warning("customer email %s failed: %s", email.pk, error)
            return Status.FAILED
        CustomerEmail.objects.filter(pk=email.pk).update(
            status=Status.PENDING,
            error=error,
            next_attempt_at=now + RETRY_DELAYS[email.attempts - 1],
        )
        log.info("customer email %s will be retried: %s", email.pk, error)
        return Status.PENDING
    CustomerEmail.objects.filter(pk=email.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        subject=message.subject[:300],
        message_id=message.extra_headers["Message-ID"],
        error="",
    )
    record(
        email.order,
        "customer_email_sent",
        f"{label} emailed to {email.to}.",
        source="system",
        email=email.pk,
        shipment=email.shipment_id,
        email_kind=email.kind,
    )
    return Status.SENT


def send_due() -> dict[str, int]:
    """Send what is due (retries, and any email whose after-commit job was lost); mark
    emails interrupted mid-send as failed. Returns counts by resulting status."""
    now = timezone.now()
    stuck = list(
        CustomerEmail.objects.filter(
            status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        ).select_related("order")
    )
    for email in stuck:
        error = "interrupted while sending; not resent, as the customer may have it already"
        if CustomerEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.FAILED, error=error
        ):
            record(
                email.order,
                "customer_email_failed",
                f"{email.get_kind_display()} to {email.to}: {error}.",
                source="system",
                email=email.pk,
            )
    counts = {Status.SENT: 0, Status.PENDING: 0, Status.FAILED: len(stuck)}
    due = CustomerEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    for email_id in due.order_by("next_attempt_at").values_list("pk", flat=True)[:200]:
        status = send(email_id)
        if status:
            counts[status] += 1
    return {str(k): v for k, v in counts.items()}
