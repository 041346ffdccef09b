"""Customer emails: the shipment confirmation and the delivery notification.

Off by default, per store (as in ShipStation). Each email is an outbox message, one per
(shipment, kind), queued in the caller's transaction: never twice for the same event. The
outbox's email sender composes it here when it sends it (`compose`), at most once.

Emails are written in the buyer's language (`Order.buyer_language`). Templates are plain text
with {placeholders}: the seller's own subject and text in that language where they wrote one
(`EmailTemplate`), else the built-in ones of that language, else English's.
"""

from __future__ import annotations

import re
from email.mime.image import MIMEImage
from email.utils import formataddr, make_msgid, parseaddr
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from shipdesk.documents.options import options_text
from shipdesk.notifications.models import EmailKind, EmailTemplate
from shipdesk.orders.models import BUYER_LANGUAGES, Order
from shipdesk.outbox.models import Message
from shipdesk.outbox.queue import queue
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.shipping.models import Shipment
from shipdesk.stores.models import Store

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
    (EmailKind.SHIPMENT_CONFIRMATION, "de"): (
        "Ihre Bestellung {order_number} wurde versandt",
        "Hallo {customer_name},\n\n"
        "gute Nachricht: Ihre Bestellung {order_number} bei {company_name} ist unterwegs.\n\n"
        "{items}\n\n"
        "Versanddienstleister: {carrier}\n"
        "Sendungsnummer: {tracking_number}\n"
        "Sendung verfolgen: {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Vielen Dank für Ihre Bestellung,\n{company_name}",
    ),
    (EmailKind.DELIVERY_NOTIFICATION, "de"): (
        "Ihre Bestellung {order_number} wurde zugestellt",
        "Hallo {customer_name},\n\n"
        "Ihre Bestellung {order_number} bei {company_name} wurde zugestellt.\n\n"
        "{items}\n\n"
        "Versanddienstleister: {carrier}\n"
        "Sendungsnummer: {tracking_number}\n"
        "Details zur Zustellung: {tracking_link}\n\n"
        "Wir hoffen, sie gefällt Ihnen. Stimmt etwas nicht, antworten Sie einfach auf diese "
        "E-Mail.\n\n"
        "{company_name}",
    ),
    (EmailKind.SHIPMENT_CONFIRMATION, "es"): (
        "Su pedido {order_number} ha sido enviado",
        "Hola, {customer_name}:\n\n"
        "Buenas noticias: su pedido {order_number} de {company_name} está en camino.\n\n"
        "{items}\n\n"
        "Transportista: {carrier}\n"
        "Número de seguimiento: {tracking_number}\n"
        "Seguir su paquete: {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Gracias por su pedido,\n{company_name}",
    ),
    (EmailKind.DELIVERY_NOTIFICATION, "es"): (
        "Su pedido {order_number} ha sido entregado",
        "Hola, {customer_name}:\n\n"
        "Su pedido {order_number} de {company_name} ha sido entregado.\n\n"
        "{items}\n\n"
        "Transportista: {carrier}\n"
        "Número de seguimiento: {tracking_number}\n"
        "Detalles de la entrega: {tracking_link}\n\n"
        "Esperamos que lo disfrute. Si algo no va bien, responda a este correo.\n\n"
        "{company_name}",
    ),
    (EmailKind.SHIPMENT_CONFIRMATION, "it"): (
        "Il suo ordine {order_number} è stato spedito",
        "Gentile {customer_name},\n\n"
        "buone notizie: il suo ordine {order_number} presso {company_name} è in viaggio.\n\n"
        "{items}\n\n"
        "Corriere: {carrier}\n"
        "Numero di tracciamento: {tracking_number}\n"
        "Segua il suo pacco: {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Grazie per il suo ordine,\n{company_name}",
    ),
    (EmailKind.DELIVERY_NOTIFICATION, "it"): (
        "Il suo ordine {order_number} è stato consegnato",
        "Gentile {customer_name},\n\n"
        "il suo ordine {order_number} presso {company_name} è stato consegnato.\n\n"
        "{items}\n\n"
        "Corriere: {carrier}\n"
        "Numero di tracciamento: {tracking_number}\n"
        "Dettagli della consegna: {tracking_link}\n\n"
        "Speriamo che le piaccia. Se qualcosa non va, risponda semplicemente a questa email.\n\n"
        "{company_name}",
    ),
    (EmailKind.SHIPMENT_CONFIRMATION, "nl"): (
        "Je bestelling {order_number} is verzonden",
        "Hallo {customer_name},\n\n"
        "Goed nieuws: je bestelling {order_number} bij {company_name} is onderweg.\n\n"
        "{items}\n\n"
        "Vervoerder: {carrier}\n"
        "Trackingnummer: {tracking_number}\n"
        "Volg je pakket: {tracking_link}\n\n"
        "{notes_to_buyer}\n\n"
        "Bedankt voor je bestelling,\n{company_name}",
    ),
    (EmailKind.DELIVERY_NOTIFICATION, "nl"): (
        "Je bestelling {order_number} is bezorgd",
        "Hallo {customer_name},\n\n"
        "Je bestelling {order_number} bij {company_name} is bezorgd.\n\n"
        "{items}\n\n"
        "Vervoerder: {carrier}\n"
        "Trackingnummer: {tracking_number}\n"
        "Bezorgdetails: {tracking_link}\n\n"
        "We hopen dat je er blij mee bent. Klopt er iets niet? Beantwoord dan gewoon deze "
        "e-mail.\n\n"
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


def company_name(store: Store) -> str:
    return store.company_name or store.name


def item_lines(order: Order) -> list[str]:
    lines = []
    for item in order.items.all():
        if item.adjustment:
            continue
        options = ", ".join(options_text(item.options))
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
    """(subject, body) templates: the store's own in this language, else the built-in one of
    this language, else English's; a subject or text left empty is the built-in one."""
    default_subject, default_body = DEFAULT_TEMPLATES.get(
        (kind, lang), DEFAULT_TEMPLATES[(kind, "en")]
    )
    own = EmailTemplate.objects.filter(store=store, kind=kind, language=lang).first()
    subject, body = (own.subject, own.body) if own else ("", "")
    return (subject.strip() or default_subject, body.strip() or default_body)


def store_language(store: Store) -> str:
    """The language of the store's marketplace ('fr-fr' -> 'fr'; English for one shipdesk does
    not write): the templates its seller sees first."""
    prefix = (store.country_code or "").lower().split("-")[0]
    return prefix if prefix in BUYER_LANGUAGES else "en"


def own_templates(store: Store, lang: str) -> dict[str, tuple[str, str]]:
    """The seller's (subject, body) of each kind of email in this language; ("", "") where
    they wrote none."""
    found = {
        t.kind: (t.subject, t.body)
        for t in EmailTemplate.objects.filter(store=store, language=lang)
    }
    return {kind: found.get(kind, ("", "")) for kind in EmailKind.values}


def save_templates(store: Store, lang: str, texts: dict[str, tuple[str, str]]) -> None:
    """Keep the seller's (subject, body) of each kind of email in this language; an empty
    pair removes theirs (the built-in one is used again)."""
    for kind, (subject, body) in texts.items():
        if subject.strip() or body.strip():
            EmailTemplate.objects.update_or_create(
                store=store, kind=kind, language=lang, defaults={"subject": subject, "body": body}
            )
        else:
            EmailTemplate.objects.filter(store=store, kind=kind, language=lang).delete()


def unknown_placeholders(template: str) -> list[str]:
    """The {words} of a template that are no placeholder (a typo would reach the buyer)."""
    return sorted(set(re.findall(r"\{(\w+)\}", template)) - set(PLACEHOLDERS))


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
    lang = order.buyer_language
    subject_template, body_template = templates(store, kind, lang)
    with translation.override(lang):
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
