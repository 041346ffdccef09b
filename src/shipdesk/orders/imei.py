"""IMEI and serial numbers: validation, phone detection and the Internal Notes habit.

Back Market penalises smartphones shipped without an IMEI and never lets a sent value be
corrected, so everything here runs before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

IMEI_LENGTH = 15
SERIAL_MAX = 50

_PHONE_TITLE = re.compile(
    r"\b(iphone|galaxy\s+(s|z|a|note|m)\d*|pixel\s*\d|xiaomi|redmi|poco|oneplus|huawei\s+(p|mate|nova)"
    r"|honor|oppo|realme|motorola|moto\s+[a-z]|nokia|sony\s+xperia|xperia|fairphone|nothing\s+phone"
    r"|asus\s+zenfone|zenfone|vivo|smartphone|t[ée]l[ée]phone|handy|m[oó]vil|cellulare)",
    re.IGNORECASE,
)
# Accessories and devices that share a brand or a word with phones.
_NOT_PHONE = re.compile(
    r"\b(charger|chargeur|ladeger[äa]t|netzteil|cargador|caricatore|cable|câble|kabel|case|coque"
    r"|h[üu]lle|funda|cover|airpods|earbuds|buds|[ée]couteurs|kopfh[öo]rer|watch|montre|uhr"
    r"|reloj|orologio|ipad|tablet|tablette|galaxy\s+tab|macbook|screen\s+protector|verre\s+tremp[ée]"
    r"|adapter|adaptateur|power\s*bank)",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_imei(value: str) -> str:
    """Scanners and people add spaces, dashes and slashes; Back Market wants 15 digits."""
    return re.sub(r"[\s\-/.]", "", value or "")


def imei_error(value: str) -> str | None:
    """None when valid, else why not, in the user's words."""
    imei = normalise_imei(value)
    if not (imei.isascii() and imei.isdigit()):  # "¹" and "٣" are digits to str.isdigit
        return _("IMEI %(value)r must contain only digits") % {"value": value}
    if len(imei) != IMEI_LENGTH:
        return _("IMEI %(imei)s has %(count)s digits; an IMEI has 15") % {
            "imei": imei,
            "count": len(imei),
        }
    if not luhn_ok(imei):
        return _("IMEI %(imei)s has a wrong check digit (Luhn); check for a typing error") % {
            "imei": imei
        }
    return None


def serial_error(value: str) -> str | None:
    serial = (value or "").strip()
    if not serial:
        return _("the serial number is empty")
    if len(serial) > SERIAL_MAX:
        return _("serial number %(start)s… is longer than %(max)s characters") % {
            "start": serial[:20],
            "max": SERIAL_MAX,
        }
    return None


def is_phone(*, title: str, brand: str = "", catalogue_needs_imei: bool | None = None) -> bool:
    """Does this item need an IMEI / serial? The catalogue decides; else brand and title."""
    if catalogue_needs_imei is not None:
        return catalogue_needs_imei
    text = f"{brand} {title}"
    if _NOT_PHONE.search(text):
        return False
    return bool(_PHONE_TITLE.search(text))


@dataclass(frozen=True)
class NotesUnit:
    """A unit needing an IMEI / serial number, as the Internal Notes reading sees it."""

    sku: str
    unit: int  # numbered from 1 among the SKU's units
    takes_serial: bool = False  # not a phone: a bare word on a line is its serial number
    recorded: str = ""  # the IMEI / serial number it already has

    @property
    def name(self) -> str:
        return _("%(sku)s unit %(unit)s") % {"sku": self.sku, "unit": self.unit}


@dataclass(frozen=True)
class NotesValue:
    """An IMEI or serial number read from the notes for one unit."""

    sku: str
    unit: int
    imei: str = ""
    serial_number: str = ""
    recorded: bool = False  # the unit already has it: nothing to fill

    @property
    def value(self) -> str:
        return self.imei or self.serial_number

    @property
    def unit_name(self) -> str:
        return NotesUnit(self.sku, self.unit).name


