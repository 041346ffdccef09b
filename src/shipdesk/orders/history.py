"""The order history: what happened to an order, said in the reader's language.

An entry is stored as its kind and the parameters of its message (`OrderEvent.data`), plus
the message in English (`OrderEvent.message`: what search, the command line and the API
read). Pages show `OrderEvent.text`: the kind's message in the active language. Entries
written before their kind had a message here keep their English text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from shipdesk.backmarket.states import LineState, ReturnReason
from shipdesk.orders.imei import imei_error, serial_error

if TYPE_CHECKING:
    from shipdesk.orders.models import Order, OrderEvent

Params = dict[str, Any]


def _and(names: Iterable) -> str:
    names = [str(name) for name in names]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


# Words messages are made of: the fields people edit, Back Market's line states.
FIELDS = {
    "internal_notes": _("internal notes"),
    "notes_to_buyer": _("notes to buyer"),
    "customer_notes": _("customer notes"),
    "gift": _("gift"),
    "gift_message": _("gift message"),
    "weight_grams": _("weight"),
    "length_cm": _("length"),
    "width_cm": _("width"),
    "height_cm": _("height"),
    "carrier_code": _("carrier"),
    "service_code": _("service"),
    "package_code": _("package"),
    "confirmation": _("confirmation"),
    "warehouse": _("ship-from warehouse"),
    "warehouse_location": _("warehouse location"),
    "custom_field1": _("custom field 1"),
    "custom_field2": _("custom field 2"),
    "custom_field3": _("custom field 3"),
}
LINE_STATES = {
    LineState.NEW: _("new"),
    LineState.AWAITING_ACCEPTANCE: _("paid"),
    LineState.ACCEPTED: _("accepted"),
    LineState.SHIPPED: _("shipped"),
    LineState.CANCELLED: _("cancelled"),
    LineState.REFUNDED_BEFORE_SHIPPING: _("refunded before shipping"),
    LineState.REFUNDED_AFTER_SHIPPING: _("refunded after shipping"),
    LineState.NOT_PAID: _("not paid"),
    LineState.PENDING_PAYMENT: _("pending payment"),
    LineState.ON_HOLD: _("on hold"),
}

# Back Market's return reasons (a refund after shipping), by name.
RETURN_REASONS = {
    ReturnReason.STOCK_MISTAKE: _("stock mistake"),
    ReturnReason.WITHDRAWAL: _("withdrawal within 14 days"),
    ReturnReason.NOT_AT_ADDRESS: _("does not live at the address"),
    ReturnReason.PARCEL_DID_NOT_ARRIVE: _("parcel did not arrive"),
    ReturnReason.LOST: _("lost"),
    ReturnReason.FAULTY_ON_OPENING: _("faulty on opening"),
    ReturnReason.FAILURE_AT_FIRST_USE: _("failure at first use"),
    ReturnReason.FAILURE_UNDER_WARRANTY: _("failure under warranty"),
    ReturnReason.NON_COMPLIANT: _("non-compliant"),
    ReturnReason.OTHER: _("other reason"),
}


def return_reason_name(code) -> str:
    """The reason's name in the active language; an unknown code as its number."""
    if code is None:
        return gettext("no reason given")
    return str(RETURN_REASONS.get(code, code))


# What a shipping rule sets (shipdesk.rules), as its history entry names them.
RULE_PIECES = {
    "service": _("service"),
    "package": _("package"),
    "weight": _("weight"),
    "dimensions": _("dimensions"),
    "hold": _("hold until"),
    "warehouse": _("ship-from warehouse"),
    "tag": _("tag"),
}


EMAIL_KINDS = {
    "shipment_confirmation": _("Shipment confirmation"),
    "delivery_notification": _("Delivery notification"),
}


def _line_state(state) -> str:
    return str(LINE_STATES.get(state, state))


def _fields(names: Iterable[str]) -> list[str]:
    return [str(FIELDS[name]) for name in names]


