"""Customers: one per buyer email per store, with their addresses and order count.

Kept from the orders by `shipdesk.customers.refresh` (see there why stored and how kept up to
date); the orders stay the truth, and a customer is never edited by hand.
"""

from __future__ import annotations

from django.db import models

from shipdesk.stores.models import Store


class Customer(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    email = models.CharField(max_length=254)  # lower case: one customer however it is typed
    # The latest order's buyer and ship-to address.
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    street1 = models.CharField(max_length=300, blank=True)
    street2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    username = models.CharField(max_length=200, blank=True)  # the marketplace's
    # Every distinct ship-to address of their orders, newest first (Address fields).
    addresses = models.JSONField(default=list)
    order_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "email"], name="one_customer_per_email")
        ]
        indexes = [
            models.Index(fields=["country", "state"]),
            models.Index(fields=["email"]),
            # The list's sorts: by name (the default) and by last change.
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["modified_at", "id"], name="customer_modified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class CustomerOrder(models.Model):
    """Which customer an order is, as the last refresh read it: counts and addresses are
    recomputed from these (indexed) rows, never by scanning the orders table's emails."""

    order = models.OneToOneField(
        "orders.Order", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="links")
    live = models.BooleanField()  # not deleted: counted
    order_date = models.DateTimeField()
    # The order's modified_at when read: the next refresh starts from the newest.
    order_modified_at = models.DateTimeField(db_index=True)
