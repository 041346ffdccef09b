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


@dataclass
class NotesIdentifiers:
    """What the Internal Notes say: IMEIs (optionally per SKU) and the invalid ones."""

    imeis: list[tuple[str | None, str]] = field(default_factory=list)  # (sku or None, imei)
    invalid: list[str] = field(default_factory=list)


_NOTE_LINE = re.compile(
    r"(?:(?P<sku>[A-Za-z0-9][A-Za-z0-9._\-]*)\s*:\s*)?IMEI\s*[:#=]?\s*(?P<value>[0-9][0-9 \-]{0,30}[0-9])"
    r"|(?P<sku2>[A-Za-z0-9][A-Za-z0-9._\-]*)\s*:\s*(?P<value2>\d{15})\b",
    re.IGNORECASE,
)


def parse_notes(notes: str) -> NotesIdentifiers:
    """Read `IMEI: 356938035643809`, `SKU: IMEI: ...` or `SKU: 356938035643809` lines."""
    found = NotesIdentifiers()
    for match in _NOTE_LINE.finditer(notes or ""):
        sku = match.group("sku") or match.group("sku2")
        if sku and sku.upper() == "IMEI":
            sku = None
        value = normalise_imei(match.group("value") or match.group("value2"))
        if imei_error(value):
            found.invalid.append(value)
        elif (sku, value) not in found.imeis:
            found.imeis.append((sku, value))
    return found
