"""What people (and scripts) do to orders. The CLI, the web UI and the REST API call these."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shipdesk.backmarket import CANCELLED_LINE_STATES, LineState, ReturnReason
from shipdesk.orders.backmarket_updates import queue_update
from shipdesk.orders.history import RETURN_REASONS, record
from shipdesk.orders.imei import (
    NotesReading,
    NotesUnit,
    imei_error,
    is_phone,
    normalise_imei,
    read_notes,
    serial_error,
)
from shipdesk.orders.models import ItemUnit, Order, OrderItem, Product, Tag
from shipdesk.orders.status import AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD
from shipdesk.outbox import engine
from shipdesk.outbox.models import Message


class OrderActionError(Exception):
    """The action was refused; the message says why, in the user's words and language."""


class DuplicateIdentifier(OrderActionError):
    """The IMEI / serial number is already on another unit. `reason` says so without naming an
    override: each interface names its own (a CLI flag, a button)."""

    def __init__(self, value: str, order_number: str):
        self.value, self.order_number = value, order_number
        self.reason = _("%(value)s is already used on order %(number)s") % {
            "value": value,
            "number": order_number,
        }
        super().__init__(
            _("%(value)s is already used on order %(number)s; override only if you are sure")
            % {"value": value, "number": order_number}
        )


class IdentifierAlreadySet(OrderActionError):
    """The unit already has a value: replacing it must be asked for (a typing error fixed
    before anything went to Back Market)."""

    def __init__(self, sku: str, unit: int, value: str):
        self.sku, self.unit, self.value = sku, unit, value
        super().__init__(
            _("%(sku)s unit %(unit)s already has %(value)s")
            % {"sku": sku, "unit": unit, "value": value}
        )


def lock(order: Order) -> Order:
    """Inside a transaction: take the order's row lock and reload it, so that checks made
    next see what a concurrent action committed. PostgreSQL locks the row (SELECT ... FOR
    UPDATE); on SQLite, BEGIN IMMEDIATE (settings.py) already holds the database's write lock.
    Every action that checks the order's state and then writes goes through here."""
    order.refresh_from_db(from_queryset=Order.objects.select_for_update())
    return order


def _no_item(order: Order, sku: str) -> str:
    return _("order %(number)s has no item with SKU %(sku)r") % {
        "number": order.order_number,
        "sku": sku,
    }


def _refuse_unless_backmarket(order: Order) -> None:
    """Accepting, cancelling and refunding are Back Market's: a manual order has none."""
    if not order.store.is_backmarket:
        raise OrderActionError(
            _("order %(number)s is a manual order: Back Market knows nothing of it")
            % {"number": order.order_number}
        )


def _claim_lines(lines: list[OrderItem], state: LineState) -> None:
    """Move lines to the state the queued Back Market update gives them ("accepting",
    "cancelling"): a concurrent action then finds them taken and queues nothing. The update's
    sender gives them back (awaiting acceptance) if Back Market refuses it."""
    OrderItem.objects.filter(pk__in=[i.pk for i in lines]).update(
        channel_state=state, modified_at=timezone.now()
    )
    for item in lines:
        item.channel_state = state


def _deliver_now(messages: list[Message], refusal: str) -> None:
    """Send queued Back Market updates at once (after commit), for a person waiting for the
    answer: a refusal raises with Back Market's reason; no answer yet raises too, saying the
    outbox will retry. `refusal` says what was refused, with %(sku)s and %(reason)s."""
    for message in messages:
        engine.deliver(message.pk)
    for message in Message.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk"):
        sku = message.payload.get("sku", "")
        if message.status in (Message.Status.FAILED, Message.Status.DEAD):
            raise OrderActionError(refusal % {"sku": sku, "reason": message.last_error})
        if message.status == Message.Status.PENDING:
            raise OrderActionError(
                _(
                    "Back Market has not answered for %(sku)s yet (%(reason)s); shipdesk will "
                    "send the update again by itself"
                )
                % {"sku": sku, "reason": message.last_error or _("not sent yet")}
            )


