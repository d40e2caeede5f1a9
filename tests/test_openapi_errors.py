"""The OpenAPI document describes the real error model on every route (issue 10, item 8)."""

from __future__ import annotations

from api.openapi_errors import ERROR_STATUSES, ErrorBody
from tests.factories import load, staff_rows


async def test_every_operation_documents_the_error_body(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    schema = (await api.get("/openapi.json", None)).json()
    assert "HTTPValidationError" not in str(schema)
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {"detail", "errors"}
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) > 20
    for op in operations:
        for status in ERROR_STATUSES:
            body = op["responses"][status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorBody"}, (op["operationId"], status)
        assert "Retry-After" in op["responses"]["503"]["headers"]

    # What the API really answers matches: a 422, a 401, a 404.
    answers = [
        await api.post("/forms/speaking-up-confidence", "W-100", json={"score": 9}),
        await api.get("/escalations", None),
        await api.get("/cases/no-such-case", "E-SUPERVISOR"),
    ]
    assert [a.status_code for a in answers] == [422, 401, 404]
    for answer in answers:
        ErrorBody.model_validate(answer.json())
