"""``POST /sources/{feed}/records``: providers push feed records (administrator only).

The body is read raw and validated against the feed's model in one pydantic-core call
(``{"records": list[Model]}``, strict JSON), instead of FastAPI parsing it into ``list[dict]``
and ``validate_rows`` serialising and validating it again (profiled: the body's parsing cost
as much as its validation). A body with any error takes the former path, so 422s, rejections
and what is stored stay exactly as they were.
"""

from __future__ import annotations

import email.message
import json
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep
from api.errors import NotFound
from api.guard import ParametersGuardedRoute
from api.metrics import count_rejections
from domain.collector import gc_paused
from domain.feeds import FEEDS, FeedRecord, FeedSpec
from domain.ingest import (
    FieldError,
    RowRejection,
    UnknownFeed,
    feed_spec,
    last_per_key,
    validate_rows,
)
from store.sources import upsert_records

MAX_BATCH = 50_000

router = APIRouter(prefix="/sources", tags=["sources"], route_class=ParametersGuardedRoute)

R = TypeVar("R", bound=FeedRecord)


class RecordBatch(BaseModel):
    """A batch of one feed's records (field names and formats as SOURCES.md)."""

    records: Annotated[list[dict[str, Any]], Field(max_length=MAX_BATCH)]


class _TypedBatch(BaseModel, Generic[R]):
    records: Annotated[list[R], Field(max_length=MAX_BATCH)]


class RejectedRecord(BaseModel):
    """A rejected record: its 0-based position in the batch and each field's reason."""

    index: int
    errors: list[FieldError]


class IngestResult(BaseModel):
    """Valid records land even when others are rejected; re-sending a batch changes nothing."""

    accepted: int
    rejected: list[RejectedRecord]
    inserted: int
    updated: int
    unchanged: int


FeedName = Annotated[str, Path(description=f"one of: {', '.join(FEEDS)}")]

# The body is documented as before (RecordBatch), though FastAPI no longer parses it.
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": RecordBatch.model_json_schema()}},
    }
}


@router.post("/{feed}/records", openapi_extra=_BODY_DOC)
async def post_records(
    feed: FeedName, request: Request, session: SessionDep, _actor: Authorized, now: Now
) -> IngestResult:
    """Validate and upsert a batch; answers per-record rejections. 404 for an unknown feed.

    Idempotent: identical records store nothing. Records sharing a key: the last valid one wins.
    """
    body = await request.body()
    try:
        spec = feed_spec(feed)
    except UnknownFeed as exc:
        _envelope(body, _is_json(request))  # a malformed body is a 422 first, as it always was
        raise NotFound(str(exc)) from exc
    count, records, rejections = _validated(spec, body, _is_json(request))
    result = await upsert_records(session, feed, records, now)
    count_rejections(request.app, feed, len(rejections))
    return IngestResult(
        accepted=count - len(rejections),
        rejected=[RejectedRecord(index=r.index, errors=r.errors) for r in rejections],
        **result.model_dump(),
    )


def _validated(
    spec: FeedSpec, body: bytes, is_json: bool
) -> tuple[int, list[FeedRecord], list[RowRejection]]:
    """(rows in the batch, valid records, rejections); raises RequestValidationError."""
    if is_json and body:
        try:
            with gc_paused():
                records = _typed_batch(spec.model).validate_json(body, strict=True).records
            return len(records), last_per_key(spec, records), []
        except ValidationError:
            pass  # some row (or the body itself) is invalid: say which, the former way
    rows = _envelope(body, is_json).records
    valid, rejections = validate_rows(spec.name, rows)
    return len(rows), valid, rejections


@cache
def _typed_batch(model: type[FeedRecord]) -> TypeAdapter[_TypedBatch[Any]]:
    return TypeAdapter(_TypedBatch[model])  # type: ignore[valid-type]


def _is_json(request: Request) -> bool:
    """FastAPI's rule: a JSON (or ``+json``) content type; a body without one is not JSON."""
    content_type = request.headers.get("content-type")
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _envelope(body: bytes, is_json: bool) -> RecordBatch:
    """The body as FastAPI read it (same 400 and 422 errors); rows are left unvalidated."""
    if not body:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    value: Any = body
    if is_json:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            value = _stdlib_json(body)
    try:
        return RecordBatch.model_validate(value, from_attributes=True)  # as FastAPI does
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors, body=value) from None


def _stdlib_json(body: bytes) -> Any:
    """json.loads accepts what orjson refuses (a BOM, UTF-16, NaN, huge integers), as before."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([error], body=exc.doc) from exc
    except ValueError as exc:  # not decodable text
        raise HTTPException(400, "There was an error parsing the body") from exc
    except RecursionError as exc:  # nested deeper than the parser goes
        error = {
            "type": "json_invalid",
            "loc": ("body", 0),
            "msg": "JSON nested too deeply",
            "input": {},
            "ctx": {"error": "nesting limit"},
        }
        raise RequestValidationError([error]) from exc
