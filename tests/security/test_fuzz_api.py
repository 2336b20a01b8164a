"""Fuzzing the JSON API from its own OpenAPI document (/api/openapi.json) with schemathesis.

Every operation gets a bounded number of generated requests (FUZZ_EXAMPLES, default 12) as an officer and
as a supervisor, each with a bearer token, against a database holding a real major case of the officer's
agency (decided, with a review, documents and a publication), so that small ids hit real objects. Two
checks: no 5xx (an exception escaping a handler counts as one), and every answer matches the schema the
API declares for it (status code documented, body valid).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from app.extensions import db
from tests.cases.conftest import officer_user

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
#: Operations left out, with the reason.
SKIP = {
    ("DELETE", "/api/auth/tokens/{token_id}"): "would revoke the fuzzer's own token half-way",
    # Binary request bodies (schemathesis has no serializer for them) and a bodiless HEAD: covered by
    # tests/recordings/test_tus_contract.py, test_ingest.py and the tuspy client (test_tus_clients.py).
    ("PATCH", "/api/recordings/uploads/{upload_id}"): "application/offset+octet-stream body",
    ("POST", "/api/recordings"): "video/* or audio/* body",
    ("HEAD", "/api/recordings/uploads/{upload_id}"): "tus HEAD answers carry headers, never a JSON body",
}


@pytest.fixture
def fuzz_world(app, major_case, approve_case, make_reviewer, make_user, head_of):
    from app.auth.models import User
    from app.auth.services import issue_token
    from cases import services as case_services

    supervisor_id = make_user(roles=("supervisor",))
    with app.app_context():
        case = major_case("notified")
        approve_case(case, make_reviewer(case.agency_id))
        case = db.session.merge(case)
        case_services.apply_action(case, "decide", actor=head_of(case.agency_id))
        officer = officer_user(case)
        supervisor = db.session.get(User, supervisor_id)
        tokens = {}
        for name, user in (("officer", officer), ("supervisor", supervisor)):
            raw, _ = issue_token(user, "fuzz")
            tokens[name] = raw
        db.session.commit()
    return tokens


def test_api_fuzz_no_server_errors_and_schema_conformance(app, fuzz_world):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the API documents its operations"
    failures: dict[str, str] = {}
    calls = 0

    for op in operations:
        key = (op.method.upper(), op.path)
        if key in SKIP:
            continue
        for who, token in fuzz_world.items():
            headers = {"Authorization": f"Bearer {token}"}

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def run(case):
                nonlocal calls
                calls += 1
                try:
                    response = case.call(headers=headers)
                except Exception as exc:  # TESTING propagates exceptions: that is a 500 in production
                    raise AssertionError(f"unhandled {type(exc).__name__}: {exc}") from exc
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                       headers=headers)

            try:
                run()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: B036 (FailureGroup is a BaseExceptionGroup): report them all
                import traceback

                detail = str(exc) or "".join(traceback.format_exception(exc)[-30:])
                failures[f"{op.method.upper()} {op.path} as {who}"] = f"{type(exc).__name__}: {detail}"[:3000]
    print(f"fuzzed {len(operations)} operations x {len(fuzz_world)} users, {calls} requests")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(
        f"== {k}\n{v}" for k, v in failures.items())
