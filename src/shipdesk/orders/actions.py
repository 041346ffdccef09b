"""What people (and scripts) do to orders. The CLI, the web UI and the REST API call these."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from shipdesk.backmarket import BackMarketError
from shipdesk.backmarket.mapping import CANCELLED_LINE_STATES
from shipdesk.orders.history import record
from shipdesk.orders.imei import imei_error, is_phone, normalise_imei, parse_notes, serial_error
from shipdesk.orders.models import ItemUnit, Order, OrderItem, Product, Tag
from shipdesk.stores.connection import client_for
from shipdesk.stores.models import AWAITING_PAYMENT, AWAITING_SHIPMENT, CANCELLED, ON_HOLD


class OrderActionError(Exception):
    """The action was refused; the message says why, in the user's words and language."""


def _no_item(order: Order, sku: str) -> str:
    return _("order %(number)s has no item with SKU %(sku)r") % {
        "number": order.order_number,
        "sku": sku,
    }


def accept_order(order: Order, *, skus=None, user=None, source="user", client=None) -> Order:
    """Accept the order's paid lines (all, or those with the given SKUs) on Back Market."""
    lines = [i for i in order.items.all() if i.channel_state == 1 and (not skus or i.sku in skus)]
    if not lines:
        raise OrderActionError(
            _("order %(number)s has no line awaiting acceptance") % {"number": order.order_number}
        )
    own = client is None
    client = client or client_for(order.store)
    accepted = []
    try:
        for item in lines:
            try:
                client.accept_line(order.channel_order_id, item.sku)
            except BackMarketError as exc:
                record(
                    order,
                    "accept_failed",
                    f"Back Market refused to accept {item.sku}: {exc}",
                    source=source,
                    user=user,
                    sku=item.sku,
                )
                raise OrderActionError(
                    _("Back Market refused to accept %(sku)s: %(reason)s")
                    % {"sku": item.sku, "reason": exc}
                ) from exc
            item.channel_state = 2
            item.save(update_fields=["channel_state", "modified_at"])
            accepted.append(item.sku)
    finally:
        if accepted:
            with transaction.atomic():
                if all(i.channel_state != 1 for i in order.items.all()):
                    order.awaiting_acceptance = False
                    order.channel_state = 3
                    order.save(
                        update_fields=["awaiting_acceptance", "channel_state", "modified_at"]
                    )
                record(
                    order,
                    "accepted",
                    f"Accepted on Back Market: {', '.join(accepted)}.",
                    source=source,
                    user=user,
                    skus=accepted,
                )
        if own:
            client.close()
    return order


def identifier_needs(order: Order) -> list[tuple[OrderItem, bool]]:
    """(item, needs an IMEI / serial) for each live line: the catalogue decides, else the title."""
    items = [
        i
        for i in order.items.all()
        if not i.adjustment and i.channel_state not in CANCELLED_LINE_STATES
    ]
    catalogue = dict(
        Product.objects.filter(sku__in=[i.sku for i in items]).values_list("sku", "needs_imei")
    )
    return [
        (
            item,
            is_phone(
                title=item.name, brand=item.brand, catalogue_needs_imei=catalogue.get(item.sku)
            ),
        )
        for item in items
    ]


def items_needing_identifiers(order: Order) -> list[tuple[OrderItem, list[ItemUnit]]]:
    """(item, units) for each phone line."""
    return [(item, list(item.units.all())) for item, needed in identifier_needs(order) if needed]


def missing_identifiers(order: Order) -> list[str]:
    """Phone units without a valid IMEI / serial number, named for the person shipping."""
    missing = []
    for item, units in items_needing_identifiers(order):
        for unit in units:
            if not (unit.imei or unit.serial_number):
                label = f"{item.sku} ({item.name})"
                missing.append(f"{label} unit {unit.index + 1}" if item.quantity > 1 else label)
    return missing


