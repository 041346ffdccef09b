"""A carrier's amounts: kept to the cent when sane, unknown (None) when not, so an answer of
1e400 or -5 is never stored as a label's cost."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from shipdesk.carriers import mapping


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (7.9, Decimal("7.90")),
        ("12.345", Decimal("12.34")),  # the carrier's own rounding, to the cent
        (1e400, None),
        ("1e20", None),
        ("Infinity", None),
        ("NaN", None),
        (-5, None),
        ("", None),
        (None, None),
    ],
)
def test_a_carriers_amount_is_kept_to_the_cent_or_unknown(answer, expected):
    assert mapping.money(answer) == expected


def test_rates_with_an_absurd_price_come_last_as_unknown():
    def rate(service, charge):
        return SimpleNamespace(
            service=service,
            total_charge=charge,
            currency="EUR",
            transit_days=None,
            estimated_delivery=None,
        )

    rates = mapping.rates([rate("express", 1e400), rate("home", 7.9), rate("relay", -5)])

    assert [(r.service, r.cost) for r in rates] == [
        ("home", Decimal("7.90")),
        ("express", None),
        ("relay", None),
    ]
