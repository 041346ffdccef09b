"""A shipping rule's conditions and actions: typed, bounded, and stored as JSON.

Pure: no database. `Conditions.matches(facts)` says whether a rule applies to an order, as
`OrderFacts` describe it; `Actions` is what the rule sets. Both refuse what makes no sense
(a minimum above its maximum, a service without a carrier account, a weight of 1e9 g) with
`RuleError`, whose message names the field in the user's words and language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from shipdesk.orders import quantities

MAX_ITEMS = 10_000
MAX_DELAY_HOURS = 24 * 60
MAX_HOLD_DAYS = 365
MAX_LIST = 200  # countries or SKUs in one condition

# The words of each field, for messages and pages.
LABELS: dict[str, Promise] = {
    "requested_service": gettext_lazy("requested service contains"),
    "shipper": gettext_lazy("Back Market shipper"),
    "delay_hours": gettext_lazy("Back Market delay (hours)"),
    "countries": gettext_lazy("destination countries"),
    "skus": gettext_lazy("SKUs"),
    "sku_prefix": gettext_lazy("SKU prefix"),
    "min_items": gettext_lazy("minimum number of items"),
    "max_items": gettext_lazy("maximum number of items"),
    "min_weight_grams": gettext_lazy("minimum weight (g)"),
    "max_weight_grams": gettext_lazy("maximum weight (g)"),
    "min_total": gettext_lazy("minimum order total"),
    "max_total": gettext_lazy("maximum order total"),
    "backship": gettext_lazy("BackShip"),
    "carrier_account": gettext_lazy("carrier account"),
    "service_code": gettext_lazy("service"),
    "package_code": gettext_lazy("package"),
    "weight_grams": gettext_lazy("weight (g)"),
    "length_cm": gettext_lazy("length (cm)"),
    "width_cm": gettext_lazy("width (cm)"),
    "height_cm": gettext_lazy("height (cm)"),
    "dimensions_cm": gettext_lazy("size (cm)"),
    "hold_until": gettext_lazy("hold until"),
    "hold_days": gettext_lazy("hold for (days)"),
    "tag": gettext_lazy("tag"),
    "warehouse": gettext_lazy("ship-from warehouse"),
}


class RuleError(ValueError):
    """A rule refused; `field` names the field at fault when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _said(name: str, value) -> str:
    return _("%(name)s: %(value)s") % {"name": LABELS[name], "value": value}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _bounded(parse):
    """A validator giving the value to one of quantities' parsers (finite, bounded)."""

    def check(value: Any) -> Any:
        return parse(value, name="")

    return BeforeValidator(check)


def _whole(maximum: int):
    return _bounded(lambda value, name: quantities.whole(value, name=name, maximum=maximum))


def _text(length: int):
    return Annotated[
        Annotated[str, StringConstraints(max_length=length)] | None,
        BeforeValidator(_blank_to_none),
    ]


def _country(value: Any) -> str:
    text = str(value).strip().upper()
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise ValueError(_("%(value)s is not a two-letter country code") % {"value": text[:20]})
    return text


