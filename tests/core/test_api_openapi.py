"""The OpenAPI document is valid OpenAPI 3 and describes exactly the API the app serves."""

from __future__ import annotations

import re

from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from workhub.api.openapi import build_openapi
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import User

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_operations(app) -> dict[str, set[str]]:
    """Map each /api/v1 route, in OpenAPI path syntax, to the methods it answers."""
    prefix = "/api/v1"
    operations: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(prefix):])
        operations.setdefault(path, set()).update(
            m.lower() for m in rule.methods - IGNORED_METHODS
        )
    return operations


def documented_operations(spec: dict) -> dict[str, set[str]]:
    http = {"get", "put", "post", "delete", "patch"}
    return {path: set(item) & http for path, item in spec["paths"].items()}


def test_document_is_served_without_authentication(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json == build_openapi()


def test_document_is_valid_openapi_3(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_document_paths_match_the_routes(app):
    # A new API route must be documented, and the document must not promise a missing one.
    assert documented_operations(build_openapi()) == served_operations(app)


def test_every_operation_documents_its_errors():
    spec = build_openapi()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (path, method)
            if operation.get("security") != []:
                assert "401" in responses, f"{method.upper()} {path} does not document 401"


def _validator(spec: dict, name: str) -> OAS30Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return OAS30Validator(schema)


def test_me_answer_matches_the_documented_schema(app, client, make_user, make_department):
    make_department("JOHO")
    users = [make_user("with.dept", department="JOHO"), make_user("no.dept")]
    spec = build_openapi()
    for info in users:
        with app.app_context():
            _row, secret = create_token(db.session.get(User, info.id), "t")
            db.session.commit()
        body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json
        _validator(spec, "Me").validate(body)


def test_error_answer_matches_the_documented_schema(client):
    body = client.get("/api/v1/me").json
    _validator(build_openapi(), "Error").validate(body)
