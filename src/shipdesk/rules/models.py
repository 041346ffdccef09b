"""Shipping rules: ShipStation's automation rules and service mapping, per store."""

from __future__ import annotations

from django.db import models

from shipdesk.rules.conditions import Actions, Conditions
from shipdesk.stores.models import Store


class ShippingRule(models.Model):
    """IF an order meets every condition, THEN set the actions on it.

    As in ShipStation, a store's active rules run in order, top (position 1) to bottom, and
    every rule that matches applies: a later rule's action overwrites what an earlier one
    set for the same field (the carrier account and service count as one field, as do the
    three dimensions), and tags add up. Rules run on the orders each import creates, and
    again when someone applies them to selected orders; they never overwrite what a person
    or a script set by hand on the order since it was imported (a field edited, a hold put
    or released, a tag removed). Product defaults come first: a rule's weight or package
    overrides the product's, as in ShipStation.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="shipping_rules")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()  # 1 runs first
    active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)  # Conditions.stored()
    actions = models.JSONField(default=dict)  # Actions.stored()
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="unique_rule_name_per_store")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def when(self) -> Conditions:
        return Conditions.model_validate(self.conditions)

    @property
    def then(self) -> Actions:
        return Actions.model_validate(self.actions)
