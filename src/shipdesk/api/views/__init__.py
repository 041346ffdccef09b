"""The API's endpoints, one module per ShipStation resource. Thin: parse, call the domain, shape."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404
from ninja.errors import HttpError

from shipdesk.api import dates
from shipdesk.api.schemas import Message

ERRORS = {400: Message, 401: Message, 404: Message, 429: Message}


def field_errors(errors: list[dict]) -> str:
    """Pydantic's errors as one line naming each field: the API's one wording of them."""
    parts = []
    for error in errors[:10]:
        # loc is (source, [param name,] field...): keep the field's path.
        loc = [str(p) for p in error.get("loc", ())]
        while loc and loc[0] in ("body", "query", "path"):
            loc.pop(0)
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def get_or_404(qs: QuerySet, label: str, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"{label} {pk} not found")
    return obj


def refuse_test_labels(test_label: bool) -> None:
    """ShipStation's testLabel: shipdesk's way to try labels is a sandbox carrier account."""
    if test_label:
        raise HttpError(
            400,
            "test labels are not offered: try labels with a sandbox carrier account "
            "(shipdesk carrier add NAME --carrier sandbox)",
        )


def date_range(qs: QuerySet, field: str, start: str | None, end: str | None, *, as_date=False):
    """Inclusive [start, end] on a date or datetime field, from ShipStation date strings in
    the API's time zone (a date field compares the day the string names there)."""
    parse = dates.parse_date if as_date else dates.parse
    for value, lookup in ((start, "gte"), (end, "lte")):
        if value:
            qs = qs.filter(**{f"{field}__{lookup}": parse(value)})
    return qs


def sort(qs: QuerySet, field: str, direction: str | None) -> QuerySet:
    prefix = "-" if direction == "DESC" else ""
    return qs.order_by(f"{prefix}{field}", f"{prefix}id")


def page_of(qs: QuerySet, *, key: str, page: int, size: int, shape: Callable, prepare=None) -> dict:
    """ShipStation's list envelope: {key: [...], "total", "page", "pages"}."""
    total = qs.count()
    rows = (prepare(qs) if prepare is not None else qs)[(page - 1) * size : page * size]
    return {
        key: [shape(row) for row in rows],
        "total": total,
        "page": page,
        "pages": math.ceil(total / size),
    }
