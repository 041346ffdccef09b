"""Template helpers: money with its currency, the rejected-token banner, query strings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, translation

from shipdesk.backmarket.mapping import http_url
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.stores.models import Store
from shipdesk.web import labels

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "AUD": "A$", "SEK": "kr"}
# Languages that put the currency sign after the amount ("12,50 €").
SYMBOL_AFTER = {"fr", "de", "es", "it", "sv"}


@register.filter
def money(value, currency: str = "EUR") -> str:
    """An amount with its currency, in the active language: `€1,234.50` or `1 234,50 €`."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    currency = (currency or "EUR").upper()
    decimals = 0 if currency == "JPY" else 2
    number = formats.number_format(amount, decimals, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency)
    language = (translation.get_language() or "en").split("-")[0]
    if symbol is None:
        return f"{number}\u00a0{currency}"
    if language in SYMBOL_AFTER:
        return f"{number}\u00a0{symbol}"
    if number.startswith("-"):
        return f"-{symbol}{number[1:]}"
    return f"{symbol}{number}"


@register.filter
def safe_url(value) -> str:
    """For every href built from stored data: the address if it is http(s), else "" (a
    `javascript:` link saved before addresses were checked must not become clickable)."""
    return http_url(value)


@register.filter
def grams(value) -> str:
    """A weight in grams, or kilograms from 1 kg."""
    if value is None or value == "":
        return "—"
    value = int(value)
    if value >= 1000:
        kilograms = formats.number_format(Decimal(value) / 1000, 2, use_l10n=True)
        return f"{kilograms}\u00a0kg"
    return f"{value}\u00a0g"


@register.simple_tag(takes_context=True)
def stores_with_rejected_token(context) -> list[Store]:
    """Stores whose Back Market token was rejected: shown on every page until replaced."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(Store.objects.filter(health=Store.Health.TOKEN_REJECTED).only("pk", "name"))


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (None or "" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def carrier_name(code: str) -> str:
    carrier = CARRIERS.get(code or "")
    return carrier.name if carrier else code


@register.filter
def service_name(service_code: str, carrier_code: str) -> str:
    carrier = CARRIERS.get(carrier_code or "")
    return (carrier.services.get(service_code) if carrier else None) or service_code


@register.filter
def message_summary(message) -> str:
    """What an outbox message is about (see labels.message_summary)."""
    return labels.message_summary(message)
