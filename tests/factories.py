"""Orders built to order, instead of searched for in the sandbox's random data.

`make_order` writes a shipdesk order straight into the database, for tests that need exact
data and no Back Market. `backmarket_order` is an order as Back Market sends it (the shape of
`tests/data/backmarket/order_normal.json`), from a short description of its lines;
`imported_order` imports one into a store the way the import does; `sandbox_order` first
gives it to the Back Market sandbox the store is connected to, for tests where Back Market
must know the order (its updates are then checked at the sandbox).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from shipdesk.backmarket import LineState, OrderState
from shipdesk.orders.models import Address, ItemUnit, Order, OrderItem
from shipdesk.stores.models import Store, Warehouse
from shipdesk.sync.importer import import_page

IMEI = "356938035643809"
OTHER_IMEI = "490154203237518"
ORDERED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

# Far above the sandbox's own order ids (75,000,000 onwards), one per order built.
_ORDER_IDS = itertools.count(91_000_001)

ADDRESSES = {
    "fr-fr": {
        "first_name": "Élodie",
        "last_name": "Martin",
        "street": "12 rue des Lilas",
        "street2": "Bât. B",
        "postal_code": "69003",
        "city": "Lyon",
        "country": "FR",
        "phone": "06 12 34 56 78",
    },
    "de-de": {
        "first_name": "Jonas",
        "last_name": "Schäfer",
        "street": "Torstraße 109",
        "street2": "",
        "postal_code": "10119",
        "city": "Berlin",
        "country": "DE",
        "phone": "+49 30 12345678",
    },
    "es-es": {
        "first_name": "Lucía",
        "last_name": "Fernández",
        "street": "Calle de Alcalá 48",
        "street2": "3º izquierda",
        "postal_code": "28014",
        "city": "Madrid",
        "country": "ES",
        "phone": "+34 612 345 678",
    },
    "it-it": {
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "street": "Via della Spiga 7",
        "street2": "",
        "postal_code": "20121",
        "city": "Milano",
        "country": "IT",
        "phone": "+39 312 345 6789",
    },
    "nl-nl": {
        "first_name": "Daan",
        "last_name": "de Vries",
        "street": "Prinsengracht 263",
        "street2": "",
        "postal_code": "1016 GV",
        "city": "Amsterdam",
        "country": "NL",
        "phone": "+31 6 12345678",
    },
    "sv-se": {
        "first_name": "Astrid",
        "last_name": "Lindqvist",
        "street": "Drottninggatan 53",
        "street2": "",
        "postal_code": "111 21",
        "city": "Stockholm",
        "country": "SE",
        "phone": "+46 70 123 45 67",
    },
    "en-gb": {
        "first_name": "Olivia",
        "last_name": "Hughes",
        "street": "221 Baker Street",
        "street2": "Flat 2",
        "postal_code": "NW1 6XE",
        "city": "London",
        "country": "GB",
        "phone": "+44 20 7946 0958",
    },
}


@dataclass(frozen=True)
class Line:
    sku: str = "IP13-128-BLK-GOOD"
    title: str = "iPhone 13 128 Go - Noir - Débloqué"
    brand: str = "Apple"
    quantity: int = 1
    price: str = "369.00"  # the line's total
    state: int = LineState.ACCEPTED
    condition: int = 11  # Good


PHONE = Line()
OTHER_PHONE = Line(
    "GS21-128-GRY-EXC", "Galaxy S21 5G 128 Go - Gris - Débloqué", "Samsung", 1, "329.00"
)
CHARGER = Line("CHG-20W-USBC", "Chargeur secteur 20 W USB-C", "Apple", 1, "19.00")


def backmarket_order(
    order_id: int | None = None,
    *,
    lines: tuple[Line, ...] = (PHONE,),
    state: int | None = None,
    country_code: str = "fr-fr",
    shipper: str = "Colissimo",
    is_backship: bool = False,
    created: datetime = ORDERED,
) -> dict:
    """A paid order as Back Market's `GET /ws/orders/{id}` answers it."""
    order_id = next(_ORDER_IDS) if order_id is None else order_id
    if state is None:
        waiting = any(line.state == LineState.AWAITING_ACCEPTANCE for line in lines)
        state = OrderState.AWAITING_ACCEPTANCE if waiting else OrderState.AWAITING_SHIPMENT
    address = ADDRESSES[country_code]
    email = f"shipping_{order_id}@eu.perso-email.com"
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    total = sum(float(line.price) for line in lines)
    return {
        "order_id": order_id,
        "shipping_address": {
            "company": "",
            **address,
            "first_name_pronunciation": None,
            "last_name_pronunciation": None,
            "email": email,
            "customer_id_number": "",
        },
        "billing_address": {
            "company": "",
            **address,
            "first_name_pronunciation": None,
            "last_name_pronunciation": None,
            "email": email.replace("shipping", "billing"),
            "customer_id_number": "",
        },
        "delivery_note": f"https://www.backmarket.fr/bo_merchant/orders/delivery_form/{order_id}.pdf",
        "tracking_number": "",
        "tracking_url": "",
        "shipper": shipper,
        "shipper_display": shipper,
        "date_creation": stamp,
        "date_modification": (created + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_shipping": None,
        "date_payment": (created + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_bill_provided": None,
        "state": int(state),
        "orderlines": [
            {
                "id": order_id * 10 + index,
                "date_creation": stamp,
                "state": int(line.state),
                "price": line.price,
                "shipping_price": "0.00",
                "shipping_delay": 48,
                "shipper": shipper,
                "currency": "EUR",
                "return_reason": 0,
                "return_message": "",
                "listing": line.sku,
                "product": line.title,
                "quantity": line.quantity,
                "brand": line.brand,
                "product_id": 545000 + index,
                "backcare": False,
                "backcare_price": 0,
                "listing_id": 6577000 + index,
                "sales_taxes": "0.00",
                "imei": "",
                "serial_number": "",
                "condition": line.condition,
                "orderline_fee": "0.00",
            }
            for index, line in enumerate(lines, start=1)
        ],
        "price": f"{total:.2f}",
        "shipping_price": "0.00",
        "currency": "EUR",
        "country_code": country_code,
        "paypal_reference": None,
        "psp_reference": f"psp-{order_id}",
        "installment_payment": False,
        "payment_method": "CARD",
        "sales_taxes": "0.00",
        "expected_dispatch_date": None,
        "is_backship": is_backship,
    }


def imported_order(store: Store, **order) -> Order:
    """The order `backmarket_order(**order)` describes, imported into `store`."""
    raw = backmarket_order(**order)
    [outcome] = import_page(store, [raw])
    assert outcome.result == "created", outcome
    return Order.objects.get(store=store, channel_order_id=raw["order_id"])


def sandbox_order(store: Store, **order) -> Order:
    """Like `imported_order`, the sandbox the store is connected to first being given the
    order, as Back Market."""
    raw = backmarket_order(**order)
    answer = httpx.post(f"{store.base_url}/_sandbox/orders", json={"order": raw}, timeout=5)
    assert answer.json() == {"order_ids": [raw["order_id"]]}, answer.text
    [outcome] = import_page(store, [raw])
    assert outcome.result == "created", outcome
    return Order.objects.get(store=store, channel_order_id=raw["order_id"])


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
        channel_state=OrderState.AWAITING_ACCEPTANCE
        if awaiting_acceptance
        else OrderState.AWAITING_SHIPMENT,
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
        channel_state=LineState.AWAITING_ACCEPTANCE if awaiting_acceptance else LineState.ACCEPTED,
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


def make_warehouse(name: str = "Lyon", **fields) -> Warehouse:
    """A default ship-from warehouse with the full address carriers need."""
    values = {
        "company": "Refurb SAS",
        "street1": "12 rue Garibaldi",
        "city": "Lyon",
        "postal_code": "69003",
        "country": "FR",
        "is_default": True,
        **fields,
    }
    return Warehouse.objects.create(name=name, **values)
