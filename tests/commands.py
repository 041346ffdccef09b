"""Running management commands in tests, as scripts do."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args) -> str:
    """What the command printed."""
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refusal(*args) -> str:
    """The one line a refused command prints."""
    with pytest.raises(CommandError) as refused:
        run(*args)
    return str(refused.value)
