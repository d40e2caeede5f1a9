"""Typed API errors and the one place that maps them (and workflow rejections) to status codes.

Every error response has the shape ``{"detail": str, "errors": [{"field", "message"}]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, NoReturn, TypedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode


class FieldError(TypedDict):
    field: str
    message: str


class ApiError(Exception):
    """Base of the typed errors; subclasses fix the status code."""

    status_code: ClassVar[int] = 500

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: list[FieldError] = list(errors)


class NotFound(ApiError):
    status_code = 404


class Forbidden(ApiError):
    status_code = 403


class RoleRequired(Forbidden):
    """The route admits none of the caller's roles; ``roles``: those it admits (a page names
    them as people read them, the API keeps the identifiers)."""

    def __init__(self, roles: Iterable[str]) -> None:
        self.roles = frozenset(roles)
        super().__init__(f"requires one of the roles: {', '.join(sorted(self.roles))}")


class CaseRoleRequired(Forbidden):
    """A case's route admits neither the caller's roles nor their ties to the case: ``roles``
    and ``relationships`` (``api.policy.Relationship`` values) it admits, ``reference`` the
    case's report reference (a page names them in words; the API's detail is ``detail``)."""

    def __init__(
        self, detail: str, reference: str, roles: Iterable[str], relationships: Iterable[str]
    ) -> None:
        self.reference = reference
        self.roles = frozenset(roles)
        self.relationships = frozenset(relationships)
        super().__init__(detail)


class Conflict(ApiError):
    status_code = 409


class Unprocessable(ApiError):
    status_code = 422


UPDATE_REJECTIONS: dict[str, type[ApiError]] = {
    "WrongRole": Forbidden,
    "WrongStage": Conflict,
    "MissingPrerequisite": Conflict,
    "InvalidFields": Unprocessable,
}
"""ApplicationError ``type`` of a workflow update rejection → the API error it becomes."""


def error_body(detail: str, errors: Sequence[FieldError] = ()) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"detail": detail, "errors": list(errors)}


def _field_error(item: object) -> FieldError:
    if isinstance(item, Mapping):
        return FieldError(field=str(item.get("field", "")), message=str(item.get("message", "")))
    return FieldError(
        field=str(getattr(item, "field", "")), message=str(getattr(item, "message", item))
    )


def _field_errors(details: Sequence[Any]) -> list[FieldError]:
    if not details or not isinstance(details[0], list | tuple):
        return []
    return [_field_error(item) for item in details[0]]


def raise_for_update_failure(exc: BaseException) -> NoReturn:
    """Re-raise a failed workflow update (or call) as the API error it means, else ``exc``."""
    if isinstance(exc, WorkflowUpdateFailedError) and isinstance(exc.cause, ApplicationError):
        cause = exc.cause
        mapped = UPDATE_REJECTIONS.get(cause.type or "")
        if mapped is not None:
            raise mapped(cause.message, _field_errors(cause.details)) from exc
    if isinstance(exc, RPCError) and exc.status == RPCStatusCode.NOT_FOUND:
        raise NotFound(exc.message or "not found") from exc
    raise exc


RETRY_AFTER_SECONDS = 5
"""What a 503 asks the client to wait before retrying (Temporal or the database unreachable)."""

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    ConnectionError,
    TimeoutError,
)
"""Failures that mean the database cannot be reached now (not a bug): answered 503."""


def _retry_headers(status_code: int) -> dict[str, str] | None:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status_code == 503 else None


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.detail, exc.errors),
        status_code=exc.status_code,
        headers=_retry_headers(exc.status_code),
    )


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    detail = f"database unavailable ({type(exc).__name__}): retry later"
    return JSONResponse(error_body(detail), status_code=503, headers=_retry_headers(503))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = exc.headers or _retry_headers(exc.status_code)
    return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=headers)


def _location(loc: Sequence[Any]) -> str:
    """A field's dotted path as the client knows it (no leading "body" or "query")."""
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in {"body", "query"}:
        parts = parts[1:]
    return ".".join(parts)


def validation_field_errors(exc: RequestValidationError) -> list[FieldError]:
    """A request validation failure as field-level errors (field paths as the client sent them)."""
    return [FieldError(field=_location(e["loc"]), message=str(e["msg"])) for e in exc.errors()]


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        error_body("invalid request", validation_field_errors(exc)), status_code=422
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers so every error leaves in the one body shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
