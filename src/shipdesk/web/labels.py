"""Translated names for the domain's codes (the domain keeps them in English)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shipdesk.backmarket import LineState
from shipdesk.orders.history import EMAIL_KINDS, LINE_STATES
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, CANCELLED, ON_HOLD, SHIPPED

STATUS = {
    AWAITING_PAYMENT: _("Awaiting payment"),
    AWAITING_SHIPMENT: _("Awaiting shipment"),
    ON_HOLD: _("On hold"),
    SHIPPED: _("Shipped"),
    CANCELLED: _("Cancelled"),
}
MAPPING_KEYS = {
    "0": _("0 — new, payment check pending"),
    "10": _("10 — pending payment"),
    "1": _("1 — paid, awaiting acceptance"),
    "3": _("3 — accepted, awaiting shipment"),
    "9": _("9 — shipped"),
    # A line refunded after shipping is a return: the order counts as shipped (9).
    "cancelled": _("Every line cancelled or refunded before shipping"),
}
HEALTH = {
    "ok": _("Connected"),
    "token_rejected": _("Token rejected"),
    "failing": _("Failing"),
}
NOTIFICATION = {
    "pending": pgettext_lazy("notification", "Pending"),
    "sent": pgettext_lazy("notification", "Delivered"),
    "failed": pgettext_lazy("notification", "Failed"),
    "dead": pgettext_lazy("notification", "Gave up"),
}
IMPORT_RUN = {
    "running": _("Running"),
    "ok": _("Finished"),
    "failed": pgettext_lazy("import", "Failed"),
}
EVENT_SOURCE = {
    "import": _("Import"),
    "user": _("User"),
    "api": _("API"),
    "system": _("System"),
    "backmarket": _("Back Market"),
    "cli": _("Command line"),
}
# The history's names, but a paid line is said to await acceptance on the order page.
LINE_STATE = {**LINE_STATES, LineState.AWAITING_ACCEPTANCE: _("paid, awaiting acceptance")}
MESSAGE_KIND = {
    "backmarket": _("Back Market"),
    "webhook": _("Webhook"),
    "email": _("Customer email"),
}


def message_summary(message) -> str:
    """What an outbox message is about, in the reader's language."""
    payload = message.payload
    if message.kind == "email":
        kind = EMAIL_KINDS.get(payload.get("email_kind"), payload.get("email_kind"))
        return _("%(kind)s to %(to)s") % {"kind": kind, "to": payload.get("to")}
    if message.kind == "webhook":
        return _("Announcement %(url)s") % {"url": payload.get("resource_url")}
    action, sku = payload.get("action"), payload.get("sku")
    if action == "accept":
        return _("Acceptance of %(sku)s") % {"sku": sku}
    if action == "cancel":
        return _("Cancellation of %(sku)s") % {"sku": sku}
    if action == "refund":
        return _("Refund of %(sku)s") % {"sku": sku}
    if action == "invoice":
        return _("Invoice")
    tracking = message.shipment.tracking_number if message.shipment_id else ""
    return _("Shipment %(tracking)s") % {"tracking": tracking}
