"""Shipping rules applied at import (over the Back Market sandbox) and again on demand."""

from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from shipdesk.orders import actions
from shipdesk.orders.models import Order, OrderEvent, Product, Tag
from shipdesk.rules.apply import apply_rules, apply_rules_to, rule_choices
from shipdesk.rules.edit import save_rule
from shipdesk.stores.models import Warehouse
from shipdesk.sync.importer import import_orders, import_page
from tests.factories import CHARGER, PHONE, backmarket_order, imported_order, make_store

RECENT = timezone.now() - timedelta(days=1)


def given_to_sandbox(store, **order) -> int:
    """An order Back Market (the sandbox) has, not imported yet; its Back Market id."""
    raw = backmarket_order(created=RECENT, **order)
    answer = httpx.post(f"{store.base_url}/_sandbox/orders", json={"order": raw}, timeout=5)
    assert answer.json() == {"order_ids": [raw["order_id"]]}, answer.text
    return raw["order_id"]


def entries(order: Order) -> list[str]:
    return list(
        order.events.filter(kind="rule_applied").order_by("id").values_list("message", flat=True)
    )


def test_the_rules_set_service_package_tags_and_hold_on_the_orders_an_import_creates(
    store, colissimo, chronopost
):
    # given: every order to Colissimo with a tag; German ones to Chronopost, held two days
    save_rule(
        store,
        name="Everything by Colissimo",
        conditions={},
        actions={
            "carrier_account": colissimo.pk,
            "service_code": "colissimo_home",
            "package_code": "package",
            "tag": "bm",
        },
    )
    save_rule(
        store,
        name="Germany",
        conditions={"countries": ["DE"]},
        actions={
            "carrier_account": chronopost.pk,
            "service_code": "chrono_classic",
            "hold_days": 2,
            "tag": "de",
        },
    )
    save_rule(store, name="Switched off", conditions={}, actions={"tag": "never"}, active=False)
    to_berlin = given_to_sandbox(store, country_code="de-de", lines=(PHONE,))
    to_lyon = given_to_sandbox(store, country_code="fr-fr", lines=(PHONE, CHARGER))

    # when
    run = import_orders(store)

    # then: the German order has Germany's carrier, hold and both tags
    assert run.status == "ok"
    berlin = Order.objects.get(store=store, channel_order_id=to_berlin)
    until = timezone.localdate() + timedelta(days=2)
    assert (
        berlin.carrier_account,
        berlin.carrier_code,
        berlin.service_code,
        berlin.package_code,
        berlin.on_hold,
        berlin.hold_until_date,
        berlin.status,
        sorted(t.name for t in berlin.tags.all()),
    ) == (
        chronopost,
        "chronopost",
        "chrono_classic",
        "package",
        True,
        until,
        "on_hold",
        ["bm", "de"],
    )
    assert entries(berlin) == [
        "Rule “Everything by Colissimo” set package package; tag bm.",
        "Rule “Germany” set service Chrono Classic (international) (Chronopost pro); "
        f"hold until {until.isoformat()}; tag de.",
    ]
    lyon = Order.objects.get(store=store, channel_order_id=to_lyon)
    assert (
        lyon.carrier_account,
        lyon.service_code,
        lyon.package_code,
        lyon.on_hold,
        lyon.status,
        [t.name for t in lyon.tags.all()],
    ) == (colissimo, "colissimo_home", "package", False, "awaiting_shipment", ["bm"])
    assert entries(lyon) == [
        "Rule “Everything by Colissimo” set service Colissimo Domicile sans signature "
        "(Colissimo pro); package package; tag bm."
    ]
    # and every other order the sandbox had: open ones by the rules, the others untouched
    imported = Order.objects.filter(store=store)
    open_ones = imported.filter(status__in=["awaiting_shipment", "on_hold"])
    german = open_ones.filter(ship_to__country="DE")
    assert imported.count() > open_ones.count() > german.count() > 1
    assert set(
        open_ones.exclude(ship_to__country="DE").values_list("carrier_account", flat=True)
    ) == {colissimo.pk}
    assert set(german.values_list("carrier_account", "status")) == {(chronopost.pk, "on_hold")}
    assert not imported.exclude(pk__in=open_ones).exclude(carrier_account=None).exists()
    assert not Tag.objects.filter(name="never").exists()


