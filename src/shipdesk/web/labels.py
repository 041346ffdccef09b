"""Translated names for the domain's codes (the domain keeps them in English)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shipdesk.stores.models import AWAITING_PAYMENT, AWAITING_SHIPMENT, CANCELLED, ON_HOLD, SHIPPED

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
    0: _("new"),
    1: _("paid, awaiting acceptance"),
    2: _("accepted"),
    3: _("shipped"),
    4: _("cancelled"),
    5: _("refunded before shipping"),
    6: _("refunded after shipping"),
    7: _("not paid"),
    8: _("pending payment"),
    9: _("on hold"),
}