# What the import saw change: [change, params] pairs in the "updated" entry.
CHANGES: dict[str, Callable[[Params], str]] = {
    "order_state": lambda p: gettext("Back Market order state %(old)s → %(new)s") % p,
    "line_added": lambda p: gettext("line %(sku)s added") % p,
    "line_state": lambda p: (
        gettext("line %(sku)s: %(old)s → %(new)s")
        % {"sku": p["sku"], "old": _line_state(p["old"]), "new": _line_state(p["new"])}
    ),
    "ship_to_address": lambda p: gettext("ship to address updated"),
    "bill_to_address": lambda p: gettext("bill to address updated"),
    "status": lambda p: gettext("status %(old)s → %(new)s") % p,
}


def _imported(p: Params) -> str:
    if p["awaiting_acceptance"]:
        return (
            gettext(
                "Imported from Back Market (state %(state)s, awaiting acceptance on Back Market) "
                "as %(status)s."
            )
            % p
        )
    return gettext("Imported from Back Market (state %(state)s) as %(status)s.") % p


def _updated(p: Params) -> str:
    if not p["changes"]:
        return gettext("Updated from Back Market: details changed.")
    changes = "; ".join(CHANGES[change](params) for change, params in p["changes"])
    return gettext("Updated from Back Market: %(changes)s.") % {"changes": changes}


def _identifier_set(p: Params) -> str:
    if p["identifier"] == "imei":
        if p.get("previous"):
            text = gettext("IMEI %(value)s set on %(sku)s unit %(unit)s (replacing %(previous)s).")
        else:
            text = gettext("IMEI %(value)s set on %(sku)s unit %(unit)s.")
    elif p.get("previous"):
        text = gettext(
            "Serial number %(value)s set on %(sku)s unit %(unit)s (replacing %(previous)s)."
        )
    else:
        text = gettext("Serial number %(value)s set on %(sku)s unit %(unit)s.")
    return text % p


def _returned(p: Params) -> str:
    words = {**p, "reason": return_reason_name(p["reason"])}
    if p.get("message"):
        return (
            gettext(
                "Line %(sku)s refunded after shipping on Back Market: a return "
                "(%(reason)s: “%(message)s”)."
            )
            % words
        )
    return (
        gettext("Line %(sku)s refunded after shipping on Back Market: a return (%(reason)s).")
        % words
    )


def _line_refunded(p: Params) -> str:
    words = {**p, "reason": return_reason_name(p["reason"])}
    if p["after_shipping"]:
        return gettext("Line %(sku)s refunded on Back Market after shipping (%(reason)s).") % words
    if p["reason"] is not None:
        return gettext("Line %(sku)s refunded on Back Market before shipping (%(reason)s).") % words
    return gettext("Line %(sku)s refunded on Back Market before shipping.") % words


def _hold(p: Params) -> str:
    if p.get("until"):
        return gettext("Put on hold until %(until)s.") % p
    return gettext("Put on hold.")


def _shipped(p: Params) -> str:
    if p.get("service"):
        if p["notify_backmarket"]:
            text = gettext(
                "Shipped with %(carrier)s %(tracking)s (%(service)s), Back Market will be notified."
            )
        else:
            text = gettext(
                "Shipped with %(carrier)s %(tracking)s (%(service)s), Back Market not notified."
            )
    elif p["notify_backmarket"]:
        text = gettext("Shipped with %(carrier)s %(tracking)s, Back Market will be notified.")
    else:
        text = gettext("Shipped with %(carrier)s %(tracking)s, Back Market not notified.")
    return text % p


def _label_bought(p: Params) -> str:
    if p.get("cost"):
        return gettext("Label bought from %(account)s (%(service)s): %(tracking)s, %(cost)s.") % p
    return gettext("Label bought from %(account)s (%(service)s): %(tracking)s.") % p


