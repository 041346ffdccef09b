"""The `shipdesk` executable as a user meets it: one line for a mistake, never a traceback."""

import io
import os
import signal
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from shipdesk import cli
from shipdesk.orders.models import Order
from shipdesk.sync.importer import import_orders

SHIPDESK = str(Path(sys.executable).parent / "shipdesk")


def environment(home: Path) -> dict[str, str]:
    """The test's environment with a data folder of its own, on SQLite."""
    env = {**os.environ, "SHIPDESK_HOME": str(home), "COLUMNS": "200"}
    for name in ("DATABASE_URL", "REDIS_URL", "SHIPDESK_DEBUG"):
        env.pop(name, None)
    return env


def shipdesk(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SHIPDESK, *args], env=environment(home), capture_output=True, text=True, timeout=120
    )


def not_set_up(home: Path) -> str:
    return (
        f"shipdesk: the database at {home.resolve()}/shipdesk.sqlite3 is not set up: "
        "run `shipdesk migrate`\n"
    )


@pytest.mark.parametrize(
    "command", [["sync"], ["store", "list"], ["orders", "list"], ["notify"]], ids=" ".join
)
def test_before_migrate_a_command_says_to_run_migrate(tmp_path, command):
    result = shipdesk(tmp_path, *command)

    assert (result.returncode, result.stdout, result.stderr) == (1, "", not_set_up(tmp_path))


