"""Item options as the buyer reads them, on packing slips and in customer emails.

The import writes the options of a Back Market line in English (backmarket.mapping.item_options:
they are ShipStation's item options too); the buyer's documents say the names and the values
shipdesk knows in the active language. Other values (a colour as Back Market wrote it) are
said as they are.
"""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

OPTION_TEXTS = {
    "Grade": pgettext_lazy("item option", "Grade"),
    "Storage": pgettext_lazy("item option", "Storage"),
    "Colour": pgettext_lazy("item option", "Colour"),
    "Lock status": pgettext_lazy("item option", "Lock status"),
    "Unlocked": pgettext_lazy("item option", "Unlocked"),
    "Excellent": pgettext_lazy("item option", "Excellent"),
    "Very good": pgettext_lazy("item option", "Very good"),
    "Good": pgettext_lazy("item option", "Good"),
    "Fair": pgettext_lazy("item option", "Fair"),
}


def option_text(text) -> str:
    """An option's name or value in the active language."""
    text = str(text)
    return str(OPTION_TEXTS.get(text, text))


def labelled(label: str, value: str) -> str:
    """'Label: value' as the active language writes it (French: 'Label : value')."""
    return pgettext("item option", "%(label)s: %(value)s") % {"label": label, "value": value}


def options_text(options) -> list[str]:
    """'Name: value' of each option of an item (its `options` list), in the active language."""
    return [
        labelled(option_text(o.get("name", "")), option_text(o.get("value", "")))
        for o in options or []
        if isinstance(o, dict)
    ]
