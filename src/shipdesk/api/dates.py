"""The ShipStation API's dates: the one place that writes and reads them.

ShipStation's API v1 writes and reads every date-time in US Pacific time with no offset in
the string (`2026-03-22T12:14:18.0000000`); integrations send their filters that way too.
shipdesk does the same in SHIPDESK_SSAPI_TIME_ZONE (America/Los_Angeles by default, `UTC`
for UTC). A string with an offset (`...Z`, `...+02:00`) is read at that offset.

Around daylight saving, a local time without an offset can name no instant or two:
- a time skipped when clocks go forward (2026-03-08 02:30 Pacific) is read with the offset
  in force before the change, i.e. as the instant an hour later on the new clock (03:30 PDT);
- a time that happens twice when clocks go back (2026-11-01 01:30 Pacific) is read as the
  first one, still in daylight time (01:30 PDT, 08:30 UTC). An instant in the repeated hour
  on standard time is written as the same text, so it reads back one hour earlier: send
  offsets (or set UTC) to tell the two apart.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


class InvalidDate(ValueError):
    pass


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def api_zone() -> ZoneInfo:
    """The time zone the API's dates are in (read at each call: settings may change)."""
    return _zone(settings.SHIPDESK_SSAPI_TIME_ZONE)


def to_text(value: datetime | date | None) -> str | None:
    """ShipStation's `yyyy-mm-ddThh:mm:ss.fffffff` in the API's time zone; a calendar date
    (a hold date) is that day at midnight."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(api_zone())
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0"
    return f"{value.isoformat()}T00:00:00.0000000"


def parse(value: str) -> datetime:
    """ShipStation's date formats (7-digit fractions included) as an aware datetime, in the
    API's time zone unless the text gives an offset."""
    head, sep, rest = value.replace(" ", "T", 1).partition(".")
    if sep:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        rest = rest[:digits][:6].ljust(6, "0") + rest[digits:]
    try:
        parsed = datetime.fromisoformat(head + sep + rest)
    except ValueError:
        raise InvalidDate(f"{value!r} is not a date (expected e.g. 2024-05-01 13:45:00)") from None
    if parsed.tzinfo:
        return parsed
    # fold=0: the first of a repeated hour; a skipped time takes the offset before the change.
    return parsed.replace(tzinfo=api_zone()).astimezone(api_zone())


def parse_date(value: str) -> date:
    """The calendar day the text names, in the API's time zone."""
    return parse(value).astimezone(api_zone()).date()
