"""Customer emails: the shipment confirmation and the delivery notification.

Off by default, per store (as in ShipStation). Each email is an outbox message, one per
(shipment, kind), queued in the caller's transaction: never twice for the same event. The
outbox's email sender composes it here when it sends it (`compose`), at most once.

Templates are the store's subject and body (plain text with {placeholders}); empty ones use
the built-in English or French defaults, chosen from the order's country.
"""

from __future__ import annotations

import re
from email.mime.image import MIMEImage
from email.utils import formataddr, make_msgid, parseaddr
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string

from shipdesk.orders.models import Order
from shipdesk.outbox.models import Message
from shipdesk.outbox.queue import queue
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store


class EmailKind(models.TextChoices):
    SHIPMENT_CONFIRMATION = "shipment_confirmation", "Shipment confirmation"
    DELIVERY_NOTIFICATION = "delivery_notification", "Delivery notification"


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
    (EmailKind.SHIPMENT_CONFIRMATION, "en"): (
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
    (EmailKind.SHIPMENT_CONFIRMATION, "fr"): (
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
    (EmailKind.DELIVERY_NOTIFICATION, "en"): (
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
    (EmailKind.DELIVERY_NOTIFICATION, "fr"): (
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

# --- queueing ---------------------------------------------------------------------------


def queue_shipment_confirmation(shipment: Shipment) -> Message | None:
    """Queue the shipment confirmation if the store sends them or the shipment asks for it.

    Returns the email's outbox message (an existing one when this shipment already has it:
    nothing is sent twice), or None when nothing is to be sent: setting off, no customer
    email address. It is sent after the caller's transaction commits.
    """
    store = shipment.order.store
    if not (store.email_shipment_confirmation or shipment.notify_customer):
        return None
    return _queue(shipment, EmailKind.SHIPMENT_CONFIRMATION)


def queue_delivery_notification(shipment: Shipment) -> Message | None:
    """Queue the delivery notification if the store sends them (see queue_shipment_confirmation)."""
    if not shipment.order.store.email_delivery_notification:
        return None
    return _queue(shipment, EmailKind.DELIVERY_NOTIFICATION)


def _queue(shipment: Shipment, kind: str) -> Message | None:
    order = shipment.order
    to = (order.customer_email or "").strip()
    if shipment.voided or "@" not in to:
        return None
    key = f"email:{shipment.pk}:{kind}"
    existing = Message.objects.filter(key=key).first()
    if existing is not None:  # at most once: even a failed email is not queued again
        return existing
    return queue(
        Message.Kind.EMAIL,
        {"email_kind": str(kind), "to": to},
        key=key,
        order=order,
        shipment=shipment,
    )


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
    if kind == EmailKind.SHIPMENT_CONFIRMATION:
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


def compose(shipment: Shipment, kind: str, to: str) -> EmailMultiAlternatives:
    """The email of this kind for this shipment: plain text plus HTML (and the logo inline)."""
    order = shipment.order
    store = order.store
    lang = language(order)
    subject_template, body_template = templates(store, kind, lang)
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
        to=[to],
        reply_to=[store.email] if store.email else None,
        headers={"Message-ID": make_msgid(domain=from_address.rpartition("@")[2] or None)},
    )
    message.attach_alternative(html, "text/html")
    if logo is not None:
        message.mixed_subtype = "related"
        message.attach(logo)
    return message
