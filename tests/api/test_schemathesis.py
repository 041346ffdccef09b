"""Schemathesis against /ssapi/openapi.json on a live server holding imported orders, with
every phase it offers: the documented examples, coverage (boundary and invalid values of
each parameter), fuzzing (generated requests, valid and invalid mixed) and stateful (calls
chained through the links between operations: an id one answers, fed to the next).

Every response must not be a server error and must match the documented status codes,
content type, headers and body schema. The CLI runs it (the same engine as `schemathesis
run` in CI) and writes a JSON report; the figures go to the test's report file.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from shipdesk.carriers.services import add_sandbox_account
from shipdesk.orders.models import Tag
from shipdesk.sync.importer import import_orders
from tests.factories import make_warehouse

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 15
PHASES = ["examples", "coverage", "fuzzing", "stateful"]
# The checks that say whether a response breaks the schema.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


@pytest.fixture
def live_url(live_server, store, sandbox, no_rate_limit):
    import_orders(store)
    Tag.objects.create(name="Fragile")
    make_warehouse()
    add_sandbox_account("Sandbox Lyon", url=sandbox.url)
    return live_server.url


def run_schemathesis(url: str, credentials: tuple[str, str], folder: Path) -> tuple[int, dict]:
    report = folder / "schemathesis.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/ssapi/openapi.json",
        "--phases",
        ",".join(PHASES),
        "--checks",
        ",".join(CHECKS),
        "--auth",
        ":".join(credentials),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--seed",
        "16",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=folder, timeout=1800, check=False
    )
    (folder / "schemathesis.out").write_text(done.stdout + done.stderr)
    return done.returncode, json.loads(report.read_text())


def test_every_phase_finds_no_server_error_and_no_answer_outside_the_schema(
    live_url, credentials, report, tmp_path
):
    document = httpx.get(f"{live_url}/ssapi/openapi.json", timeout=10).json()
    operations = sum(len(methods) for methods in document["paths"].values())

    code, result = run_schemathesis(live_url, credentials, tmp_path)

    figures = summary(result)
    said = (tmp_path / "schemathesis.out").read_text()
    stateful = re.search(r"Scenarios:\s+(\d+)\s+API Links:\s+(\d+) covered / (\d+) selected", said)
    report(
        f"schemathesis {', '.join(PHASES)}: {operations} operations, "
        f"{figures['test cases']} test cases ({figures['per phase']}"
        + (
            f": {stateful[1]} scenarios, {stateful[2]} of {stateful[3]} inferred links"
            if stateful
            else ""
        )
        + f"), {figures['failures']} failures"
    )
    for failure in figures["failed"]:
        report(f"  {failure}")
    assert figures["failed"] == [], said[-5000:]
    assert code == 0, said[-5000:]
    assert figures["operations"] == operations
    assert figures["phases"] == dict.fromkeys(PHASES, "success")


def summary(result: dict) -> dict:
    """The run's figures from schemathesis's JSON report."""
    per_phase = Counter()
    for rates in result["valid_rates"].values():
        for phase, counts in rates.items():
            per_phase[phase] += sum(counts.values())
    failed = [
        f"{f['code']} {f['title']} ({f['count']}): {', '.join(f['operations'])}"
        for f in result["failures"]
    ] + [f"error: {json.dumps(e)[:500]}" for e in result["errors"]]
    return {
        "operations": result["operations"]["tested"],
        "test cases": result["test_cases"]["generated"],
        "per phase": ", ".join(
            f"{phase} {status['status']}"
            + (f" {per_phase[phase]} checked" if per_phase.get(phase) else "")
            for phase, status in result["phases"].items()
        ),
        "phases": {phase: status["status"] for phase, status in result["phases"].items()},
        "failures": result["test_cases"]["with_failures"],
        "failed": failed,
    }