def _rule_applied(p: Params) -> str:
    said = "; ".join(f"{RULE_PIECES[piece]} {value}" for piece, value in p["set"])
    kept = _and(RULE_PIECES[piece] for piece in p["kept"])
    words = {"rule": p["rule"], "set": said, "kept": kept}
    if said and kept:
        return gettext("Rule “%(rule)s” set %(set)s; kept as set by hand: %(kept)s.") % words
    if said:
        return gettext("Rule “%(rule)s” set %(set)s.") % words
    return gettext("Rule “%(rule)s” applies; kept as set by hand: %(kept)s.") % words


def _notification_resend(p: Params) -> str:
    if p["message_kind"] == "email":
        return gettext("Re-send of the customer email requested.")
    if p["message_kind"] == "webhook":
        return gettext("Re-send of the webhook requested.")
    return gettext("Re-send to Back Market requested.")


# Why the pack station refused a scan (shipping.packing); an invalid IMEI or serial number
# is said by the check that refused it, in the reader's language.
PACKING_REFUSALS: dict[str, Callable[[Params], str]] = {
    "complete": lambda p: gettext("every unit of this order is already verified"),
    "scanned_twice": lambda p: gettext("this unit of %(sku)s is already verified") % p,
    "extra": lambda p: gettext("one %(sku)s too many (the order has %(count)s)") % p,
    "scan_product_first": lambda p: gettext(
        "several lines wait for an IMEI / serial number: scan the product first"
    ),
    "other_slip": lambda p: gettext("it is the packing slip of order %(number)s") % p,
    "not_in_order": lambda p: gettext("not in this order"),
    "wrong_identifier": lambda p: gettext("not an IMEI / serial number recorded for %(sku)s") % p,
    "invalid_imei": lambda p: imei_error(p["code"]) or "",
    "invalid_serial": lambda p: serial_error(p["code"]) or "",
    "duplicate": lambda p: gettext("already used on order %(number)s") % p,
    "refused": lambda p: p["error"],
}


def _packing_refused(p: Params) -> str:
    reason = PACKING_REFUSALS[p["why"]](p)
    return gettext("Pack station: %(code)s refused: %(reason)s.") % {**p, "reason": reason}


def _customer_email_failed(p: Params) -> str:
    p = {**p, "label": EMAIL_KINDS[p["email_kind"]]}
    if p.get("interrupted"):
        return gettext("%(label)s to %(to)s: %(error)s.") % p
    return gettext("%(label)s to %(to)s failed: %(error)s") % p


# Kept in English on the order (Order.warning); pages show it in the reader's language.
CANCELLED_WHILE_PREPARED = (
    "Cancelled on Back Market while being prepared: do not ship it; put the item back in stock."
)

