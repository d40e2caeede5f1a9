"""``POST /sources/{feed}/records``: providers push feed records (administrator only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import AdminActor, SessionDep
from api.errors import NotFound
from domain.feeds import FEEDS
from domain.ingest import FieldError, UnknownFeed, validate_rows
from store.sources import upsert_records

MAX_BATCH = 50_000

router = APIRouter(prefix="/sources", tags=["sources"])


class RecordBatch(BaseModel):
    """A batch of one feed's records (field names and formats as SOURCES.md)."""

    records: Annotated[list[dict[str, Any]], Field(max_length=MAX_BATCH)]


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


@router.post("/{feed}/records")
async def post_records(
    feed: FeedName, batch: RecordBatch, session: SessionDep, _actor: AdminActor
) -> IngestResult:
    """Validate and upsert a batch; answers per-record rejections. 404 for an unknown feed.

    Idempotent: identical records store nothing. Records sharing a key: the last valid one wins.
    """
    try:
        records, rejections = validate_rows(feed, batch.records)
    except UnknownFeed as exc:
        raise NotFound(str(exc)) from exc
    result = await upsert_records(session, feed, records, datetime.now(UTC))
    return IngestResult(
        accepted=len(batch.records) - len(rejections),
        rejected=[RejectedRecord(index=r.index, errors=r.errors) for r in rejections],
        **result.model_dump(),
    )
