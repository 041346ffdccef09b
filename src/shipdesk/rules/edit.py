"""Adding, changing, moving and removing a store's shipping rules (the CLI and the web UI
call these). A store's rules are numbered 1, 2, 3… in the order they run."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shipdesk.carriers.models import CarrierAccount
from shipdesk.rules.conditions import Actions, Conditions, RuleError, parse
from shipdesk.rules.models import ShippingRule
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.stores.models import Store, Warehouse

NAME_LENGTH = ShippingRule._meta.get_field("name").max_length


def _check_references(actions: Actions) -> None:
    """The account and the warehouse exist, and the service is one of the account's."""
    if actions.carrier_account is not None:
        account = CarrierAccount.objects.filter(pk=actions.carrier_account).first()
        if account is None:
            raise RuleError(
                _("no carrier account %(id)s") % {"id": actions.carrier_account}, "carrier_account"
            )
        carrier = CARRIERS.get(account.carrier_code)
        services = carrier.services if carrier else {}
        if services and actions.service_code not in services:
            raise RuleError(
                _("%(service)s is not a service of %(carrier)s; expected one of %(services)s")
                % {
                    "service": actions.service_code,
                    "carrier": carrier.name,
                    "services": ", ".join(services),
                },
                "service_code",
            )
    if (
        actions.warehouse is not None
        and not Warehouse.objects.filter(pk=actions.warehouse).exists()
    ):
        raise RuleError(_("no warehouse %(id)s") % {"id": actions.warehouse}, "warehouse")


def _checked_name(store: Store, name: str, rule: ShippingRule | None) -> str:
    name = (name or "").strip()
    if not name:
        raise RuleError(_("give the rule a name"), "name")
    if len(name) > NAME_LENGTH:
        raise RuleError(
            _("the name is longer than %(length)s characters") % {"length": NAME_LENGTH}, "name"
        )
    others = ShippingRule.objects.filter(store=store, name=name)
    if rule is not None:
        others = others.exclude(pk=rule.pk)
    if others.exists():
        raise RuleError(
            _("store %(store)s already has a rule named %(name)s")
            % {"store": store.name, "name": name},
            "name",
        )
    return name


def _renumber(store_id: int, rule: ShippingRule | None = None, position: int | None = None):
    """Number the store's rules 1, 2, 3… in their order, `rule` put at `position` (1 first;
    None or past the end: last) and saved whole."""
    others = list(
        ShippingRule.objects.filter(store_id=store_id)
        .exclude(pk=rule.pk if rule else None)
        .select_for_update()
        .order_by("position", "id")
    )
    if rule is not None:
        index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
        others.insert(index, rule)
    for number, each in enumerate(others, start=1):
        if each is rule:
            each.position = number
            each.save()
        elif each.position != number:
            each.position = number
            each.save(update_fields=["position", "modified_at"])


def save_rule(
    store: Store,
    *,
    name: str,
    conditions: dict,
    actions: dict,
    active: bool = True,
    position: int | None = None,
    rule: ShippingRule | None = None,
) -> ShippingRule:
    """Add a rule to the store (or change `rule`): checked whole, saved whole.

    Raises RuleError naming the field at fault. `position` None keeps a changed rule where
    it is and puts a new one last.
    """
    when = parse(Conditions, conditions)
    then = parse(Actions, actions)
    _check_references(then)
    with transaction.atomic():
        checked = _checked_name(store, name, rule)
        rule = rule or ShippingRule(store=store)
        rule.name, rule.active = checked, active
        rule.conditions, rule.actions = when.stored(), then.stored()
        if rule.pk and position is None:
            rule.save()
        else:
            _renumber(store.pk, rule, position)
    return rule


def move_rule(rule: ShippingRule, position: int) -> ShippingRule:
    """Run `rule` at `position` among its store's rules (1 first)."""
    with transaction.atomic():
        _renumber(rule.store_id, rule, position)
    return rule


def remove_rule(rule: ShippingRule) -> None:
    with transaction.atomic():
        rule.delete()
        _renumber(rule.store_id)


def summaries(rules: list[ShippingRule]) -> list[tuple[list[str], list[str]]]:
    """(conditions, actions) in words for each rule, its accounts and warehouses named."""
    thens = [rule.then for rule in rules]
    accounts = dict(
        CarrierAccount.objects.filter(
            pk__in={t.carrier_account for t in thens if t.carrier_account}
        ).values_list("pk", "name")
    )
    warehouses = dict(
        Warehouse.objects.filter(pk__in={t.warehouse for t in thens if t.warehouse}).values_list(
            "pk", "name"
        )
    )
    return [
        (rule.when.describe(), then.describe(accounts, warehouses))
        for rule, then in zip(rules, thens, strict=True)
    ]
