"""Shipping rules applied to orders: at import, and again on demand.

The import gives each page's new orders to `apply_at_import`: a few queries for the whole
page whatever its size (rules, orders, products, accounts), one UPDATE per distinct outcome
and one insert of history entries, inside the page's transaction. `apply_rules_to` (and
`apply_rules` for one order) re-applies them to orders people selected, under their row
locks, keeping what was set by hand (see ShippingRule). Each rule that changed something
gets a history entry (`rule_applied`) saying what it set; `rule_choices` reads them back
("service chosen by rule X").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shipdesk.carriers.models import CarrierAccount
from shipdesk.core.bulk import insert_rows
from shipdesk.orders import history
from shipdesk.orders.actions import OPEN_STATUSES, OrderActionError
from shipdesk.orders.models import Order, OrderEvent, Product, Tag
from shipdesk.orders.status import AWAITING_SHIPMENT, ON_HOLD
from shipdesk.rules.conditions import Actions, Conditions, OrderFacts, size_text
from shipdesk.rules.models import ShippingRule
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.stores.models import Warehouse

# What a rule sets, each as one piece: the history and "set by hand" speak of these.
SERVICE, PACKAGE, WEIGHT, DIMENSIONS, HOLD, WAREHOUSE, TAG = (
    "service",
    "package",
    "weight",
    "dimensions",
    "hold",
    "warehouse",
    "tag",
)
# Order fields a person edits ("edited" entries) -> the piece of a rule's work they are.
EDITED = {
    "carrier_code": SERVICE,
    "carrier_account": SERVICE,
    "service_code": SERVICE,
    "package_code": PACKAGE,
    "weight_grams": WEIGHT,
    "length_cm": DIMENSIONS,
    "width_cm": DIMENSIONS,
    "height_cm": DIMENSIONS,
    "warehouse": WAREHOUSE,
}
# History entries written by people and scripts (never by the rules or the import).
BY_HAND = ("edited", "hold", "release", "tag_removed")


@dataclass(frozen=True)
class Applied:
    """What one rule did to one order: (piece, value shown) set, pieces kept as set by hand."""

    rule: str
    rule_id: int
    set: tuple[tuple[str, str], ...] = ()
    kept: tuple[str, ...] = ()

    def params(self) -> dict:
        """The history entry's parameters (kind `rule_applied`)."""
        return {
            "rule": self.rule,
            "rule_id": self.rule_id,
            "set": [list(pair) for pair in self.set],
            "kept": list(self.kept),
        }

    def __str__(self) -> str:
        return history.render("rule_applied", self.params()) or self.rule


@dataclass
class Outcome:
    """Rules applied to selected orders: what each rule did to each order; refusals."""

    applied: list[tuple[Order, list[Applied]]] = field(default_factory=list)
    refused: list[tuple[Order, str]] = field(default_factory=list)  # (order, reason)


def facts(order: Order, products: dict[str, Product]) -> OrderFacts:
    """What the conditions look at (reads prefetched items and the ship-to address)."""
    items = order.live_items()
    return OrderFacts(
        requested_service=order.requested_shipping_service,
        shippers=frozenset(i.requested_shipper.casefold() for i in items if i.requested_shipper),
        delays=frozenset(
            i.shipping_delay_hours for i in items if i.shipping_delay_hours is not None
        ),
        country=(order.ship_to.country or "").upper(),
        skus=tuple(i.sku for i in items),
        items=sum(i.quantity for i in items),
        weight_grams=order.parcel(products).weight_grams,
        total=order.order_total,
        backship=order.is_backship,
    )


@dataclass(frozen=True)
class _Rule:
    rule: ShippingRule
    when: Conditions
    then: Actions


@dataclass
class _Context:
    """What applying needs besides the orders, read once for all of them."""

    rules: dict[int, list[_Rule]]  # store id -> active rules, in order
    accounts: dict[int, CarrierAccount]
    warehouses: dict[int, Warehouse]
    products: dict[str, Product]
    tags: dict[int, set[str]]  # order id -> its tags' names
    today: Any


def _context(orders: list[Order], rules: list[ShippingRule]) -> _Context:
    by_store: dict[int, list[_Rule]] = defaultdict(list)
    for rule in rules:
        by_store[rule.store_id].append(_Rule(rule, rule.when, rule.then))
    actions = [r.then for store_rules in by_store.values() for r in store_rules]
    account_ids = {a.carrier_account for a in actions if a.carrier_account}
    warehouse_ids = {a.warehouse for a in actions if a.warehouse}
    skus = {item.sku for order in orders for item in order.live_items()}
    tags: dict[int, set[str]] = defaultdict(set)  # read apart: no Tag object per order
    for order_id, name in Order.tags.through.objects.filter(
        order_id__in=[o.pk for o in orders]
    ).values_list("order_id", "tag__name"):
        tags[order_id].add(name)
    return _Context(
        rules=by_store,
        accounts=CarrierAccount.objects.in_bulk(account_ids) if account_ids else {},
        warehouses=Warehouse.objects.in_bulk(warehouse_ids) if warehouse_ids else {},
        products={p.sku: p for p in Product.objects.filter(sku__in=skus)} if skus else {},
        tags=tags,
        today=timezone.localdate(),
    )


