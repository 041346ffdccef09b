"""A store's shipping rules (admins): list, add, change, reorder, delete."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.rules.conditions import RuleError
from shipdesk.rules.edit import move_rule, remove_rule, save_rule, summaries
from shipdesk.rules.models import ShippingRule
from shipdesk.stores.models import Store
from shipdesk.web.access import admin_required
from shipdesk.web.rule_form import ACTIONS, CONDITIONS, RuleForm


@require_GET
@admin_required
def rule_list(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    rules = list(store.shipping_rules.order_by("position", "id"))
    return render(
        request,
        "web/stores/rules.html",
        {"store": store, "rules": list(zip(rules, summaries(rules), strict=True))},
    )


@admin_required
def rule_edit(request, pk: int, rule_pk: int | None = None):
    store = get_object_or_404(Store, pk=pk)
    rule = get_object_or_404(ShippingRule, pk=rule_pk, store=store) if rule_pk else None
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save_rule(
                    store,
                    name=form.cleaned_data["name"],
                    active=form.cleaned_data["active"],
                    conditions=form.conditions(),
                    actions=form.actions(),
                    rule=rule,
                )
            except RuleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
                return redirect("web:rules", pk=store.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "web/stores/rule.html",
        {"store": store, "rule": rule, "form": form, "conditions": CONDITIONS, "actions": ACTIONS},
        status=status,
    )


@require_POST
@admin_required
def rule_move(request, pk: int, rule_pk: int):
    """One place up or down in the order the rules run."""
    rule = get_object_or_404(ShippingRule, pk=rule_pk, store_id=pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is not None:
        move_rule(rule, rule.position + step)
    return redirect("web:rules", pk=pk)


@require_POST
@admin_required
def rule_delete(request, pk: int, rule_pk: int):
    rule = get_object_or_404(ShippingRule, pk=rule_pk, store_id=pk)
    remove_rule(rule)
    messages.success(request, _("Rule %(name)s deleted.") % {"name": rule.name})
    return redirect("web:rules", pk=pk)