def set_identifier(
    order: Order,
    *,
    sku: str,
    imei: str = "",
    serial_number: str = "",
    unit: int | None = None,
    allow_duplicate: bool = False,
    user=None,
    source: str = "user",
):
    """Record a unit's IMEI or serial number after validating it (Luhn, length, reuse)."""
    if bool(imei) == bool(serial_number):
        raise OrderActionError(_("give either an IMEI or a serial number"))
    if imei:
        imei = normalise_imei(imei)
        if error := imei_error(imei):
            raise OrderActionError(error)
    else:
        serial_number = serial_number.strip()
        if error := serial_error(serial_number):
            raise OrderActionError(error)
    items = [i for i in order.items.all() if i.sku == sku]
    if not items:
        raise OrderActionError(_no_item(order, sku))
    units = [u for i in items for u in i.units.all()]
    if unit is not None:
        target = next((u for u in units if u.index == unit - 1), None)
        if target is None:
            raise OrderActionError(_("%(sku)s has no unit %(unit)s") % {"sku": sku, "unit": unit})
    else:
        target = next((u for u in units if not (u.imei or u.serial_number)), None)
        if target is None:
            raise OrderActionError(
                _("every unit of %(sku)s already has an IMEI / serial number") % {"sku": sku}
            )
    if target.sent_at:
        raise OrderActionError(
            _("%(sku)s unit %(unit)s was already sent to Back Market and cannot be corrected")
            % {"sku": sku, "unit": target.index + 1}
        )
    value_filter = {"imei": imei} if imei else {"serial_number": serial_number}
    if not allow_duplicate:
        other = (
            ItemUnit.objects.filter(**value_filter)
            .exclude(pk=target.pk)
            .select_related("item__order")
            .first()
        )
        if other is not None:
            raise OrderActionError(
                _("%(value)s is already used on order %(number)s; override only if you are sure")
                % {"value": imei or serial_number, "number": other.item.order.order_number}
            )
    target.imei, target.serial_number = imei, serial_number
    target.save(update_fields=["imei", "serial_number"])
    record(
        order,
        "identifier_set",
        f"{'IMEI' if imei else 'Serial number'} {imei or serial_number} set on {sku} unit {target.index + 1}.",
        source=source,
        user=user,
        sku=sku,
        unit=target.index + 1,
    )
    return target


def fill_identifiers_from_notes(order: Order, *, user=None, source="user") -> tuple[int, list[str]]:
    """Fill IMEIs written in Internal Notes into the phone units, when unambiguous.

    Returns (units filled, problems). Invalid values are reported, never recorded.
    """
    found = parse_notes(order.internal_notes)
    problems = [f"IMEI {value} in the internal notes is not valid" for value in found.invalid]
    if not found.imeis:
        return 0, problems
    empty = [
        (item, u)
        for item, units in items_needing_identifiers(order)
        for u in units
        if not (u.imei or u.serial_number)
    ]
    already = {u.imei for _item, units in items_needing_identifiers(order) for u in units if u.imei}
    wanted = [(sku, imei) for sku, imei in found.imeis if imei not in already]
    filled = 0
    with_sku = [(sku, imei) for sku, imei in wanted if sku]
    without_sku = [imei for sku, imei in wanted if not sku]
    for sku, imei in with_sku:
        if not any(item.sku == sku for item, _ in empty):
            problems.append(
                f"IMEI {imei} in the internal notes names SKU {sku}, which has no empty unit"
            )
            continue
        try:
            set_identifier(order, sku=sku, imei=imei, user=user, source=source)
            filled += 1
        except OrderActionError as exc:
            problems.append(str(exc))
    empty = [
        (item, u) for item, u in empty if not (u.refresh_from_db() or u.imei or u.serial_number)
    ]
    if without_sku:
        if len(without_sku) != len(empty):
            problems.append(
                f"{len(without_sku)} IMEI(s) in the internal notes for {len(empty)} phone unit(s) "
                "without one: write them as `SKU: IMEI` to say which goes where"
            )
        else:
            for (item, unit), imei in zip(empty, without_sku, strict=True):
                try:
                    set_identifier(
                        order,
                        sku=item.sku,
                        imei=imei,
                        unit=unit.index + 1,
                        user=user,
                        source=source,
                    )
                    filled += 1
                except OrderActionError as exc:
                    problems.append(str(exc))
    return filled, problems