# Every kind of entry, and what it says. A lazy text is formatted with the entry's
# parameters; a function builds the text when the words depend on them.
MESSAGES: dict[str, Promise | Callable[[Params], str]] = {
    # The import
    "imported": _imported,
    "updated": _updated,
    "warning": _(CANCELLED_WHILE_PREPARED),
    "returned": _returned,
    # People and scripts
    "manual_created": _("Manual order %(number)s created: Back Market is never told of it."),
    "manual_edited": _("Edited the manual order's items, addresses, dates and amounts."),
    "identifier_set": _identifier_set,
    "identifier_cleared": _("%(previous)s cleared from %(sku)s unit %(unit)s."),
    "notes": lambda p: gettext("Edited %(fields)s.") % {"fields": _and(_fields(p["fields"]))},
    "edited": lambda p: gettext("Edited %(fields)s.") % {"fields": ", ".join(_fields(p["fields"]))},
    "item_edited": lambda p: (
        gettext("Edited %(fields)s of %(sku)s.")
        % {"fields": _and(_fields(p["fields"])), "sku": p["sku"]}
    ),
    "hold": _hold,
    "release": _("Released from hold."),
    "tag_added": _("Tag %(tag)r added."),
    "tag_removed": _("Tag %(tag)r removed."),
    "assigned": _("Assigned to %(assignee)s."),
    "unassigned": _("No longer assigned to %(assignee)s."),
    "rule_applied": _rule_applied,
    "deleted": _("Deleted (hidden from order lists)."),
    "restored": _("Restored (back in the order lists)."),
    # Back Market
    "accepted": lambda p: (
        gettext("Accepted on Back Market: %(skus)s.") % {"skus": ", ".join(p["skus"])}
    ),
    "accept_failed": _("Back Market refused to accept %(sku)s: %(error)s"),
    "line_cancelled": _("Line %(sku)s cancelled on Back Market (%(reason)s)."),
    "cancel_failed": _("Back Market refused to cancel %(sku)s: %(error)s"),
    "line_refunded": _line_refunded,
    "refund_failed": _("Back Market refused to refund %(sku)s: %(error)s"),
    "notification_sent": _("Back Market notified: shipped with %(tracking)s."),
    "notification_failed": _(
        "Back Market rejected the shipment notification: %(error)s. Fix it and re-send."
    ),
    "notification_dead": _(
        "Gave up notifying Back Market after %(attempts)s attempts over 24 h: %(error)s"
    ),
    "notification_resend": _notification_resend,
    # Invoices (shipdesk.invoices)
    "invoice_generated": _("Invoice %(number)s generated."),
    "invoice_attached": _("Invoice %(filename)s attached (the seller's PDF)."),
    "invoice_uploaded": _("Invoice %(invoice)s sent to Back Market."),
    "invoice_upload_failed": _("Back Market refused the invoice: %(error)s"),
    "invoice_failed": _("No invoice written: %(error)s"),
    # Customer emails
    "customer_email_sent": lambda p: (
        gettext("%(label)s emailed to %(to)s.") % {**p, "label": EMAIL_KINDS[p["email_kind"]]}
    ),
    "customer_email_failed": _customer_email_failed,
    # Shipping
    "shipped": _shipped,
    "identifiers_kept": lambda p: (
        gettext(
            "IMEIs of %(skus)s stay in shipdesk: Back Market's API takes an IMEI only for a "
            "line of quantity 1."
        )
        % {"skus": ", ".join(p["skus"])}
    ),
    "voided": _("Shipment %(tracking)s voided."),
    "label_bought": _label_bought,
    "label_void_refused": _("Label %(tracking)s not voided: %(reason)s."),
    "label_voided": _("Label %(tracking)s: %(outcome)s."),
    "delivered": _("Delivered (%(carrier)s %(tracking)s) on %(at)s."),
    # The pack station (shipping.packing)
    "packing_started": _("Pack station: packing started (%(code)s scanned)."),
    "packing_product_scanned": _(
        "Pack station: %(code)s scanned (%(sku)s); waiting for its IMEI / serial number."
    ),
    "packing_unit_verified": _("Pack station: %(code)s verified %(sku)s unit %(unit)s."),
    "packing_refused": _packing_refused,
    "packing_verified": _("Pack station: all %(count)s unit(s) verified."),
}


def render(kind: str, params: Params) -> str | None:
    """The entry's message in the active language; None when its parameters do not fit
    (an entry written before its kind was here, with other parameters)."""
    message = MESSAGES.get(kind)
    if message is None:
        return None
    try:
        return message(params) if callable(message) else str(message) % params
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def entry(kind: str, **params) -> dict[str, Any]:
    """An entry's kind, English text and parameters, for writing many at once."""
    with override("en"):
        message = render(kind, params)
    if message is None:
        raise ValueError(f"no history message for {kind!r} with {sorted(params)}")
    return {"kind": kind, "message": message, "data": params}


def record(order: Order, kind: str, *, source: str, user=None, **params) -> OrderEvent:
    """Add an entry: `params` are its message's (see MESSAGES) and anything worth keeping
    with it (ids); the English text is kept too."""
    return order.events.create(source=source, user=user, **entry(kind, **params))