@pytest.mark.django_db
def test_an_import_page_with_rules_costs_the_same_queries_for_3_or_12_new_orders(colissimo):
    # given
    store = make_store()
    save_rule(
        store,
        name="Phones",
        conditions={"sku_prefix": "IP13"},
        actions={"carrier_account": colissimo.pk, "service_code": "colissimo_home", "tag": "phone"},
    )
    save_rule(store, name="Heavy", conditions={"min_weight_grams": 1}, actions={"hold_days": 1})
    Product.objects.create(sku=PHONE.sku, weight_grams=180)
    Product.objects.create(sku=CHARGER.sku, weight_grams=90)

    def queries(count: int) -> int:
        raws = [backmarket_order(lines=(PHONE, CHARGER)) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            outcomes = import_page(store, raws)
        assert [o.result for o in outcomes] == ["created"] * count
        return len(captured)

    queries(1)  # the first page creates the tag

    # when
    few, many = queries(3), queries(12)

    # then: both pages' orders got the rules, in as many queries
    assert few == many
    ruled = Order.objects.filter(store=store, carrier_account=colissimo, on_hold=True)
    assert ruled.count() == 16
    assert OrderEvent.objects.filter(kind="rule_applied", order__store=store).count() == 32


@pytest.mark.django_db
def test_rules_applied_again_keep_what_was_set_by_hand(colissimo, chronopost, admin_user):
    # given: an order imported before any rule; then a hand-set weight and a removed tag
    store = make_store()
    order = imported_order(store, lines=(PHONE,))
    actions.update_seller_fields(order, weight_grams=250, user=admin_user)
    fragile = Tag.objects.create(name="fragile")
    actions.add_tag(order, fragile, user=admin_user)
    actions.remove_tag(order, fragile, user=admin_user)
    save_rule(
        store,
        name="Phones",
        conditions={"skus": [PHONE.sku]},
        actions={
            "carrier_account": colissimo.pk,
            "service_code": "colissimo_home",
            "weight_grams": 400,
            "tag": "fragile",
        },
    )

    # when
    applied = apply_rules(order, user=admin_user)

    # then: the service is the rule's; the weight and the tag removal are the seller's
    order.refresh_from_db()
    assert (order.carrier_account, order.service_code, order.weight_grams) == (
        colissimo,
        "colissimo_home",
        250,
    )
    assert list(order.tags.all()) == []
    assert [(a.rule, a.set, a.kept) for a in applied] == [
        (
            "Phones",
            (("service", "Colissimo Domicile sans signature (Colissimo pro)"),),
            ("weight", "tag"),
        )
    ]
    event = order.events.get(kind="rule_applied")
    assert (event.source, event.user, event.message) == (
        "user",
        admin_user,
        "Rule “Phones” set service Colissimo Domicile sans signature (Colissimo pro); "
        "kept as set by hand: weight and tag.",
    )
    with translation.override("fr"):
        assert event.text == (
            "La règle « Phones » a fixé : service Colissimo Domicile sans signature "
            "(Colissimo pro) ; gardé tel que saisi à la main : poids et étiquette."
        )
    assert rule_choices(order.events.order_by("at", "id")) == {"service": "Phones"}

    # when: the seller picks another service by hand, and the rules run again
    actions.update_seller_fields(order, service_code="colissimo_home_signature", user=admin_user)
    again = apply_rules(order, user=admin_user)

    # then: nothing changes (nor is written), and the service is no longer the rule's
    order.refresh_from_db()
    assert order.service_code == "colissimo_home_signature"
    assert [(a.set, a.kept) for a in again] == [((), ("service", "weight", "tag"))]
    assert order.events.filter(kind="rule_applied").count() == 1
    assert rule_choices(order.events.order_by("at", "id")) == {}


@pytest.mark.django_db
def test_rules_applied_again_take_changed_rules_and_leave_closed_orders(colissimo, chronopost):
    # given: orders imported under a rule that was then changed
    store = make_store()
    rule = save_rule(
        store,
        name="Phones",
        conditions={"sku_prefix": "IP"},
        actions={"carrier_account": colissimo.pk, "service_code": "colissimo_home"},
    )
    open_order = imported_order(store, lines=(PHONE,))
    shipped = imported_order(store, lines=(PHONE,), state=9)
    lyon = Warehouse.objects.create(name="Lyon", city="Lyon", postal_code="69003")
    save_rule(
        store,
        name="Phones",
        conditions={"sku_prefix": "IP"},
        actions={
            "carrier_account": chronopost.pk,
            "service_code": "chrono_13",
            "length_cm": "16",
            "width_cm": "9",
            "height_cm": "4.5",
            "warehouse": lyon.pk,
        },
        rule=rule,
    )

    # when
    outcome = apply_rules_to([shipped, open_order])

    # then
    assert [(o.order_number, reason) for o, reason in outcome.refused] == [
        (
            shipped.order_number,
            f"order {shipped.order_number} is shipped: rules apply to open orders only",
        )
    ]
    assert [(o.pk, [a.set for a in applied]) for o, applied in outcome.applied] == [
        (
            open_order.pk,
            [
                (
                    ("service", "Chrono 13 (Chronopost pro)"),
                    ("dimensions", "16 × 9 × 4.5 cm"),
                    ("warehouse", "Lyon"),
                )
            ],
        )
    ]
    assert (open_order.carrier_account_id, open_order.service_code, open_order.warehouse_id) == (
        chronopost.pk,
        "chrono_13",
        lyon.pk,
    )
    open_order.refresh_from_db()
    assert (open_order.length_cm, open_order.width_cm, open_order.height_cm) == (16, 9, 4.5)
    assert shipped.events.filter(kind="rule_applied").count() == 0
    assert shipped.carrier_account is None

    # when: applied once more, nothing is left to change, and nothing is written
    assert [a.set for _o, applied in apply_rules_to([open_order]).applied for a in applied] == []
    assert open_order.events.filter(kind="rule_applied").count() == 2


@pytest.mark.django_db
def test_weight_conditions_read_the_product_defaults_when_the_order_has_no_weight(colissimo):
    # given: an order imported before its products had weights; then the catalogue filled
    store = make_store()
    order = imported_order(store, lines=(PHONE, CHARGER))
    assert [i.weight_grams for i in order.items.all()] == [None, None]
    save_rule(
        store,
        name="Light parcels",
        conditions={"max_weight_grams": 300},
        actions={"carrier_account": colissimo.pk, "service_code": "colissimo_home"},
    )
    Product.objects.create(sku=PHONE.sku, weight_grams=180)

    # when: the charger still has no weight
    assert apply_rules(order) == []

    # when: now it has
    Product.objects.create(sku=CHARGER.sku, weight_grams=90)
    [applied] = apply_rules(order)

    # then: 180 + 90 = 270 g, under 300 g
    assert (applied.rule, order.service_code) == ("Light parcels", "colissimo_home")
