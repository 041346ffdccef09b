"""Schemathesis against /ssapi/openapi.json on a live server holding imported orders.

Every operation gets 25 generated requests, valid and invalid ones mixed; each response must
not be a server error and must match the documented status codes, content type, headers and
body schema. One test drives every operation against one set of data (schemathesis's lazy
fixture loader does not run on pytest 9), and prints the figures.
"""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from shipdesk.orders.models import Tag
from shipdesk.stores.models import Warehouse
from shipdesk.sync.importer import import_orders

from .conftest import basic

MAX_EXAMPLES = 25
# The checks that say whether a response breaks the schema.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def live_url(live_server, store, no_rate_limit):
    import_orders(store)
    Tag.objects.create(name="Fragile")
    Warehouse.objects.create(name="Lyon", city="Lyon", postal_code="69007", is_default=True)
    return live_server.url


def test_every_operation_answers_within_its_schema(live_url, credentials, report):
    document = httpx.get(f"{live_url}/ssapi/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"Authorization": basic(*credentials)}
    examples: dict[str, int] = {}
    failures: dict[str, str] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        examples[label] = 0
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        run = checked_calls(strategy, live_url, headers, examples, label)
        try:
            run()
        except Exception as exc:  # keep going: report every failing operation at once
            failures[label] = str(exc)[:2000]

    report(
        f"schemathesis: {len(examples)} operations, {sum(examples.values())} examples "
        f"generated, {len(failures)} operations failing"
    )
    assert len(examples) == sum(len(methods) for methods in document["paths"].values()) == 31
    assert failures == {}
    assert min(examples.values()) >= 20


def checked_calls(strategy, base_url: str, headers: dict, examples: dict, label: str):
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        examples[label] += 1
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=CHECKS)

    return run