def _listed(value: Any) -> Any:
    """A list as typed (comma-separated text) or given (a list); blanks dropped, each once."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))


Grams = Annotated[int | None, _bounded(quantities.grams)]
Money = Annotated[Decimal | None, _bounded(quantities.money)]
Centimetres = Annotated[Decimal | None, _bounded(quantities.centimetres)]
Items = Annotated[int | None, _whole(MAX_ITEMS)]
Hours = Annotated[int | None, _whole(MAX_DELAY_HOURS)]
Id = Annotated[int | None, Field(ge=1, le=quantities.MAX_ID)]
Country = Annotated[str, AfterValidator(_country)]
Sku = Annotated[str, StringConstraints(max_length=200)]


@dataclass(frozen=True)
class OrderFacts:
    """What conditions look at, read from an order (see rules.apply.facts)."""

    requested_service: str = ""
    shippers: frozenset[str] = frozenset()  # the lines' Back Market shippers, casefolded
    delays: frozenset[int] = frozenset()  # the lines' Back Market delays, in hours
    country: str = ""  # ship-to country, ISO-2
    skus: tuple[str, ...] = ()  # the live lines' SKUs
    items: int = 0  # units on the live lines
    weight_grams: int | None = None  # None: unknown (an item without a weight anywhere)
    total: Decimal = Decimal(0)
    backship: bool = False


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def stored(self) -> dict:
        """The JSON kept on the rule: only what is set."""
        return self.model_dump(mode="json", exclude_defaults=True)


def _in_range(facts_value, low, high) -> bool:
    if low is None and high is None:
        return True
    if facts_value is None:
        return False  # a weight nobody knows satisfies no weight condition
    return (low is None or facts_value >= low) and (high is None or facts_value <= high)


class Conditions(_Stored):
    """All the conditions set must hold (none set: every order). Text compares without
    regard to case; "SKUs" and "SKU prefix" hold when any live line has one."""

    requested_service: _text(200) = None
    shipper: _text(200) = None
    delay_hours: Hours = None
    countries: Annotated[
        tuple[Country, ...], BeforeValidator(_listed), Field(max_length=MAX_LIST)
    ] = ()
    skus: Annotated[tuple[Sku, ...], BeforeValidator(_listed), Field(max_length=MAX_LIST)] = ()
    sku_prefix: _text(200) = None
    min_items: Items = None
    max_items: Items = None
    min_weight_grams: Grams = None
    max_weight_grams: Grams = None
    min_total: Money = None
    max_total: Money = None
    backship: bool | None = None

    @model_validator(mode="after")
    def _ranges(self):
        for low, high in (
            ("min_items", "max_items"),
            ("min_weight_grams", "max_weight_grams"),
            ("min_total", "max_total"),
        ):
            if None not in (getattr(self, low), getattr(self, high)) and getattr(
                self, low
            ) > getattr(self, high):
                raise RuleError(
                    _("%(low)s is above %(high)s") % {"low": LABELS[low], "high": LABELS[high]},
                    low,
                )
        return self

    def matches(self, facts: OrderFacts) -> bool:
        if (
            self.requested_service
            and self.requested_service.casefold() not in facts.requested_service.casefold()
        ):
            return False
        if self.shipper and self.shipper.casefold() not in facts.shippers:
            return False
        if self.delay_hours is not None and self.delay_hours not in facts.delays:
            return False
        if self.countries and facts.country not in self.countries:
            return False
        if self.skus and not set(self.skus) & set(facts.skus):
            return False
        if self.sku_prefix and not any(sku.startswith(self.sku_prefix) for sku in facts.skus):
            return False
        if self.backship is not None and self.backship != facts.backship:
            return False
        return (
            _in_range(facts.items, self.min_items, self.max_items)
            and _in_range(facts.weight_grams, self.min_weight_grams, self.max_weight_grams)
            and _in_range(facts.total, self.min_total, self.max_total)
        )

    def describe(self) -> list[str]:
        """Each condition set, in words."""
        said = []
        for name, value in self:
            if value is None or value == ():
                continue
            if name == "backship":
                value = _("yes") if value else _("no")
            elif isinstance(value, tuple):
                value = ", ".join(value)
            said.append(_said(name, value))
        return said


class Actions(_Stored):
    """What a matching rule sets on the order. The carrier account and its service go
    together (the service is one of the account's carrier's); the three dimensions too."""

    carrier_account: Id = None
    service_code: _text(100) = None
    package_code: _text(50) = None
    weight_grams: Annotated[Grams, Field(ge=1)] = None
    length_cm: Centimetres = None
    width_cm: Centimetres = None
    height_cm: Centimetres = None
    hold_until: date | None = None
    hold_days: Annotated[int | None, _whole(MAX_HOLD_DAYS), Field(ge=1)] = None
    tag: _text(50) = None
    warehouse: Id = None

    def describe(self, accounts: dict[int, str], warehouses: dict[int, str]) -> list[str]:
        """Each action, in words; `accounts` and `warehouses` name them by id."""
        said = []
        for name, value in self:
            if value is None or name in ("service_code", "width_cm", "height_cm"):
                continue
            if name == "carrier_account":
                name, value = "service_code", f"{self.service_code} ({accounts.get(value, value)})"
            elif name == "length_cm":
                name, value = "dimensions_cm", size_text(self.dimensions)
            elif name == "warehouse":
                value = warehouses.get(value, value)
            said.append(_said(name, value))
        return said

    @property
    def dimensions(self) -> tuple[Decimal, Decimal, Decimal] | None:
        sizes = (self.length_cm, self.width_cm, self.height_cm)
        return None if None in sizes else sizes

    @model_validator(mode="after")
    def _together(self):
        if (self.carrier_account is None) != (self.service_code is None):
            missing = "service_code" if self.service_code is None else "carrier_account"
            raise RuleError(
                _("a carrier account and its service are set together: give the %(field)s")
                % {"field": LABELS[missing]},
                missing,
            )
        sizes = [self.length_cm, self.width_cm, self.height_cm]
        if any(s is not None for s in sizes) and any(s is None for s in sizes):
            raise RuleError(_("give the length, width and height together"), "length_cm")
        if self.hold_until is not None and self.hold_days is not None:
            raise RuleError(_("hold until a date or for a number of days, not both"), "hold_days")
        if all(value is None for _name, value in self):
            raise RuleError(_("a rule sets something: give at least one action"))
        return self


def size_text(sizes: tuple[Decimal, ...]) -> str:
    """Length × width × height as people write it: 16 × 9 × 4.5."""
    return " × ".join(f"{size.normalize():f}" for size in sizes)


def parse(model: type[_Stored], values: dict) -> _Stored:
    """`values` as conditions or actions; RuleError names the first field at fault."""
    try:
        return model.model_validate(values)
    except RuleError:
        raise
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, RuleError):
            raise cause from None
        problem = str(cause) if isinstance(cause, ValueError) else error["msg"]
        label = LABELS.get(field, field)
        raise RuleError(
            _("%(name)s: %(problem)s") % {"name": label, "problem": problem} if label else problem,
            field,
        ) from None
