"""The OpenAPI document is the contract (issue 22): every registered URL rule under /api/ and /public/api/
appears in /api/openapi.json with each of its methods; the document is valid OpenAPI 3 (openapi-spec-
validator); it declares its security schemes and the shared error schema; the tus endpoints carry their
headers. (Feeds: tests/publicity/test_feed_clients.py.)"""
import re

import pytest

from app import API_PREFIXES

#: Served under /api but not part of the contract: the document itself.
NOT_OPERATIONS = {"api-docs.openapi_json"}


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _operations(rule):
    methods = set(rule.methods)
    methods.discard("HEAD") if "GET" in methods else None  # Werkzeug adds HEAD to every GET rule
    if getattr(rule, "provide_automatic_options", True):  # Flask's own OPTIONS answer, not the view's
        methods.discard("OPTIONS")
    return {m.lower() for m in methods}


@pytest.fixture
def spec(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_every_api_rule_is_in_the_openapi_document(app, spec):
    paths = spec["paths"]
    missing, seen = [], 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES) and rule.rule != "/public/api":
            continue
        if rule.endpoint in NOT_OPERATIONS:
            continue
        path = _path(rule.rule)
        for method in sorted(_operations(rule)):
            seen += 1
            if method not in paths.get(path, {}):
                missing.append(f"{method.upper()} {path} ({rule.endpoint})")
    assert not missing, "not in /api/openapi.json:\n" + "\n".join(missing)
    assert seen > 100


def test_the_document_is_valid_openapi(spec):
    from openapi_spec_validator import validate

    validate(spec)


def test_security_schemes_errors_and_public_operations(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "description": schemes["bearerAuth"][
        "description"]}
    assert {"bearerAuth": []} in spec["security"]
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {"error", "message"}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            if path.startswith("/public/api/"):
                assert op.get("security") == [], (method, path)
            assert "default" in op["responses"], (method, path)
    # a staff operation has no override: the global bearer/session requirement applies
    assert "security" not in spec["paths"]["/api/recordings/{recording_id}"]["get"]


def test_recordings_and_tus_are_documented_with_their_headers(spec):
    paths = spec["paths"]
    assert set(paths["/api/recordings/uploads"]) >= {"options", "post"}
    assert set(paths["/api/recordings/uploads/{upload_id}"]) >= {"head", "get", "patch", "delete"}
    create = paths["/api/recordings/uploads"]["post"]
    params = {p["name"]: p for p in create["parameters"] if p["in"] == "header"}
    assert params["Tus-Resumable"]["required"] and params["Upload-Length"]["required"]
    assert "case_id" in params["Upload-Metadata"]["description"]
    assert "Location" in create["responses"]["201"]["headers"]
    patch = paths["/api/recordings/uploads/{upload_id}"]["patch"]
    names = {p["name"] for p in patch["parameters"]}
    assert {"Upload-Offset", "Upload-Checksum", "Tus-Resumable"} <= names
    assert "application/offset+octet-stream" in patch["requestBody"]["content"]
    assert {"Upload-Offset", "Recording-Id", "Recording-Duplicate"} <= set(patch["responses"]["204"]["headers"])
    options = paths["/api/recordings/uploads"]["options"]
    assert "Tus-Checksum-Algorithm" in options["responses"]["204"]["headers"]
    single = paths["/api/recordings"]["post"]
    assert {"200", "201"} <= set(single["responses"])
    schema = single["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RecordingUpload"}
    assert "duplicate" in spec["components"]["schemas"]["RecordingUpload"]["properties"]
    assert "200" in paths["/api/ledger/entries/{seq}/bundle"]["get"]["responses"]
    decisions = paths["/public/api/decisions"]["get"]["responses"]["200"]["content"]["application/json"]
    assert decisions["schema"] == {"$ref": "#/components/schemas/DecisionPage"}