def accept_order(order: Order, *, skus=None, user=None, source="user", now=True) -> Order:
    """Accept the order's paid lines (all, or those with the given SKUs) on Back Market.

    The lines are claimed under the order's lock, in the same transaction as one outbox
    message per line: of two accepts at once (two people, or a person and the import's
    auto-accept) the second finds nothing left to accept. With `now` the acceptance is sent
    at once after commit and a refusal raises (the line awaits acceptance again, the refusal
    in the history); without, the outbox's worker sends it.
    """
    _refuse_unless_backmarket(order)
    with transaction.atomic():
        lock(order)
        lines = [
            i
            for i in order.items.all()
            if i.channel_state == LineState.AWAITING_ACCEPTANCE and (not skus or i.sku in skus)
        ]
        if not lines:
            raise OrderActionError(
                _("order %(number)s has no line awaiting acceptance")
                % {"number": order.order_number}
            )
        messages = [
            _queue_line_update(order, item, "accept", LineState.ACCEPTED, user, source, now)
            for item in lines
        ]
    return _sent_now(order, messages, now, _("Back Market refused to accept %(sku)s: %(reason)s"))


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


def _checked_value(imei: str, serial_number: str) -> tuple[str, str]:
    """(IMEI, serial number), exactly one of them given, normalised and validated."""
    if bool(imei) == bool(serial_number):
        raise OrderActionError(_("give either an IMEI or a serial number"))
    if imei:
        imei = normalise_imei(imei)
        if error := imei_error(imei):
            raise OrderActionError(error)
        return imei, ""
    serial_number = serial_number.strip()
    if error := serial_error(serial_number):
        raise OrderActionError(error)
    return "", serial_number


def _units_of(order: Order, sku: str) -> list[ItemUnit]:
    items = [i for i in order.items.all() if i.sku == sku]
    if not items:
        raise OrderActionError(_no_item(order, sku))
    return [u for i in items for u in i.units.all()]


def _unit_numbered(units: list[ItemUnit], sku: str, unit: int) -> ItemUnit:
    target = next((u for u in units if u.index == unit - 1), None)
    if target is None:
        raise OrderActionError(_("%(sku)s has no unit %(unit)s") % {"sku": sku, "unit": unit})
    return target


def _refuse_if_sent(target: ItemUnit, sku: str) -> None:
    # Back Market never lets a value it received be corrected: what it has is final.
    if target.sent_at:
        raise OrderActionError(
            _("%(sku)s unit %(unit)s was already sent to Back Market and cannot be corrected")
            % {"sku": sku, "unit": target.index + 1}
        )


