"""Numbers from outside: amounts, weights, dimensions and record ids.

Whatever brings them (a form, a CSV file, the API, the command line), they are checked here
before anything is saved: finite, not negative, within sane bounds, and money with at most
2 decimals — a value with more is refused, never rounded silently. Refusals are
InvalidQuantity, whose message names the value and says what is wrong, in the user's
language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # the largest id the database stores
_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits: str.isdigit() also takes "¹", which int() refuses
_LONGEST_NUMBER = 40  # characters; anything longer is not a number anyone typed


class InvalidQuantity(ValueError):
    """A number refused: `name` says which (when there is one to say), `problem` what is wrong."""

    def __init__(self, problem: str, name: str = ""):
        super().__init__(
            _("%(name)s: %(problem)s") % {"name": name, "problem": problem} if name else problem
        )
        self.name, self.problem = name, problem


@dataclass(frozen=True)
class Bound:
    maximum: Decimal
    places: int  # decimals allowed
    unit: str = ""

    def __str__(self) -> str:
        return f"{self.maximum} {self.unit}".strip()


MONEY = Bound(Decimal(1_000_000), 2)
GRAMS = Bound(Decimal(1_000_000), 0, "g")  # 1 t
CENTIMETRES = Bound(Decimal(1_000), 2, "cm")  # 10 m

GRAMS_PER_UNIT = {
    "grams": Decimal(1),
    "ounces": Decimal("28.349523125"),
    "pounds": Decimal("453.59237"),
}
CM_PER_UNIT = {"centimeters": Decimal(1), "inches": Decimal("2.54")}


def _shown(value) -> str:
    text = str(value).strip()
    return text if len(text) <= 20 else text[:20] + "…"


def _decimal(value, name: str) -> Decimal | None:
    """`value` (text, int, float or Decimal) as a finite, non-negative Decimal; None if blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    params = {"value": _shown(value)}
    text = str(value).strip()
    try:
        if len(text) > _LONGEST_NUMBER:
            raise InvalidOperation
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidQuantity(_("%(value)s is not a number") % params, name) from None
    if not number.is_finite():
        raise InvalidQuantity(_("%(value)s is not a finite number") % params, name)
    if number < 0:
        raise InvalidQuantity(_("%(value)s is negative") % params, name)
    return number


def _within(
    number: Decimal, bound: Bound, name: str, shown: str, *, factor: Decimal | None = None
) -> Decimal:
    """`number` checked against `bound`; given in another unit, `factor` converts it (and
    the conversion rounds to the bound's decimals: that is the unit's doing, not the user's).
    """
    params = {"value": shown}
    if number > bound.maximum / (factor or 1):
        raise InvalidQuantity(
            _("%(value)s is more than %(maximum)s") % {**params, "maximum": bound}, name
        )
    step = Decimal(1).scaleb(-bound.places)
    if factor is not None:
        return (number * factor).quantize(step, ROUND_HALF_UP)
    exact = number.quantize(step)
    if exact != number:
        if bound.places == 0:
            raise InvalidQuantity(_("%(value)s is not a whole number") % params, name)
        raise InvalidQuantity(
            _("%(value)s has more than %(places)s decimals") % {**params, "places": bound.places},
            name,
        )
    return exact


def _bounded(value, name: str, bound: Bound) -> Decimal | None:
    number = _decimal(value, name)
    return None if number is None else _within(number, bound, name, _shown(value))


def money(value, *, name: str) -> Decimal | None:
    """An amount: 0 to 1,000,000 with at most 2 decimals; None when blank."""
    return _bounded(value, name, MONEY)


def grams(value, *, name: str) -> int | None:
    """A weight in whole grams: 0 to 1,000,000 (1 t); None when blank."""
    number = _bounded(value, name, GRAMS)
    return None if number is None else int(number)


def centimetres(value, *, name: str) -> Decimal | None:
    """A dimension: 0 to 1,000 cm with at most 2 decimals; None when blank."""
    return _bounded(value, name, CENTIMETRES)


def whole(value, *, name: str, maximum: int) -> int | None:
    """A count (items, hours, days): a whole number from 0 to `maximum`; None when blank."""
    number = _bounded(value, name, Bound(Decimal(maximum), 0))
    return None if number is None else int(number)


def grams_from(value, units: str, *, name: str) -> int | None:
    """A weight in grams, ounces or pounds (ShipStation's units), to the nearest gram."""
    number = _decimal(value, name)
    if number is None:
        return None
    shown = f"{_shown(value)} {units}"
    return int(_within(number, GRAMS, name, shown, factor=GRAMS_PER_UNIT[units]))


def centimetres_from(value, units: str, *, name: str) -> Decimal | None:
    """A dimension in centimetres or inches, to the nearest tenth of a millimetre."""
    number = _decimal(value, name)
    if number is None:
        return None
    shown = f"{_shown(value)} {units}"
    return _within(number, CENTIMETRES, name, shown, factor=CM_PER_UNIT[units])


def ids(values: Iterable[str]) -> list[int]:
    """Record ids as a request gives them (`?ids=3&ids=5`), each once, in the order given.

    Refused when one is not an id: digits only, from 1 to the largest the database stores.
    """
    result: dict[int, None] = {}
    for value in values:
        text = (value or "").strip()
        if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
            raise InvalidQuantity(_("%(value)s is not an id") % {"value": _shown(value)})
        result[int(text)] = None
    return list(result)


class ReadableDecimalField(models.DecimalField):
    """A DecimalField that reads a value it cannot hold as None instead of failing.

    Older versions let Infinity and over-long numbers into SQLite (which keeps them as
    floats); Django's reading of such a value raises, and every page loading the row
    failed. Reading it as None (unknown) keeps those pages up. It deconstructs as Django's
    DecimalField, so migrations see no change.
    """

    @cached_property
    def context(self):
        # Django's SQLite converter quantizes with this context: without traps, an
        # unreadable value becomes NaN instead of raising InvalidOperation.
        return Context(prec=self.max_digits, traps=[])

    def from_db_value(self, value, expression, connection):
        if isinstance(value, Decimal) and not value.is_finite():
            return None
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
