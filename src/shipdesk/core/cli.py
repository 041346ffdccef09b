"""Small helpers shared by shipdesk's management commands."""

import json

from django.core.management.base import CommandError


def print_json(command, data) -> None:
    command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def get_store(ref: str):
    """A store by id or by name, or a clear error."""
    from shipdesk.stores.models import Store

    qs = Store.objects.filter(pk=int(ref)) if ref.isdigit() else Store.objects.filter(name=ref)
    store = qs.first()
    if store is None:
        raise CommandError(f"no store {ref!r} (give its id or name; see `shipdesk store list`)")
    return store


def is_terminal(command) -> bool:
    return command.stdout.isatty()
