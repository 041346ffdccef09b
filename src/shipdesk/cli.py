"""The `shipdesk` command: every Django management command, plus shipdesk's own.

Whatever a command does wrong, the user sees one line and a non-zero exit, never a
traceback: a closed pipe (`shipdesk orders show N | head`), Ctrl-C, a database that was never
migrated, and even a bug (its traceback is kept in a file; `--traceback` or SHIPDESK_DEBUG=1
shows it instead).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
import traceback

from django.core.management import ManagementUtility, get_commands, load_command_class

# Django's tracebacks on request; also what `--traceback` asks of Django's own commands.
DEBUG_FLAG = "--traceback"
ERROR_FILE = "last-error.txt"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
    debug = DEBUG_FLAG in args or os.environ.get("SHIPDESK_DEBUG") == "1"
    try:
        _run(args)
        sys.stdout.flush()  # a reader that went away shows here, not as a warning at exit
    except BrokenPipeError:
        # The Python documentation's recipe: no more output, and none at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)  # what shells report for a command stopped by Ctrl-C
    except Exception as exc:
        if debug:
            raise
        fail(_explain(exc))


def fail(message: str) -> None:
    """Print `shipdesk: message` on stderr and exit 1."""
    sys.stderr.write(f"shipdesk: {message}\n")
    sys.exit(1)


def _run(args: list[str]) -> None:
    if args in (["--version"], ["version"]):
        sys.stdout.write(_version() + "\n")
        return
    _load_settings()
    _Utility(["shipdesk", *args]).execute()


class ConfigurationError(Exception):
    """A variable of the environment (or SHIPDESK_HOME) that shipdesk cannot use."""


def _load_settings() -> None:
    """Read the environment now: a bad value is the user's to fix, not a bug."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the first access loads shipdesk.settings
    except (ValueError, OSError, ImproperlyConfigured) as exc:
        raise ConfigurationError(_first_line(exc)) from exc


def _explain(exc: Exception) -> str:
    """One line about an exception that escaped a command."""
    from django.db import DatabaseError

    if isinstance(exc, DatabaseError):
        return database_problem() or f"database error: {_first_line(exc)}"
    if isinstance(exc, ConfigurationError):
        return f"configuration error: {exc}"
    kept = _keep_traceback()
    where = f"the details are in {kept}; " if kept else ""
    return (
        f"unexpected error: {type(exc).__name__}: {_first_line(exc)} "
        f"({where}run again with {DEBUG_FLAG} to see them here)"
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def _keep_traceback() -> str | None:
    """Write the current exception's traceback into the data folder; its path, or None."""
    from shipdesk import config

    try:
        path = config.private_file(config.home() / ERROR_FILE)
        path.write_text(traceback.format_exc())
    except Exception:  # reporting the error must not raise another one
        return None
    return str(path)


def database_problem() -> str | None:
    """What is wrong with the database for shipdesk's commands, or None if it is ready.

    Reading the migration plan costs ~35 ms: `serve` and `worker` check it before starting;
    other commands only after a database error, to tell "never migrated" from the rest.
    """
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = connection.settings_dict["NAME"]  # a file or a database name: never a password
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"cannot use the database {where}: {_first_line(exc)}"
    if not plan:
        return None
    state = "is not up to date" if executor.loader.applied_migrations else "is not set up"
    return f"the database at {where} {state}: run `shipdesk migrate`"


def bounded(kind: type[int] | type[float], low: float, high: float):
    """An argparse type: a finite number of `kind` from `low` to `high`."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{text} is not between {low:g} and {high:g}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


PORT = bounded(int, 1, 65535)


def add_listen_options(parser, port: int, what: str = "") -> None:
    """`--host` and `--port` of a command that serves, its defaults in the help."""
    where = f" of {what}" if what else " to listen on"
    parser.add_argument(
        "--host", default="127.0.0.1", help=f"address{where} (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=PORT, default=port, help=f"port{where} (default: %(default)s)"
    )


def _version() -> str:
    from importlib.metadata import version

    return f"shipdesk {version('shipdesk')}"


def _main_help() -> str:
    ours, django = [], []
    for name, app in sorted(get_commands().items()):
        if app.startswith("shipdesk."):
            help_text = load_command_class(app, name).help.strip().splitlines()[0]
            ours.append(f"  {name:<13}{help_text}")
        else:
            django.append(name)
    return "\n".join(
        [
            "Usage: shipdesk <command> [options]",
            "`shipdesk <command> --help` shows a command's options; `shipdesk --version` "
            "its version.",
            "",
            "shipdesk's commands:",
            *ours,
            "",
            "Django's commands (e.g. `shipdesk migrate`, `shipdesk createsuperuser`):",
            textwrap.fill(", ".join(django), width=88, initial_indent="  ", subsequent_indent="  "),
        ]
    )


class _Utility(ManagementUtility):
    """Django's command runner, with shipdesk's commands listed first in the help and
    shipdesk's version in every command's `--version`."""

    def fetch_command(self, subcommand):
        command = super().fetch_command(subcommand)
        command.get_version = _version
        return command

    def main_help_text(self, commands_only=False):
        if commands_only:
            return super().main_help_text(commands_only)
        return _main_help()


if __name__ == "__main__":
    main()
