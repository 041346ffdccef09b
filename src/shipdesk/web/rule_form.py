"""The shipping rule form: what people type, as the domain's conditions and actions
(shipdesk.rules.edit.save_rule checks the rule whole and names the field at fault)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shipdesk.carriers.models import CarrierAccount
from shipdesk.rules.conditions import MAX_DELAY_HOURS, MAX_HOLD_DAYS, MAX_ITEMS
from shipdesk.rules.models import ShippingRule
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.stores.models import Warehouse
from shipdesk.web.forms import PACKAGES, centimetres_field, grams_field, money_field

YES_NO = [("", _("Either")), ("yes", _("Yes")), ("no", _("No"))]
CONDITIONS = [
    "requested_service",
    "shipper",
    "delay_hours",
    "countries",
    "skus",
    "sku_prefix",
    "min_items",
    "max_items",
    "min_weight_grams",
    "max_weight_grams",
    "min_total",
    "max_total",
    "backship",
]
ACTIONS = [
    "carrier_account",
    "service_code",
    "package_code",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "hold_until",
    "hold_days",
    "tag",
    "warehouse",
]


def _count(label, maximum: int, minimum: int = 0) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=maximum, required=False)


def _service_choices():
    """The services of the carriers there are accounts for, grouped by carrier."""
    codes = CarrierAccount.objects.values_list("carrier_code", flat=True)
    groups = [
        (CARRIERS[code].name, list(CARRIERS[code].services.items()))
        for code in sorted(set(codes))
        if code in CARRIERS and CARRIERS[code].services
    ]
    return [("", _("— none —")), *groups]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # Conditions
    requested_service = forms.CharField(
        label=_("Requested service contains"), max_length=200, required=False
    )
    shipper = forms.CharField(
        label=_("Back Market shipper"),
        max_length=200,
        required=False,
        help_text=_("As Back Market names it, e.g. Colissimo."),
    )
    delay_hours = _count(_("Back Market delay (hours)"), MAX_DELAY_HOURS)
    countries = forms.CharField(
        label=_("Destination countries"),
        max_length=1000,
        required=False,
        help_text=_("Two-letter codes, comma-separated, e.g. FR, BE."),
    )
    skus = forms.CharField(
        label=_("SKUs"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("An item has one of these SKUs (one per line or comma-separated)."),
    )
    sku_prefix = forms.CharField(label=_("SKU starts with"), max_length=200, required=False)
    min_items = _count(_("Items, at least"), MAX_ITEMS)
    max_items = _count(_("Items, at most"), MAX_ITEMS)
    min_weight_grams = grams_field(_("Weight (g), at least"), required=False)
    max_weight_grams = grams_field(_("Weight (g), at most"), required=False)
    min_total = money_field(_("Order total, at least"), required=False)
    max_total = money_field(_("Order total, at most"), required=False)
    backship = forms.ChoiceField(label=_("BackShip"), choices=YES_NO, required=False)
    # Actions
    carrier_account = forms.ModelChoiceField(
        label=_("Carrier account"),
        queryset=CarrierAccount.objects.all(),
        required=False,
        empty_label=_("— none —"),
    )
    service_code = forms.ChoiceField(label=_("Service"), required=False, choices=())
    package_code = forms.ChoiceField(
        label=_("Package"), required=False, choices=[("", _("— none —")), *PACKAGES]
    )
    weight_grams = grams_field(_("Weight (g)"), min_value=1, required=False)
    length_cm = centimetres_field(_("Length (cm)"), required=False)
    width_cm = centimetres_field(_("Width (cm)"), required=False)
    height_cm = centimetres_field(_("Height (cm)"), required=False)
    hold_until = forms.DateField(
        label=_("Hold until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hold_days = _count(_("Hold for (days)"), MAX_HOLD_DAYS, minimum=1)
    tag = forms.CharField(label=_("Add the tag"), max_length=50, required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Ship from"),
        queryset=Warehouse.objects.order_by("name"),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args, rule: ShippingRule | None = None, **kwargs):
        if rule is not None and rule.pk:
            kwargs.setdefault("initial", _initial(rule))
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = _service_choices()

    def conditions(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in CONDITIONS}
        values["skus"] = [s for s in re.split(r"[,\n]", data.get("skus") or "") if s.strip()]
        values["backship"] = {"yes": True, "no": False}.get(data.get("backship"))
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def actions(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in ACTIONS}
        for name in ("carrier_account", "warehouse"):
            values[name] = values[name].pk if values[name] else None
        return {k: v for k, v in values.items() if v not in (None, "")}


def _initial(rule: ShippingRule) -> dict:
    when, then = rule.conditions, rule.actions
    return {
        "name": rule.name,
        "active": rule.active,
        **{name: when[name] for name in CONDITIONS if name in when},
        "countries": ", ".join(when.get("countries", ())),
        "skus": "\n".join(when.get("skus", ())),
        "backship": {True: "yes", False: "no"}.get(when.get("backship"), ""),
        **{name: then[name] for name in ACTIONS if name in then},
    }
