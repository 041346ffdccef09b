"""Orders built directly in the database, for tests that need exact data and no sandbox."""

from datetime import UTC, datetime
from decimal import Decimal

from shipdesk.orders.models import Address, ItemUnit, Order, OrderItem
from shipdesk.stores.models import Store

ORDERED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def make_store(name: str = "Refurb Paris", **fields) -> Store:
    store = Store(name=name, region="eu", country_code="fr-fr", **fields)
    store.token = f"{name}-token"
    store.save()
    return store


def make_order(
    store: Store,
    number: int,
    *,
    status: str = "awaiting_shipment",
    awaiting_acceptance: bool = False,
    customer: str = "Léa Martin",
    email: str = "lea@example.com",
    country: str = "FR",
    service: str = "Colissimo — 48 h",
    ordered: datetime = ORDERED,
    sku: str = "IP13-128-BLK",
    title: str = "iPhone 13 128 GB - Black - Unlocked",
    quantity: int = 1,
    total: str = "369.00",
    currency: str = "EUR",
) -> Order:
    ship_to = Address.objects.create(
        name=customer,
        street1="12 rue de la Paix",
        city="Paris",
        postal_code="75002",
        country=country,
        phone="+33 6 12 34 56 78",
        email=email,
    )
    bill_to = Address.objects.create(
        name=customer, street1="3 avenue Foch", city="Lyon", postal_code="69006", country="FR"
    )
    order = Order.objects.create(
        store=store,
        channel_order_id=number,
        order_number=str(number),
        order_key=f"bm-{store.pk}-{number}",
        status=status,
        awaiting_acceptance=awaiting_acceptance,
        channel_state=1 if awaiting_acceptance else 3,
        order_date=ordered,
        payment_date=ordered,
        channel_modified_at=ordered,
        customer_email=email,
        ship_to=ship_to,
        bill_to=bill_to,
        requested_shipping_service=service,
        payment_method="CARD",
        currency=currency,
        order_total=Decimal(total),
        amount_paid=Decimal(total),
        country_code="fr-fr",
    )
    item = OrderItem.objects.create(
        order=order,
        channel_line_id=number * 10,
        channel_state=1 if awaiting_acceptance else 2,
        sku=sku,
        name=title,
        brand="Apple",
        quantity=quantity,
        unit_price=Decimal(total),
        line_price=Decimal(total),
        options=[{"name": "Grade", "value": "Good"}, {"name": "Colour", "value": "Black"}],
    )
    for index in range(quantity):
        ItemUnit.objects.create(item=item, index=index)
    return order
