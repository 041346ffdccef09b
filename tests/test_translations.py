"""The French catalogues of shipdesk's apps agree with each other.

Django merges every app's catalogue and takes the first app's translation of a text: the
same English text translated two ways would say one of them everywhere, depending only on
the order of INSTALLED_APPS.
"""

from collections import defaultdict
from gettext import GNUTranslations
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "shipdesk"


def catalogues() -> dict[str, dict[str, str]]:
    """app -> {English text: French text}, as compiled (the .mo files Django reads)."""
    found = {}
    for mo in sorted(SRC.glob("*/locale/fr/LC_MESSAGES/django.mo")):
        with mo.open("rb") as file:
            catalog = GNUTranslations(file)._catalog
        found[mo.parents[3].name] = {k: v for k, v in catalog.items() if isinstance(k, str) and k}
    return found


def test_one_french_text_for_each_english_text_across_apps():
    said = defaultdict(dict)
    for app, catalog in catalogues().items():
        for english, french in catalog.items():
            said[english][app] = french

    disagreements = {
        english: by_app for english, by_app in said.items() if len(set(by_app.values())) > 1
    }

    assert len(said) > 500
    assert disagreements == {}