def _service_name(account: CarrierAccount, code: str) -> str:
    carrier = CARRIERS.get(account.carrier_code)
    return f"{carrier.services.get(code, code) if carrier else code} ({account.name})"


def _effects(then: Actions, context: _Context) -> dict[str, tuple[dict, str]]:
    """piece -> (order fields, value shown) for what `then` sets, but its tag."""
    effects = {}
    account = context.accounts.get(then.carrier_account or 0)
    if account is not None:  # None: the account was deleted since; nothing to choose
        effects[SERVICE] = (
            {
                "carrier_account_id": account.pk,
                "carrier_code": account.carrier_code,
                "service_code": then.service_code,
            },
            _service_name(account, then.service_code),
        )
    if then.package_code:
        effects[PACKAGE] = ({"package_code": then.package_code}, then.package_code)
    if then.weight_grams:
        effects[WEIGHT] = ({"weight_grams": then.weight_grams}, f"{then.weight_grams} g")
    if then.dimensions:
        effects[DIMENSIONS] = (
            dict(zip(("length_cm", "width_cm", "height_cm"), then.dimensions, strict=True)),
            size_text(then.dimensions) + " cm",
        )
    if then.hold_until or then.hold_days:
        until = then.hold_until or context.today + timedelta(days=then.hold_days)
        effects[HOLD] = ({"on_hold": True, "hold_until_date": until}, until.isoformat())
    warehouse = context.warehouses.get(then.warehouse or 0)
    if warehouse is not None:
        effects[WAREHOUSE] = ({"warehouse_id": warehouse.pk}, warehouse.name)
    return effects


@dataclass
class _Hand:
    """What people set on an order by hand since its import."""

    pieces: set[str] = field(default_factory=set)
    removed_tags: set[str] = field(default_factory=set)


def _by_hand(events: Iterable[OrderEvent]) -> dict[int, _Hand]:
    hands: dict[int, _Hand] = defaultdict(_Hand)
    for event in events:
        hand = hands[event.order_id]
        if event.kind == "edited":
            hand.pieces.update(EDITED[f] for f in event.data.get("fields", ()) if f in EDITED)
        elif event.kind in ("hold", "release"):
            hand.pieces.add(HOLD)
        elif event.kind == "tag_removed" and event.data.get("tag"):
            hand.removed_tags.add(event.data["tag"])
    return hands


@dataclass
class _Change:
    order: Order
    fields: dict = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)


def _change(order: Order, context: _Context, hand: _Hand) -> _Change:
    """What the store's rules change on `order`: later rules overwrite earlier ones."""
    described = facts(order, context.products)
    matched = [r for r in context.rules.get(order.store_id, []) if r.when.matches(described)]
    final: dict[str, tuple[ShippingRule, dict, str]] = {}
    tags: dict[str, ShippingRule] = {}
    for rule in matched:
        for piece, (fields, shown) in _effects(rule.then, context).items():
            final[piece] = (rule.rule, fields, shown)
        if rule.then.tag:
            tags.setdefault(rule.then.tag, rule.rule)
    change = _Change(order)
    said: dict[int, tuple[list, list]] = {r.rule.pk: ([], []) for r in matched}
    for piece, (rule, fields, shown) in final.items():
        if piece in hand.pieces:
            said[rule.pk][1].append(piece)
            continue
        if piece == HOLD and order.status == AWAITING_SHIPMENT:
            fields = {**fields, "status": ON_HOLD}
        if any(getattr(order, name) != value for name, value in fields.items()):
            change.fields.update(fields)
            said[rule.pk][0].append((piece, shown))
    current = context.tags.get(order.pk, set())
    for name, rule in tags.items():
        if name in hand.removed_tags:
            said[rule.pk][1].append(TAG)
        elif name not in current:
            change.tags.append(name)
            said[rule.pk][0].append((TAG, name))
    change.applied = [
        Applied(r.rule.name, r.rule.pk, tuple(said[r.rule.pk][0]), tuple(said[r.rule.pk][1]))
        for r in matched
        if any(said[r.rule.pk])
    ]
    return change