def set_notes(
    order: Order,
    *,
    internal: str | None = None,
    to_buyer: str | None = None,
    user=None,
    source="user",
):
    changed = []
    if internal is not None and internal != order.internal_notes:
        order.internal_notes = internal
        changed.append("internal notes")
    if to_buyer is not None and to_buyer != order.notes_to_buyer:
        order.notes_to_buyer = to_buyer
        changed.append("notes to buyer")
    if changed:
        order.save(update_fields=["internal_notes", "notes_to_buyer", "modified_at"])
        record(order, "notes", f"Edited {' and '.join(changed)}.", source=source, user=user)
    return order


def hold(order: Order, *, until=None, user=None, source="user") -> Order:
    if order.status not in (AWAITING_SHIPMENT, ON_HOLD):
        raise OrderActionError(
            _("only orders awaiting shipment can be put on hold (this one is %(status)s)")
            % {"status": order.status}
        )
    order.on_hold, order.hold_until_date, order.status = True, until, ON_HOLD
    order.save(update_fields=["on_hold", "hold_until_date", "status", "modified_at"])
    record(
        order, "hold", f"Put on hold{f' until {until}' if until else ''}.", source=source, user=user
    )
    return order


def release(order: Order, *, user=None, source="user") -> Order:
    if not order.on_hold:
        raise OrderActionError(
            _("order %(number)s is not on hold") % {"number": order.order_number}
        )
    order.on_hold, order.hold_until_date = False, None
    if order.status == ON_HOLD:
        order.status = AWAITING_SHIPMENT
    order.save(update_fields=["on_hold", "hold_until_date", "status", "modified_at"])
    record(order, "release", "Released from hold.", source=source, user=user)
    return order


def add_tag(order: Order, tag, *, user=None, source="user") -> Order:
    order.tags.add(tag)
    record(order, "tag_added", f"Tag {tag.name!r} added.", source=source, user=user)
    return order


def remove_tag(order: Order, tag, *, user=None, source="user") -> Order:
    order.tags.remove(tag)
    record(order, "tag_removed", f"Tag {tag.name!r} removed.", source=source, user=user)
    return order


def cancel_line(
    order: Order, *, sku: str, reason: str = "out of stock", user=None, source="user", client=None
) -> Order:
    """Cancel a line on Back Market before acceptance (e.g. out of stock)."""
    item = next((i for i in order.items.all() if i.sku == sku), None)
    if item is None:
        raise OrderActionError(_no_item(order, sku))
    if item.channel_state != 1:
        raise OrderActionError(
            _(
                "%(sku)s can be cancelled only before acceptance; refund it in Back Market's Back Office"
            )
            % {"sku": sku}
        )
    own = client is None
    client = client or client_for(order.store)
    try:
        client.cancel_line(order.channel_order_id, sku)
    except BackMarketError as exc:
        raise OrderActionError(
            _("Back Market refused to cancel %(sku)s: %(reason)s") % {"sku": sku, "reason": exc}
        ) from exc
    finally:
        if own:
            client.close()
    item.channel_state = 4
    item.save(update_fields=["channel_state", "modified_at"])
    live = [i for i in order.items.all() if i.channel_state not in CANCELLED_LINE_STATES]
    if not live:
        order.status = CANCELLED
    if not any(i.channel_state == 1 for i in order.items.all()):
        order.awaiting_acceptance = False
    order.save(update_fields=["status", "awaiting_acceptance", "modified_at"])
    record(
        order,
        "line_cancelled",
        f"Line {sku} cancelled on Back Market ({reason}).",
        source=source,
        user=user,
    )
    return order