def set_identifiers(
    order: Order,
    *,
    sku: str,
    values: list[tuple[str, str]],
    unit: int | None = None,
    replace: bool = False,
    allow_duplicate: bool = False,
    user=None,
    source: str = "user",
) -> list[ItemUnit]:
    """Record IMEIs / serial numbers on units of one SKU: all of them, or none.

    `values` holds one (imei, serial_number) pair per unit, one of the two given. Without
    `unit` they fill the units that have none yet, in order; with `unit` (numbered from 1)
    the one value goes to that unit, and `replace` corrects a value already there. Every
    value is validated (Luhn, length, reuse) before anything is saved.
    """
    checked = [_checked_value(imei, serial) for imei, serial in values]
    if not checked:
        raise OrderActionError(_("give either an IMEI or a serial number"))
    given = [imei or serial for imei, serial in checked]
    twice = next((value for value in given if given.count(value) > 1), None)
    if twice is not None:
        raise OrderActionError(_("%(value)s is given twice") % {"value": twice})
    with transaction.atomic():
        lock(order)
        units = _units_of(order, sku)
        if unit is not None:
            if len(checked) != 1:
                raise OrderActionError(
                    _("give one IMEI or serial number for unit %(unit)s") % {"unit": unit}
                )
            targets = [_unit_numbered(units, sku, unit)]
        else:
            targets = [u for u in units if not (u.imei or u.serial_number)]
            if not targets:
                raise OrderActionError(
                    _("every unit of %(sku)s already has an IMEI / serial number") % {"sku": sku}
                )
            if len(targets) < len(checked):
                raise OrderActionError(
                    _(
                        "%(sku)s has %(free)s unit(s) without an IMEI / serial number but "
                        "%(given)s values were given; nothing was saved"
                    )
                    % {"sku": sku, "free": len(targets), "given": len(checked)}
                )
            targets = targets[: len(checked)]
        for target in targets:
            _refuse_if_sent(target, sku)
            if (target.imei or target.serial_number) and not replace:
                raise IdentifierAlreadySet(
                    sku, target.index + 1, target.imei or target.serial_number
                )
        if not allow_duplicate:
            for imei, serial in checked:
                other = (
                    ItemUnit.objects.filter(
                        **({"imei": imei} if imei else {"serial_number": serial})
                    )
                    .exclude(pk__in=[t.pk for t in targets])
                    .select_related("item__order")
                    .first()
                )
                if other is not None:
                    raise DuplicateIdentifier(imei or serial, other.item.order.order_number)
        for target, (imei, serial) in zip(targets, checked, strict=True):
            previous = target.imei or target.serial_number
            target.imei, target.serial_number = imei, serial
            target.save(update_fields=["imei", "serial_number"])
            record(
                order,
                "identifier_set",
                source=source,
                user=user,
                identifier="imei" if imei else "serial_number",
                value=imei or serial,
                sku=sku,
                unit=target.index + 1,
                previous=previous,
            )
    return targets


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
) -> ItemUnit:
    """Record one unit's IMEI or serial number (see set_identifiers). With `unit`, what the
    unit had is replaced: the order page's field for that unit is the correction."""
    [target] = set_identifiers(
        order,
        sku=sku,
        values=[(imei, serial_number)],
        unit=unit,
        replace=unit is not None,
        allow_duplicate=allow_duplicate,
        user=user,
        source=source,
    )
    return target


def clear_identifier(
    order: Order, *, sku: str, unit: int, user=None, source: str = "user"
) -> ItemUnit:
    """Remove a unit's IMEI / serial number typed by mistake, until Back Market has it."""
    with transaction.atomic():
        lock(order)
        target = _unit_numbered(_units_of(order, sku), sku, unit)
        _refuse_if_sent(target, sku)
        previous = target.imei or target.serial_number
        if not previous:
            raise OrderActionError(
                _("%(sku)s unit %(unit)s has no IMEI / serial number to clear")
                % {"sku": sku, "unit": unit}
            )
        target.imei = target.serial_number = ""
        target.save(update_fields=["imei", "serial_number"])
        record(
            order,
            "identifier_cleared",
            source=source,
            previous=previous,
            user=user,
            sku=sku,
            unit=unit,
        )
    return target


def notes_units(order: Order) -> list[NotesUnit]:
    """The order's units needing an IMEI / serial number, in item order, for `read_notes`.
    An item the catalogue asks one for but whose title is no phone's takes a serial number."""
    return [
        NotesUnit(
            item.sku,
            unit.index + 1,
            takes_serial=not is_phone(title=item.name, brand=item.brand),
            recorded=unit.imei or unit.serial_number,
        )
        for item, units in items_needing_identifiers(order)
        for unit in units
    ]


def read_identifiers_from_notes(order: Order) -> NotesReading:
    """What the order's Internal Notes give each unit, and what cannot be read."""
    return read_notes(order.internal_notes, notes_units(order))