def test_a_database_behind_the_code_says_it_is_not_up_to_date(tmp_path):
    shipdesk(tmp_path, "migrate", "-v0")
    shipdesk(tmp_path, "migrate", "sync", "zero", "-v0")

    result = shipdesk(tmp_path, "notify")

    assert result.returncode == 1
    assert result.stderr == (
        f"shipdesk: the database at {tmp_path.resolve()}/shipdesk.sqlite3 is not up to date: "
        "run `shipdesk migrate`\n"
    )


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"]], ids=" ".join)
def test_serve_and_worker_do_not_start_on_a_database_that_is_not_set_up(tmp_path, command):
    result = shipdesk(tmp_path, *command)

    assert result.returncode == 1
    assert result.stderr == "CommandError: " + not_set_up(tmp_path).removeprefix("shipdesk: ")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "SHIPDESK_EMAIL_URL",
            "pop3://shop:s3cret@mail.example.com",
            "SHIPDESK_EMAIL_URL must start with smtp:// or smtps://",
        ),
        (
            "DATABASE_URL",
            "foo://shop:s3cret@db.example.com/shipdesk",
            "Scheme 'foo://' is unknown.",
        ),
    ],
    ids=["email", "database"],
)
def test_a_bad_setting_is_a_configuration_error_without_its_secret(
    tmp_path, variable, value, message
):
    env = {**environment(tmp_path), variable: value}

    result = subprocess.run(
        [SHIPDESK, "store", "list"], env=env, capture_output=True, text=True, timeout=120
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"shipdesk: configuration error: {message}")
    assert result.stderr.count("\n") == 1 and "s3cret" not in result.stderr


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    """`shipdesk orders show N | head`: the reader leaves before everything is written."""
    process = subprocess.Popen(
        [SHIPDESK, "showmigrations"],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # no reader left: the first write fails
    stderr = process.stderr.read()
    process.stderr.close()

    assert (process.wait(timeout=120), stderr) == (1, "")


def test_ctrl_c_ends_a_command_quietly_with_code_130(tmp_path):
    process = subprocess.Popen(
        [
            SHIPDESK,
            "shell",
            "-v0",
            "-c",
            "print('ready', flush=True); import time; time.sleep(120)",
        ],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert (process.returncode, stdout, stderr) == (130, "", "")


def test_an_unexpected_error_is_one_line_and_its_traceback_is_kept(tmp_path, monkeypatch, capsys):
    def bug(self):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli._Utility, "execute", bug)
    monkeypatch.setenv("SHIPDESK_HOME", str(tmp_path))
    monkeypatch.delenv("SHIPDESK_DEBUG", raising=False)

    with pytest.raises(SystemExit) as exit:
        cli.main(["store", "list"])

    kept = tmp_path.resolve() / "last-error.txt"
    assert exit.value.code == 1
    assert capsys.readouterr().err == (
        f"shipdesk: unexpected error: RuntimeError: boom (the details are in {kept}; "
        "run again with --traceback to see them here)\n"
    )
    assert kept.read_text().startswith("Traceback (most recent call last):\n")
    assert kept.read_text().endswith("RuntimeError: boom\nsecond line\n")
    assert oct(kept.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("how", ["--traceback", "SHIPDESK_DEBUG=1"])
def test_the_traceback_of_an_unexpected_error_on_request(monkeypatch, how):
    def bug(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli._Utility, "execute", bug)
    monkeypatch.setenv("SHIPDESK_DEBUG", "1" if how == "SHIPDESK_DEBUG=1" else "")
    args = ["store", "list", "--traceback"] if how == "--traceback" else ["store", "list"]

    with pytest.raises(RuntimeError, match="^boom$"):
        cli.main(args)


@pytest.mark.parametrize(
    "args",
    [["--version"], ["version"], ["orders", "--version"], ["migrate", "--version"]],
    ids=" ".join,
)
def test_version_is_shipdesks(tmp_path, args):
    result = shipdesk(tmp_path, *args)

    assert (result.returncode, result.stdout, result.stderr) == (0, "shipdesk 0.1.0\n", "")
    assert version("shipdesk") == "0.1.0"


@pytest.mark.parametrize("args", [["--help"], ["help"], []], ids=lambda a: " ".join(a) or "none")
def test_help_lists_shipdesks_commands_first(tmp_path, args):
    result = shipdesk(tmp_path, *args)

    lines = result.stdout.splitlines()
    ours = sorted(name for name, app in get_commands().items() if app.startswith("shipdesk."))
    start = lines.index("shipdesk's commands:") + 1
    listed = lines[start : start + len(ours)]
    assert lines[0] == "Usage: shipdesk <command> [options]"
    assert [line.split()[0] for line in listed] == ours
    assert lines[start + len(ours)] == ""
    assert lines[start + len(ours) + 1].startswith("Django's commands")
    assert (
        "  demo         Run the Back Market sandbox, a demo store, the worker and the web "
        "application." in listed
    )
    assert (
        "  worker       Run background jobs (imports, the outbox). Several may run at once."
        in listed
    )
    django = " ".join(lines[start + len(ours) + 2 :])
    assert "migrate," in django and "createsuperuser," in django and "demo" not in django
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "demo",
            [
                "--host HOST address of the web UI (default: 127.0.0.1)",
                "--port PORT port of the web UI (default: 8000)",
                "--sandbox-port SANDBOX_PORT port of the Back Market sandbox, on 127.0.0.1 "
                "(default: 8765)",
                "--orders ORDERS orders the sandbox starts with the first time (default: 300)",
                "--arrival-rate ARRIVAL_RATE new orders per minute (default: 4.0)",
                "--import-every SECONDS seconds between two imports of the demo store "
                "(default: 15.0)",
            ],
        ),
        (
            "sandbox",
            [
                "--port PORT port to listen on (default: 8765)",
                "--orders ORDERS orders generated at start, over the last 60 days (default: 200)",
                "--seed SEED the same seed generates the same orders (default: 1)",
                "--token TOKEN the seller's API token (default: sandbox-token)",
                "--arrival-rate ARRIVAL_RATE new paid orders per minute (default: 0.0)",
                "--state FILE keep the orders in FILE",
            ],
        ),
        (
            "serve",
            [
                "--host HOST address to listen on (default: 127.0.0.1)",
                "--port PORT port to listen on (default: 8000)",
                "--workers WORKERS web processes (default: $SHIPDESK_WEB_WORKERS, else 1: 1)",
            ],
        ),
    ],
)
def test_options_say_their_defaults(tmp_path, command, expected):
    result = shipdesk(tmp_path, command, "--help")

    text = " ".join(result.stdout.split())
    for option in expected:
        assert option in text
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["demo", "--port", "99999"], "argument --port: 99999 is not between 1 and 65535"),
        (
            ["demo", "--arrival-rate", "nan"],
            "argument --arrival-rate: nan is not between 0 and 600",
        ),
        (["sandbox", "--fault-rate", "2"], "argument --fault-rate: 2 is not between 0 and 1"),
        (["serve", "--workers", "many"], "argument --workers: 'many' is not a number"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_numbers_out_of_bounds_are_refused(tmp_path, args, error):
    result = shipdesk(tmp_path, *args)

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"shipdesk {args[0]}: error: {error}"


def test_packing_slip_into_a_missing_folder_is_one_line(tmp_path):
    out = tmp_path / "missing" / "slips.pdf"

    result = shipdesk(tmp_path, "packingslip", "1", "--out", str(out))

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"CommandError: cannot write {out}: there is no folder {tmp_path / 'missing'}\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("command", [["packingslip"], ["orders", "packing-slip"]], ids=" ".join)
def test_packing_slip_that_cannot_be_written_leaves_nothing(store, tmp_path, command):
    import_orders(store)
    number = Order.objects.order_by("id").first().order_number
    missing = tmp_path / "missing" / "slips.pdf"
    folder = tmp_path / "slips.pdf"
    folder.mkdir()  # a folder where the PDF should go: the rename fails after the writing

    with pytest.raises(CommandError) as no_folder:
        call_command(*command, number, "--out", str(missing))
    with pytest.raises(CommandError) as is_folder:
        call_command(*command, number, "--out", str(folder))

    assert str(no_folder.value) == f"cannot write {missing}: there is no folder {missing.parent}"
    assert str(is_folder.value) == f"cannot write {folder}: Is a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slips.pdf"]
    assert list(folder.iterdir()) == []


@pytest.mark.django_db
def test_packing_slip_replaces_a_file_whole_with_the_users_umask(store, tmp_path):
    import_orders(store)
    number = Order.objects.order_by("id").first().order_number
    out = tmp_path / "slips.pdf"
    out.write_bytes(b"old")
    umask = os.umask(0o022)
    try:
        call_command("packingslip", number, "--out", str(out), stdout=io.StringIO())
    finally:
        os.umask(umask)

    assert out.read_bytes().startswith(b"%PDF-")
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["slips.pdf"]
