"""/ssapi/docs shows an example of every operation: each operation in /ssapi/openapi.json has
an example answer, an example body when it takes one, and each example matches its schema
(so the examples are not left behind when a shape changes)."""

import jsonschema_rs
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client) -> dict:
    return client.get("/ssapi/openapi.json").json()


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def matches(document: dict, schema: dict, example) -> list[str]:
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    return [error.message for error in validator.iter_errors(example)]


def test_every_operation_has_an_example_answer_and_body(document):
    missing = []
    for label, operation in operations(document):
        answers = [
            content
            for status, response in operation["responses"].items()
            if str(status).startswith("2")
            for content in response.get("content", {}).values()
        ]
        if not answers or any("example" not in content for content in answers):
            missing.append(f"{label}: answer")
        body = operation.get("requestBody", {}).get("content", {})
        if any("example" not in content for content in body.values()):
            missing.append(f"{label}: request body")

    assert missing == []


def test_every_example_matches_its_schema(document):
    wrong = {}
    for label, operation in operations(document):
        contents = [
            ("body", content)
            for content in operation.get("requestBody", {}).get("content", {}).values()
        ] + [
            (f"answer {status}", content)
            for status, response in operation["responses"].items()
            for content in response.get("content", {}).values()
        ]
        for what, content in contents:
            if "example" in content:
                errors = matches(document, content["schema"], content["example"])
                if errors:
                    wrong[f"{label} {what}"] = errors

    assert wrong == {}


def test_docs_page_is_served(client):
    response = client.get("/ssapi/docs")

    assert response.status_code == 200
    assert b"/ssapi/openapi.json" in response.content
