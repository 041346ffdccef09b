"""Find a Chromium for the browser tests, or install one (`make test` runs this first).

Looked for in this order: `$SHIPDESK_CHROMIUM`, a Chromium on the PATH (`chromium`,
`chromium-browser`, `google-chrome`), then the one Playwright
downloaded. When there is none, `--install` tries Playwright's installer (it needs its
download host), then the system's package manager when running as root on Debian.

As a script: prints the executable's path and exits 0, or prints one line saying what to
install and exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Without these Chromium calls Google's hosts at start, which a closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _playwright_chromium() -> str | None:
    """The Chromium that `playwright install chromium` put in its cache, if any."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    # The driver knows where its browser lives; starting it takes about a second.
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if path and os.access(path, os.X_OK) else None


def find_chromium() -> str | None:
    """The path of a usable Chromium, or None."""
    chosen = os.environ.get("SHIPDESK_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in NAMES:
        if path := shutil.which(name):
            return path
    return _playwright_chromium()


def _run(command: list[str], timeout: float) -> bool:
    """Run an installer; on failure show the last line it printed, not its whole story."""
    print(f"$ {' '.join(command)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            command, env=env, timeout=timeout, check=False, capture_output=True, text=True
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  failed: {exc}", file=sys.stderr)
        return False
    if done.returncode != 0:
        said = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        # The first error line says why (Playwright follows it with a stack trace).
        why = next((line for line in said if line.startswith(("Error", "E:"))), None)
        print(f"  failed: {why or (said[-1] if said else done.returncode)}", file=sys.stderr)
    return done.returncode == 0


def install_chromium() -> str | None:
    """Install a Chromium the first way that works here; return its path, or None."""
    print("No Chromium found for the browser tests; installing one.", file=sys.stderr)
    playwright = [sys.executable, "-m", "playwright", "install", "chromium"]
    if _run(playwright, timeout=600) and (path := find_chromium()):
        return path
    if Path("/etc/debian_version").exists() and shutil.which("apt-get") and os.geteuid() == 0:
        # Lock::Timeout: wait for another apt run (an unattended upgrade, a CI step) to finish.
        apt = ["apt-get", "-o", "Dpkg::Use-Pty=0", "-o", "DPkg::Lock::Timeout=600", "-qq"]
        if _run([*apt, "update"], timeout=600) and _run(
            [*apt, "install", "-y", "--no-install-recommends", "chromium"], timeout=1800
        ):
            return find_chromium()
    return None


def main(argv: list[str]) -> int:
    path = find_chromium()
    if path is None and os.environ.get("SHIPDESK_CHROMIUM"):
        print(f"SHIPDESK_CHROMIUM={os.environ['SHIPDESK_CHROMIUM']} is not an executable file.")
        return 1
    if path is None and "--install" in argv:
        path = install_chromium()
    if path is None:
        print(
            "No Chromium for the browser tests, and none could be installed here: install "
            "Debian's `chromium` package (as root: apt-get install chromium), or run "
            "`.venv/bin/playwright install chromium` where its download host is reachable, "
            "or set SHIPDESK_CHROMIUM to a Chromium executable."
        )
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
