"""The buyer's language: the marketplace's, else the destination's, else English."""

import pytest

from tests.factories import make_order, make_store


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country_code", "country", "expected"),
    [
        ("de-de", "FR", "de"),  # the marketplace wins over the destination
        ("fr-be", "BE", "fr"),
        ("nl-be", "BE", "nl"),
        ("es-es", "ES", "es"),
        ("it-it", "IT", "it"),
        ("en-gb", "GB", "en"),
        ("sv-se", "SE", "en"),  # a language shipdesk does not write: English
        ("pt-pt", "DE", "en"),
        ("", "AT", "de"),  # no marketplace: the destination's language
        ("", "MC", "fr"),
        ("", "US", "en"),
        ("", "", "en"),
    ],
)
def test_the_buyer_language(country_code, country, expected):
    order = make_order(make_store(), 1, country=country)
    order.country_code = country_code
    assert order.buyer_language == expected