def fill_identifiers_from_notes(order: Order, *, user=None, source="user") -> tuple[int, list[str]]:
    """Record the IMEIs / serial numbers read from Internal Notes on their units.

    Returns (units filled, problems). Nothing doubtful is recorded (see `read_notes`).
    """
    reading = read_identifiers_from_notes(order)
    filled, problems = 0, list(reading.problems)
    for value in reading.to_fill():
        try:
            # Not `replace`: a unit given a number meanwhile keeps it.
            set_identifiers(
                order,
                sku=value.sku,
                values=[(value.imei, value.serial_number)],
                unit=value.unit,
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
    with transaction.atomic():
        lock(order)
        changed = {}
        if internal is not None and internal != order.internal_notes:
            changed["internal_notes"] = internal
        if to_buyer is not None and to_buyer != order.notes_to_buyer:
            changed["notes_to_buyer"] = to_buyer
        if changed:
            for name, value in changed.items():
                setattr(order, name, value)
            # Only what changed: a note edited meanwhile by someone else stays.
            order.save(update_fields=[*changed, "modified_at"])
            record(order, "notes", source=source, user=user, fields=list(changed))
    return order


def hold(order: Order, *, until=None, user=None, source="user") -> Order:
    with transaction.atomic():
        lock(order)
        if order.status not in (AWAITING_SHIPMENT, ON_HOLD):
            raise OrderActionError(
                _("only orders awaiting shipment can be put on hold (this one is %(status)s)")
                % {"status": order.status}
            )
        order.on_hold, order.hold_until_date, order.status = True, until, ON_HOLD
        order.save(update_fields=["on_hold", "hold_until_date", "status", "modified_at"])
        record(
            order,
            "hold",
            source=source,
            user=user,
            until=str(until) if until else "",
        )
    return order


def release(order: Order, *, user=None, source="user") -> Order:
    with transaction.atomic():
        lock(order)
        if not order.on_hold:
            raise OrderActionError(
                _("order %(number)s is not on hold") % {"number": order.order_number}
            )
        order.on_hold, order.hold_until_date = False, None
        if order.status == ON_HOLD:
            order.status = AWAITING_SHIPMENT
        order.save(update_fields=["on_hold", "hold_until_date", "status", "modified_at"])
        record(order, "release", source=source, user=user)
    return order


def add_tag(order: Order, tag, *, user=None, source="user") -> Order:
    order.tags.add(tag)
    record(order, "tag_added", source=source, user=user, tag=tag.name)
    return order


def remove_tag(order: Order, tag, *, user=None, source="user") -> Order:
    order.tags.remove(tag)
    record(order, "tag_removed", source=source, user=user, tag=tag.name)
    return order


def cancel_line(
    order: Order, *, sku: str, reason: str = "out of stock", user=None, source="user", now=True
) -> Order:
    """Cancel a line on Back Market before acceptance (e.g. out of stock).

    Like accept_order: the line is claimed under the order's lock with its outbox message, so
    a concurrent cancel or accept of the same line queues nothing; `now` sends it at once.
    """
    _refuse_unless_backmarket(order)
    with transaction.atomic():
        lock(order)
        item = next((i for i in order.items.all() if i.sku == sku), None)
        if item is None:
            raise OrderActionError(_no_item(order, sku))
        if item.channel_state in CANCELLED_LINE_STATES:
            raise OrderActionError(_("%(sku)s is already cancelled") % {"sku": sku})
        if item.channel_state != LineState.AWAITING_ACCEPTANCE:
            raise OrderActionError(
                _(
                    "%(sku)s can be cancelled only before acceptance; refund it in Back Market's Back Office"
                )
                % {"sku": sku}
            )
        message = _queue_line_update(
            order, item, "cancel", LineState.CANCELLED, user, source, now, reason=reason
        )
    return _sent_now(order, [message], now, _("Back Market refused to cancel %(sku)s: %(reason)s"))


def _queue_line_update(order, item, action, state, user, source, now, **payload) -> Message:
    """Claim the line for its update (see _claim_lines) and queue the update, in the
    caller's transaction; with `now`, the caller sends it after commit (_sent_now)."""
    _claim_lines([item], state)
    return queue_update(
        order,
        action,
        key=str(item.pk),
        line=item.channel_line_id,
        sku=item.sku,
        user=user,
        source=source,
        enqueue=not now,
        **payload,
    )


def _sent_now(order: Order, messages: list[Message], now: bool, refusal: str) -> Order:
    if now:
        _deliver_now(messages, refusal)
        order.refresh_from_db()
    return order


def refund_line(
    order: Order,
    *,
    sku: str,
    reason: int | str | None = None,
    message: str = "",
    user=None,
    source="user",
    now=True,
) -> Order:
    """Refund a line on Back Market: an accepted line that cannot be shipped (before
    shipping), or a shipped line that came back (after shipping: Back Market's return reason
    is required: its code, as a number or digits). Claimed and queued as cancel_line does."""
    _refuse_unless_backmarket(order)
    reason = _return_reason(reason)
    if len(message) > RETURN_MESSAGE_MAX:
        raise OrderActionError(
            _("the return message is too long (at most %(max)s characters)")
            % {"max": RETURN_MESSAGE_MAX}
        )
    with transaction.atomic():
        lock(order)
        lines = [i for i in order.items.all() if i.sku == sku]
        if not lines:
            raise OrderActionError(_no_item(order, sku))
        refundable = (LineState.ACCEPTED, LineState.SHIPPED)
        item = next((i for i in lines if i.channel_state in refundable), lines[0])
        if item.channel_state in CANCELLED_LINE_STATES:
            raise OrderActionError(_("%(sku)s is already cancelled or refunded") % {"sku": sku})
        if item.channel_state not in refundable:
            raise OrderActionError(
                _("%(sku)s is not accepted yet: cancel it instead") % {"sku": sku}
            )
        shipped = item.channel_state == LineState.SHIPPED
        if shipped and reason is None:
            raise OrderActionError(
                _("%(sku)s was shipped: give Back Market's return reason (%(reasons)s)")
                % {"sku": sku, "reasons": return_reasons_said()}
            )
        previous = item.channel_state
        new_state = (
            LineState.REFUNDED_AFTER_SHIPPING if shipped else LineState.REFUNDED_BEFORE_SHIPPING
        )
        queued = _queue_line_update(
            order,
            item,
            "refund",
            new_state,
            user,
            source,
            now,
            new_state=int(new_state),
            previous=int(previous),
            return_reason=reason,
            return_message=message,
        )
    return _sent_now(order, [queued], now, _("Back Market refused to refund %(sku)s: %(reason)s"))


RETURN_MESSAGE_MAX = 500  # Back Market's limit


def _return_reason(value: int | str | None) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit() and int(text) in set(ReturnReason):
        return int(text)
    raise OrderActionError(
        _("unknown return reason %(reason)s; use one of: %(reasons)s")
        % {"reason": value, "reasons": return_reasons_said()}
    )


def return_reasons_said() -> str:
    """Back Market's return reasons, code and name: what to type."""
    return ", ".join(f"{int(code)} {name}" for code, name in RETURN_REASONS.items())


# ShipStation's rule: only open orders can be updated.
OPEN_STATUSES = (AWAITING_PAYMENT, AWAITING_SHIPMENT, ON_HOLD)

# Order and item fields the seller owns (the history names them: history.FIELDS).
SELLER_FIELDS = frozenset(
    {
        "customer_notes",
        "gift",
        "gift_message",
        "weight_grams",
        "length_cm",
        "width_cm",
        "height_cm",
        "carrier_code",
        "service_code",
        "package_code",
        "confirmation",
        "warehouse",
        "custom_field1",
        "custom_field2",
        "custom_field3",
    }
)
ITEM_SELLER_FIELDS = frozenset({"weight_grams", "warehouse_location"})


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
    unknown = set(values) - SELLER_FIELDS
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
        source=source,
        user=user,
        fields=changed,
    )
    return changed


def update_item_seller_fields(
    item: OrderItem, *, user=None, source: str = "user", **values
) -> list[str]:
    """Set an item's weight (per unit) or warehouse location; return what changed."""
    unknown = set(values) - ITEM_SELLER_FIELDS
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
    """Hide the order from lists (soft delete); imports keep updating it; restore_order
    brings it back."""
    return _set_deleted(
        order,
        True,
        refusal=_("order %(number)s is already deleted"),
        event="deleted",
        user=user,
        source=source,
    )


def restore_order(order: Order, *, user=None, source: str = "user") -> Order:
    """Bring a deleted order back into the lists, as it is now (imports kept it current)."""
    return _set_deleted(
        order,
        False,
        refusal=_("order %(number)s is not deleted"),
        event="restored",
        user=user,
        source=source,
    )


def _set_deleted(order: Order, deleted: bool, *, refusal: str, event, user, source) -> Order:
    with transaction.atomic():
        lock(order)
        if order.deleted == deleted:
            raise OrderActionError(refusal % {"number": order.order_number})
        order.deleted = deleted
        order.save(update_fields=["deleted", "modified_at"])
        record(order, event, source=source, user=user)
    return order