def _write(changes: list[_Change], *, source: str, user) -> None:
    """Save the changes: one UPDATE per distinct set of values, tags and history in bulk."""
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for change in changes:
        if change.fields:
            groups[tuple(sorted(change.fields.items()))].append(change.order.pk)
        for name, value in change.fields.items():
            setattr(change.order, name, value)
    for values, pks in groups.items():
        Order.objects.filter(pk__in=pks).update(**dict(values), modified_at=now)
    names = {name for change in changes for name in change.tags}
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in sorted(names)}
    Order.tags.through.objects.bulk_create(
        [
            Order.tags.through(order_id=change.order.pk, tag_id=tags[name].pk)
            for change in changes
            for name in change.tags
        ],
        ignore_conflicts=True,
    )
    insert_rows(
        OrderEvent,
        [
            {
                "order_id": change.order.pk,
                "source": source,
                "user_id": getattr(user, "pk", None),
                **history.entry("rule_applied", **applied.params()),
            }
            for change in changes
            for applied in change.applied
            if applied.set  # a rule that only kept what was set by hand changed nothing
        ],
    )


def _orders(ids: Iterable[int]):
    return (
        Order.objects.filter(pk__in=list(ids)).select_related("ship_to").prefetch_related("items")
    )


def _active_rules(store_ids: Iterable[int]) -> list[ShippingRule]:
    return list(
        ShippingRule.objects.filter(store_id__in=set(store_ids), active=True).order_by(
            "store_id", "position", "id"
        )
    )


def apply_at_import(store_id: int, order_ids: list[int]) -> None:
    """Apply the store's rules to orders the import just created (inside its transaction).

    Open orders only: one imported already shipped or cancelled has nothing to prepare.
    """
    if not order_ids:
        return
    rules = _active_rules([store_id])
    if not rules:
        return
    # Filtered by the database: a first import brings many orders shipped long ago.
    orders = list(_orders(order_ids).filter(status__in=OPEN_STATUSES))
    context = _context(orders, rules)
    _write([_change(o, context, _Hand()) for o in orders], source="import", user=None)


def apply_rules_to(orders: Iterable[Order], *, user=None, source: str = "user") -> Outcome:
    """Apply their stores' rules again to these orders, keeping what was set by hand.

    Orders no longer open (shipped, cancelled) are refused, each with its reason. The
    orders given are updated in place.
    """
    given = {o.pk: o for o in orders}
    outcome = Outcome()
    with transaction.atomic():
        locked = list(_orders(given).select_for_update(of=("self",)).order_by("order_date", "pk"))
        open_orders = []
        for order in locked:
            if order.status in OPEN_STATUSES and not order.deleted:
                open_orders.append(order)
            else:
                outcome.refused.append(
                    (
                        order,
                        _("order %(number)s is %(status)s: rules apply to open orders only")
                        % {"number": order.order_number, "status": order.status},
                    )
                )
        context = _context(open_orders, _active_rules(o.store_id for o in open_orders))
        hands = _by_hand(
            OrderEvent.objects.filter(
                order__in=[o.pk for o in open_orders], kind__in=BY_HAND
            ).order_by("at", "id")
        )
        changes = [_change(o, context, hands.get(o.pk, _Hand())) for o in open_orders]
        _write(changes, source=source, user=user)
    for change in changes:
        outcome.applied.append((change.order, change.applied))
        for name, value in change.fields.items():
            setattr(given[change.order.pk], name, value)
    return outcome


def apply_rules(order: Order, *, user=None, source: str = "user") -> list[Applied]:
    """Apply the order's store's rules to it again (see apply_rules_to): what each set.

    Raises OrderActionError when the order is no longer open.
    """
    outcome = apply_rules_to([order], user=user, source=source)
    if outcome.refused:
        raise OrderActionError(outcome.refused[0][1])
    return outcome.applied[0][1] if outcome.applied else []


def rule_choices(events: Iterable[OrderEvent]) -> dict[str, str]:
    """piece -> name of the rule whose value the order has now, from its history (oldest
    first): a piece changed by hand since is no longer the rule's."""
    chosen: dict[str, str] = {}
    for event in events:
        if event.kind == "rule_applied":
            for piece, _shown in event.data.get("set", ()):
                chosen[piece] = event.data.get("rule", "")
        elif event.kind in BY_HAND:
            for piece in _by_hand([event]).get(event.order_id, _Hand()).pieces:
                chosen.pop(piece, None)
    return chosen


def chosen_by(order: Order) -> dict[str, str]:
    """piece -> name of the rule whose value the order has now (see rule_choices)."""
    return rule_choices(
        order.events.filter(kind__in=("rule_applied", *BY_HAND)).order_by("at", "id")
    )