@dataclass
class NotesReading:
    """What the Internal Notes say, per unit, and what cannot be read (with what to type)."""

    values: list[NotesValue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_fill(self) -> list[NotesValue]:
        return [v for v in self.values if not v.recorded]


_SERIAL_LABEL = r"s/n|sn|serial(?:\s+number)?|n°\s*(?:de\s+)?s[ée]rie|num[ée]ro\s+de\s+s[ée]rie"
_LABEL = re.compile(
    rf"(?P<label>imei|{_SERIAL_LABEL})(?:\s*[:#=]\s*|\s+)"
    r"(?P<value>[0-9][0-9 \-./]*[0-9](?=\s|$)|\S+)",
    re.I,
)
# "IMEI" further along a line ("Checked by Léa, IMEI 356938035643809"): its digits.
_IMEI_IN_LINE = re.compile(r"(?<![A-Za-z0-9])imei\s*[:#=]?\s*(?P<value>[0-9][0-9 \-]*[0-9])", re.I)
_SKU_LINE = re.compile(r"(?P<sku>[^\s:]+)\s*:\s*(?P<value>\S.*)")
_DIGITS = re.compile(r"[0-9][0-9\s\-/.]*[0-9]")
# A serial number typed alone: one word of letters and digits, with at least one digit.
_SERIAL_WORD = re.compile(rf"(?=\S*[0-9])[A-Za-z0-9][A-Za-z0-9\-/.]{{3,{SERIAL_MAX - 1}}}")


@dataclass
class _Entry:
    line: int
    sku: str | None  # as the order spells it
    imei: str = ""
    serial_number: str = ""

    @property
    def value(self) -> str:
        return self.imei or self.serial_number


def _line_problem(line: int, text: str) -> str:
    return _("Internal notes, line %(line)s: %(problem)s") % {"line": line, "problem": text}


def _imei_like(value: str) -> bool:
    """Digits only (scanners' spaces and dashes aside), as many as an IMEI give or take one."""
    return bool(_DIGITS.fullmatch(value)) and 14 <= len(normalise_imei(value)) <= 16


def _read_value(number: int, value: str, label: str | None, sku: str | None, takes_serial: bool):
    """(_Entry or None, problem or None) for one value: labelled, after a SKU, or alone."""
    value = value.strip()
    if label is not None and label.lower() == "imei" or label is None and _imei_like(value):
        imei = normalise_imei(value)
        if error := imei_error(imei if label is None else value):
            return None, _line_problem(number, error)
        return _Entry(number, sku, imei=imei), None
    if label is not None:
        if error := serial_error(value):
            return None, _line_problem(number, error)
        return _Entry(number, sku, serial_number=value), None
    if takes_serial and _SERIAL_WORD.fullmatch(value):
        return _Entry(number, sku, serial_number=value), None
    if sku is not None and " " not in value:
        # Written for a phone's SKU, yet no IMEI: say how to give a serial number instead.
        return None, _line_problem(
            number,
            _(
                "%(value)s is not an IMEI (15 digits); for a serial number write "
                "“%(sku)s: S/N: %(value)s”"
            )
            % {"value": value, "sku": sku},
        )
    return None, None


def read_notes(notes: str, units: list[NotesUnit]) -> NotesReading:
    """Read the IMEIs / serial numbers people type into Internal Notes, as ShipStation's help
    tells them to: the number alone on its line (for an order of one unit; for several, one
    line per unit in the order of the items), `IMEI: …`, `S/N: …` / `serial: …` / `SN: …`,
    or `SKU: …` to say which item. `units` are the order's units needing one, in item order.

    Nothing doubtful is read: an invalid value, a value written twice, more or fewer values
    than units to place them on, a SKU the order has no such unit of — each is a problem
    saying what to type instead, and its values go nowhere.
    """
    reading = NotesReading()
    if not units:
        return reading
    skus = {u.sku.lower(): u.sku for u in units}
    serial_skus = {u.sku for u in units if u.takes_serial}
    entries: list[_Entry] = []
    for number, raw in enumerate((notes or "").splitlines(), start=1):
        text = raw.strip()
        sku = label = None
        sku_line = _SKU_LINE.fullmatch(text)
        if sku_line and sku_line["sku"].lower() in skus:
            sku, text = skus[sku_line["sku"].lower()], sku_line["value"]
        labelled = _LABEL.match(text) or _IMEI_IN_LINE.search(text)
        if labelled:
            label, text = labelled.groupdict().get("label", "imei"), labelled["value"]
        elif sku is None and sku_line and _imei_like(sku_line["value"]):
            reading.problems.append(
                _line_problem(
                    number,
                    _(
                        "the order has no %(sku)s needing an IMEI / serial number; write one of "
                        "%(skus)s before the colon"
                    )
                    % {
                        "sku": sku_line["sku"],
                        "skus": ", ".join(dict.fromkeys(u.sku for u in units)),
                    },
                )
            )
            continue
        takes_serial = sku in serial_skus if sku else bool(serial_skus)
        entry, problem = _read_value(number, text, label, sku, takes_serial)
        if problem:
            reading.problems.append(problem)
        if entry is not None:
            entries.append(entry)
        elif problem and sku is None and (label or len(normalise_imei(text)) == IMEI_LENGTH):
            # An IMEI mistyped still takes its line's unit; a number of another length
            # (a DPD tracking number has 14 digits) is reported but takes none.
            entries.append(_Entry(number, None))
    _place(entries, units, reading)
    order = [(u.sku, u.unit) for u in units]
    reading.values.sort(key=lambda v: order.index((v.sku, v.unit)))
    return reading


def _place(entries: list[_Entry], units: list[NotesUnit], reading: NotesReading) -> None:
    """Give each value read its unit: a value the order already has is that unit's; one
    after a SKU goes to that SKU's first unit without one; the others, one per unit left,
    in item order, only when there are exactly as many."""
    lines: dict[str, list[int]] = {}
    for entry in entries:
        if entry.value:
            lines.setdefault(entry.value, []).append(entry.line)
    for value, numbers in lines.items():
        if len(numbers) > 1:
            reading.problems.append(
                _(
                    "Internal notes, lines %(lines)s: %(value)s is written more than once; write "
                    "each unit's number once"
                )
                % {"lines": ", ".join(str(n) for n in numbers), "value": value}
            )
    recorded = {u.recorded: u for u in units if u.recorded}
    free = [u for u in units if not u.recorded]
    bare: list[_Entry] = []
    for entry in entries:
        twice = len(lines.get(entry.value, ())) > 1
        if entry.value in recorded and not twice:
            unit = recorded[entry.value]
            reading.values.append(_value(entry, unit, recorded=True))
        elif entry.sku is None:
            bare.append(_Entry(entry.line, None) if twice else entry)
        elif not twice:
            unit = next((u for u in free if u.sku == entry.sku), None)
            if unit is None:
                reading.problems.append(
                    _line_problem(
                        entry.line,
                        _(
                            "%(sku)s has no unit left without an IMEI / serial number; remove the "
                            "line, or clear a unit's number on the order page"
                        )
                        % {"sku": entry.sku},
                    )
                )
                continue
            free.remove(unit)
            reading.values.append(_value(entry, unit))
    if bare and len(bare) != len(free):
        reading.problems.append(
            _(
                "Internal notes: %(count)s number(s) without a SKU for %(free)s unit(s) without an "
                "IMEI / serial number (%(units)s): write one per line, in the order of the items, "
                "or “SKU: number” lines"
            )
            % {"count": len(bare), "free": len(free), "units": ", ".join(u.name for u in free)}
            if free
            else _(
                "Internal notes: %(count)s number(s) without a SKU, but every unit already "
                "has an IMEI / serial number: remove them, or clear a unit's number on the "
                "order page"
            )
            % {"count": len(bare)}
        )
        return
    for entry, unit in zip(bare, free, strict=False):
        if entry.value:
            reading.values.append(_value(entry, unit))


def _value(entry: _Entry, unit: NotesUnit, *, recorded: bool = False) -> NotesValue:
    return NotesValue(unit.sku, unit.unit, entry.imei, entry.serial_number, recorded)
