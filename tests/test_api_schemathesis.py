"""Property-based API testing: schemathesis drives every operation of /api/openapi.json with
generated input; no server error and no response that breaks the schema is allowed."""
from __future__ import annotations

import schemathesis
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_headers_conformance, response_schema_conformance,
    status_code_conformance,
)
from hypothesis import HealthCheck, given, settings

from core.auth.accounts import issue_token
from core.db import db
from core.env import Env
from core.platform import platform

EXAMPLES_PER_OPERATION = 12
# What the issue asks: no server error, and every response (status, type, body, headers) as
# documented. Acceptance of schema-valid input is not among them: a filter or cursor can be
# schema-valid text and still name a field that does not exist, which is a documented 400.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def test_every_operation_conforms_to_the_openapi_document(app, admin):
    records = Env.system().records
    account = records.create("accounts", {"name": "Schema Corp"})
    contact = records.create("contacts", {"last_name": "Schema", "account_id": account.id})
    records.create("interactions", {"channel": "note", "subject": "Hello", "contact_id": contact.id,
                                    "occurred_at": "2026-01-05T09:00:00+00:00"})
    token = issue_token(admin, "schemathesis", platform(app).clock.now())
    db.session.commit()
    app.config["RATELIMIT_ENABLED"] = False
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the document should describe every model's operations"
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code < 500

        try:
            check()
        except Exception as error:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {error}")
        finally:
            db.session.rollback()
    assert not failures, "\n\n".join(failures)
