"""Small helpers shared by shipdesk's management commands."""

import argparse
import json
import re
import sys

from django.core.management.base import CommandError
from django.utils import timezone

# A database id as people type it: ASCII digits, small enough for any database's bigint.
_ID = re.compile(r"[0-9]{1,18}")


def whole_number(low: int = 1, high: int = 10**9):
    """An argparse type for a count, a position or a duration: a whole number in bounds."""

    def parse(text: str) -> int:
        if not _ID.fullmatch(text.strip()) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text!r}"
            )
        return int(text)

    return parse


def print_json(command, data) -> None:
    command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def local_time(value) -> str:
    """A stored (UTC) time in the configured time zone, as the tables show it."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "never"


def get_store(ref: str):
    """A store by id or by name, or a clear error."""
    from shipdesk.stores.models import Store

    ref = (ref or "").strip()
    store = Store.objects.filter(pk=int(ref)).first() if _ID.fullmatch(ref) else None
    store = store or Store.objects.filter(name=ref).first()
    if store is None:
        raise CommandError(f"no store {ref!r} (give its id or name; see `shipdesk store list`)")
    return store


def find_order(number: str, *, store: str | None = None, deleted: bool = False):
    """The order with this number (in this store, if given), or a clear error.

    Numbers are unique within a store only: when several stores have it, --store decides.
    """
    from shipdesk.orders.models import Order

    orders = Order.objects.filter(order_number=number.strip()).select_related("store")
    if store:
        orders = orders.filter(store=get_store(store))
    matches = list(orders.filter(deleted=deleted).order_by("store__name")[:20])
    if not matches:
        where = f" in store {store!r}" if store else ""
        if deleted:
            raise CommandError(f"no deleted order {number!r}{where}")
        if orders.filter(deleted=True).exists():
            raise CommandError(
                f"order {number!r}{where} is deleted; bring it back with "
                f"`shipdesk orders restore {number}`"
            )
        raise CommandError(f"no order {number!r}{where}")
    if len(matches) > 1:
        stores = ", ".join(f"{o.store.name!r} (id {o.store_id})" for o in matches)
        raise CommandError(
            f"order number {number!r} exists in several stores: {stores}; "
            "pick one with --store ID_OR_NAME"
        )
    return matches[0]


def confirm(command, question: str, *, yes: bool, refusal: str) -> None:
    """Go on when --yes was given or the person at the terminal says yes; else CommandError."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CommandError(f"{refusal}: confirm with --yes")
    command.stdout.write(f"{question} [y/N] ", ending="")
    command.stdout.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandError("nothing changed")


def is_terminal(command) -> bool:
    return command.stdout.isatty()
