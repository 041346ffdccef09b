"""The manual order form: the order, its ship-to address, and its items (a formset)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shipdesk.orders import quantities
from shipdesk.orders.manual import MAX_QUANTITY, ManualItem, ManualOrder
from shipdesk.orders.models import Order
from shipdesk.web.forms import grams_field

ADDRESS = ("name", "company", "street1", "street2", "city", "state", "postal_code", "country")


class ManualOrderForm(forms.Form):
    order_number = forms.CharField(label=_("Order number"), max_length=50)
    customer_email = forms.EmailField(label=_("Customer email"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    street1 = forms.CharField(label=_("Street"), max_length=300)
    street2 = forms.CharField(label=_("Street (line 2)"), max_length=300, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.CharField(label=_("State or region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        help_text=_("Two letters: FR, DE, ES…"),
        error_messages={"invalid": _("Give the country's two letters (FR, DE, ES…).")},
    )
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    weight_grams = grams_field(
        _("Weight (g)"), required=False, help_text=_("Empty: the items' weights.")
    )
    internal_notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("IMEIs may be written here, as on any order."),
    )


class ManualItemForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=200)
    name = forms.CharField(label=_("Name"), max_length=500)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        min_value=0,
        max_value=quantities.MONEY.maximum,
        decimal_places=2,
        required=False,
    )


ManualItemFormSet = forms.formset_factory(
    ManualItemForm,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=100,
    validate_max=True,
    can_delete=True,
)


def manual_order_data(form: ManualOrderForm, items: ManualItemFormSet) -> ManualOrder:
    """The domain's ManualOrder from the valid form and formset (empty item rows left out)."""
    data = form.cleaned_data
    return ManualOrder(
        order_number=data["order_number"],
        customer_email=data["customer_email"],
        customer_username=data["name"],
        ship_to={**{name: data[name] for name in ADDRESS}, "phone": data["phone"]},
        items=[
            ManualItem(
                sku=row["sku"],
                name=row["name"],
                quantity=row["quantity"],
                unit_price=row["unit_price"] or Decimal(0),
            )
            for row in items.cleaned_data
            if row and not row.get("DELETE")
        ],
        internal_notes=data["internal_notes"],
        weight_grams=data["weight_grams"],
    )


def initial_of(order: Order) -> tuple[dict, list[dict]]:
    """The form's and formset's initial values for an existing manual order."""
    ship_to = order.ship_to
    initial = {name: getattr(ship_to, name) for name in ADDRESS}
    initial.update(
        order_number=order.order_number,
        customer_email=order.customer_email,
        phone=ship_to.phone,
        weight_grams=order.weight_grams,
        internal_notes=order.internal_notes,
    )
    items = [
        {"sku": i.sku, "name": i.name, "quantity": i.quantity, "unit_price": i.unit_price}
        for i in order.items.all()
    ]
    return initial, items
