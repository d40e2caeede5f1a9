"""The OpenAPI document describes the error model every route really answers.

Every error leaves as ``{"detail": str, "errors": [{"field", "message"}]}`` (see api.errors), so
each operation lists 400, 401, 403, 404, 409, 422 and 503 with that body (FastAPI's default 422
body, which the API never sends, is removed), and 503 says it carries ``Retry-After``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

ERROR_STATUSES: dict[str, str] = {
    "400": "The body could not be parsed",
    "401": "Missing or invalid bearer token (WWW-Authenticate: Bearer)",
    "403": "The caller's role or relationship does not admit this request",
    "404": "No such resource, or not visible to the caller",
    "409": "The resource is not in a state that accepts this request",
    "422": "Invalid request: each field and why",
    "503": "Temporal or the database is unreachable: retry after Retry-After seconds",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}

NEXT_CURSOR = "Next-Cursor"


def paged_responses() -> dict[int | str, dict[str, Any]]:
    """A paged list's 200: the header naming where the next page starts (keyset paging)."""
    header = {
        "description": "the cursor of the next page (pass it as ?cursor=); absent on the last page",
        "schema": {"type": "string"},
    }
    return {200: {"headers": {NEXT_CURSOR: header}}}


class ErrorItem(BaseModel):
    field: str = Field(description="dotted path of the field (empty when not about one field)")
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str
    errors: list[ErrorItem]


def install_error_model(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the real error model on every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = with_error_model(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_error_model(schema: dict[str, Any]) -> dict[str, Any]:
    """SCHEMA with every operation's error responses set to ErrorBody."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    components["ErrorItem"] = ErrorItem.model_json_schema()
    components["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components["ErrorBody"].pop("$defs", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses[status] = _response(status, description, responses.get(status, {}))
    return schema


def _response(status: str, description: str, declared: dict[str, Any]) -> dict[str, Any]:
    text = declared.get("description")
    if not text or text in {"Validation Error", HTTPStatus(int(status)).phrase}:
        text = description
    response: dict[str, Any] = {
        "description": text,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if status == "503":
        response["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response