# ShipStation's rule: only open orders can be updated.
OPEN_STATUSES = (AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD)

# Order fields the seller owns, with the words the history uses for them.
SELLER_FIELDS = {
    "customer_notes": "customer notes",
    "gift": "gift",
    "gift_message": "gift message",
    "weight_grams": "weight",
    "length_cm": "length",
    "width_cm": "width",
    "height_cm": "height",
    "carrier_code": "carrier",
    "service_code": "service",
    "package_code": "package",
    "confirmation": "confirmation",
    "warehouse": "ship-from warehouse",
    "custom_field1": "custom field 1",
    "custom_field2": "custom field 2",
    "custom_field3": "custom field 3",
}
ITEM_SELLER_FIELDS = {"weight_grams": "weight", "warehouse_location": "warehouse location"}


def check_open(order: Order) -> None:
    if order.status not in OPEN_STATUSES:
        raise OrderActionError(
            _(
                "order %(number)s is %(status)s: only orders awaiting payment, "
                "awaiting shipment or on hold can be updated"
            )
            % {"number": order.order_number, "status": order.status}
        )


def _differs(current, new) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        if current is None or new is None:
            return current is not new
        return Decimal(current) != Decimal(new)
    return current != new


def update_seller_fields(order: Order, *, user=None, source: str = "user", **values) -> list[str]:
    """Set seller-owned order fields (see SELLER_FIELDS); return the names of those that changed.

    Fields Back Market owns cannot be set here: imports refresh them.
    """
    unknown = set(values) - set(SELLER_FIELDS)
    if unknown:
        raise OrderActionError(f"cannot set {', '.join(sorted(unknown))} on an order")
    check_open(order)
    changed = [name for name, value in values.items() if _differs(getattr(order, name), value)]
    if not changed:
        return []
    for name in changed:
        setattr(order, name, values[name])
    order.save(update_fields=[*changed, "modified_at"])
    record(
        order,
        "edited",
        f"Edited {', '.join(SELLER_FIELDS[name] for name in changed)}.",
        source=source,
        user=user,
        fields=changed,
    )
    return changed


def update_item_seller_fields(
    item: OrderItem, *, user=None, source: str = "user", **values
) -> list[str]:
    """Set an item's weight (per unit) or warehouse location; return what changed."""
    unknown = set(values) - set(ITEM_SELLER_FIELDS)
    if unknown:
        raise OrderActionError(f"cannot set {', '.join(sorted(unknown))} on an item")
    check_open(item.order)
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(item, name, values[name])
    item.save(update_fields=[*changed, "modified_at"])
    record(
        item.order,
        "item_edited",
        f"Edited {' and '.join(ITEM_SELLER_FIELDS[name] for name in changed)} of {item.sku}.",
        source=source,
        user=user,
        sku=item.sku,
        fields=changed,
    )
    return changed


def set_tags(order: Order, tags: list[Tag], *, user=None, source: str = "user") -> Order:
    """Make the order's tags exactly these, through add_tag / remove_tag."""
    current = {t.pk: t for t in order.tags.all()}
    wanted = {t.pk: t for t in tags}
    for pk, tag in current.items():
        if pk not in wanted:
            remove_tag(order, tag, user=user, source=source)
    for pk, tag in wanted.items():
        if pk not in current:
            add_tag(order, tag, user=user, source=source)
    return order


def delete_order(order: Order, *, user=None, source: str = "user") -> Order:
    """Hide the order from lists (soft delete); imports keep updating it."""
    if order.deleted:
        raise OrderActionError(
            _("order %(number)s is already deleted") % {"number": order.order_number}
        )
    order.deleted = True
    order.save(update_fields=["deleted", "modified_at"])
    record(order, "deleted", "Deleted (hidden from order lists).", source=source, user=user)
    return order
