"""A fresh machine: where data goes, with which modes, and how the browser tests find Chromium."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests import browser

CHECKOUT = Path(__file__).resolve().parents[2]
SHIPDESK = Path(sys.executable).parent / "shipdesk"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tests_keep_their_data_out_of_the_checkout():
    assert not settings.HOME.is_relative_to(CHECKOUT)
    test_database = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    assert not test_database.startswith(str(CHECKOUT))


def _without_test_environment(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SHIPDESK_HOME", "PYTEST_VERSION")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return {**env, **extra}


def test_the_default_home_is_one_private_folder_per_user_wherever_the_command_runs(tmp_path):
    data = tmp_path / "xdg"
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    env = _without_test_environment(XDG_DATA_HOME=str(data))

    first = subprocess.run(
        [str(SHIPDESK), "migrate", "-v", "0"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    second = subprocess.run(
        [str(SHIPDESK), "migrate", "-v", "0"],
        env=env,
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )

    home = data / "shipdesk"
    assert first.returncode == 0, first.stderr
    assert first.stderr == f"shipdesk: new data folder {home}\n"
    assert second.returncode == 0 and second.stderr == ""  # the same folder, said only once
    assert not (tmp_path / "var").exists() and not (elsewhere / "var").exists()
    assert _mode(home) == 0o700
    for name in ("shipdesk.sqlite3", "huey.sqlite3", "secret.key", "encryption.key"):
        assert _mode(home / name) == 0o600, name


def test_an_existing_database_file_is_made_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "shipdesk.sqlite3").touch(mode=0o644)
    os.chmod(home / "shipdesk.sqlite3", 0o644)
    env = _without_test_environment(SHIPDESK_HOME=str(home))

    done = subprocess.run([str(SHIPDESK), "migrate", "-v", "0"], env=env, capture_output=True)

    assert done.returncode == 0
    assert _mode(home / "shipdesk.sqlite3") == 0o600


def test_make_test_fast_runs_the_tests_without_the_browser():
    planned = subprocess.run(
        ["make", "-n", "test-fast"], cwd=CHECKOUT, capture_output=True, text=True, check=True
    ).stdout
    assert 'pytest -q -m "not browser and not slow"' in planned


def test_chromium_named_by_the_environment_is_used(tmp_path, monkeypatch):
    chrome = tmp_path / "my-chrome"
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    monkeypatch.setenv("SHIPDESK_CHROMIUM", str(chrome))

    assert browser.find_chromium() == str(chrome)
    assert browser.main([]) == 0


def test_a_wrong_chromium_path_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SHIPDESK_CHROMIUM", str(tmp_path / "missing"))

    assert browser.main(["--install"]) == 1
    assert capsys.readouterr().out == (
        f"SHIPDESK_CHROMIUM={tmp_path / 'missing'} is not an executable file.\n"
    )


class Machine:
    """A machine without Chromium: which installers run, and what each one leaves behind."""

    def __init__(self, monkeypatch, *, root: bool, installs: dict[str, str]):
        self.ran: list[str] = []
        self.installed: str | None = None
        monkeypatch.delenv("SHIPDESK_CHROMIUM", raising=False)
        monkeypatch.setattr(browser.os, "geteuid", lambda: 0 if root else 1000)
        monkeypatch.setattr(browser, "_playwright_chromium", lambda: None)
        monkeypatch.setattr(browser.shutil, "which", self.which)

        def run(command, timeout):
            said = " ".join(
                command[command.index("install") - 1 :] if "install" in command else command
            )
            self.ran.append(said)
            for step, path in installs.items():
                if step in said:
                    self.installed = path
                    return True
            return "update" in said  # apt-get update works wherever apt-get does

        monkeypatch.setattr(browser, "_run", run)

    def which(self, name):
        if name == "apt-get":
            return "/usr/bin/apt-get"
        return self.installed if name == "chromium" else None


def test_playwright_installer_is_tried_first(monkeypatch, capsys):
    machine = Machine(monkeypatch, root=True, installs={"playwright install": "/pw/chrome"})

    assert browser.main(["--install"]) == 0
    assert machine.ran == ["playwright install chromium"]
    assert capsys.readouterr().out == "/pw/chrome\n"


def test_as_root_on_debian_the_package_manager_installs_chromium(monkeypatch, capsys):
    machine = Machine(monkeypatch, root=True, installs={"install -y": "/installed/by/apt/chromium"})

    assert browser.main(["--install"]) == 0
    assert machine.ran[0] == "playwright install chromium"
    assert machine.ran[-1].endswith("install -y --no-install-recommends chromium")
    assert capsys.readouterr().out == "/installed/by/apt/chromium\n"


def test_without_any_way_to_install_a_browser_one_line_says_what_to_install(monkeypatch, capsys):
    machine = Machine(monkeypatch, root=False, installs={})

    assert browser.main(["--install"]) == 1
    assert machine.ran == ["playwright install chromium"]  # not root: no package manager
    out = capsys.readouterr().out
    assert out.startswith("No Chromium for the browser tests, and none could be installed here")
    assert out.count("\n") == 1


def test_without_install_nothing_is_installed(monkeypatch, capsys):
    machine = Machine(monkeypatch, root=True, installs={"install": "/installed/by/apt/chromium"})

    assert browser.main([]) == 1
    assert machine.ran == []
