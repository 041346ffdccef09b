"""Translated names for the domain's codes (the domain keeps them in English)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shipdesk.backmarket import LineState
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
    "cancelled": _("Every line cancelled or refunded"),
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
LINE_STATE = {
    LineState.NEW: _("new"),
    LineState.AWAITING_ACCEPTANCE: _("paid, awaiting acceptance"),
    LineState.ACCEPTED: _("accepted"),
    LineState.SHIPPED: _("shipped"),
    LineState.CANCELLED: _("cancelled"),
    LineState.REFUNDED_BEFORE_SHIPPING: _("refunded before shipping"),
    LineState.REFUNDED_AFTER_SHIPPING: _("refunded after shipping"),
    LineState.NOT_PAID: _("not paid"),
    LineState.PENDING_PAYMENT: _("pending payment"),
    LineState.ON_HOLD: _("on hold"),
}
