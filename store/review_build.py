"""A review's items built on ``parts`` connections at once, published in one short transaction.

PostgreSQL runs an ``INSERT … SELECT`` in one backend, on one core. With ``parts`` > 1 the
review's statement is run once per partition of its reports (``store.review_sql.in_part``),
each in its own transaction on its own connection, all at the same time and all reading one
snapshot of the feeds (exported by the first, imported by the others): together they insert
exactly the rows the single statement would. Atomicity is kept by visibility instead:

1. *claim*: the review's row is committed with status ``building`` and a build token (no
   reader sees such a row: ``store.review_visibility``); a row left ``building`` by an earlier
   attempt loses its items and gets a new token;
2. *partitions*: each first holds the row (``FOR SHARE``) and checks it still carries this
   attempt's token and that its snapshot holds no item of the review (one index probe), then
   inserts its items and commits. A later attempt's claim waits for the
   hold and deletes what was committed under it; a claim committed before the hold makes it
   fail (another token, or a serialization failure when the claim came after the partition's
   snapshot). So a superseded attempt's partition never adds items after a later publish, not
   even of a report only its own snapshot held;
3. *publish*: one transaction locks the row, checks it still holds this attempt's token, sets
   the summary from the counts by classification each partition took of its own inserted rows
   (in its statement: ``counted``; a serial count of the 100k stored items took 0.2-0.5 s, and
   its first read of the fresh rows sets their hint bits), marks it ``generated`` and runs the
   caller's ``on_publish`` (the generation's register entry). So the items stored are exactly
   the partitions': none was there at their snapshot (2.), a superseded attempt adds none after
   this claim (2.), and a later claim changes the token.

An attempt that fails anywhere leaves nothing visible; the next attempt starts again at 1.
On SQLite (one writer at a time) the review is built in one transaction, as before.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.db import transaction
from store.review_sql import counts_by_classification, has_items, review_settings
from store.review_visibility import BUILDING, SEE_BUILDING
from store.tables import Review
from store.tables import ReviewItem as ReviewItemRow

Counts = dict[str | None, int]
# Connections a review's items are built on (PostgreSQL): the machine's two cores.
# ``NEARMISS_REVIEW_PARTS`` (``config.settings``) sets it for the worker.
DEFAULT_PARTS = 2


class BuildInterrupted(RuntimeError):
    """Another attempt took the review over, or its items are not those inserted (retryable)."""


@dataclass(frozen=True)
class ReviewBuild:
    """What a review is built from: its row, its statement and how its summary is made."""

    review_id: str
    example: str
    period: str
    as_of: datetime
    generated_at: datetime
    # (dialect, parts) -> INSERT … SELECT, a function of these alone: built once (``_statement``)
    statement: Callable[[str, int], Any]
    parameters: dict[str, Any]
    summarize: Callable[[AsyncSession, Counts], Awaitable[dict[str, Any]]]
    # PostgreSQL settings for the statement's transaction beyond ``review_settings``' own
    # (name to value, e.g. the plan a review's statement must keep at every size).
    planner: Mapping[str, str] = field(default_factory=dict)


async def build_review(
    sessions: async_sessionmaker[AsyncSession],
    build: ReviewBuild,
    parts: int,
    on_publish: Callable[[AsyncSession, Review], Awaitable[None]],
) -> Review:
    """The review, built (on ``parts`` connections on PostgreSQL, on one on SQLite) unless it was
    already, then ``on_publish`` in the transaction that publishes it (also for one already
    built)."""
    async with sessions() as probe:
        bind = probe.bind
        assert bind is not None
        dialect = bind.dialect.name
    if dialect != "postgresql":
        async with transaction(sessions) as session:
            found = await session.get(Review, build.review_id)
            review = found or await fill_review(session, build)
            await on_publish(session, review)
            return review
    token = await _claim(sessions, build)
    counts = await _insert_parts(sessions, build, parts, token) if token is not None else {}
    async with transaction(sessions) as session:
        if token is None:  # built already: published as it is
            built = await session.get(Review, build.review_id)
            assert built is not None
            await on_publish(session, built)
            return built
        claimed = await _building(session, build.review_id)
        if claimed is None or claimed.summary.get("building") != token:
            raise BuildInterrupted(f"review {build.review_id}: another attempt took it over")
        review = claimed
        review.summary = await build.summarize(session, counts)
        review.status = "generated"
        await session.flush()
        await on_publish(session, review)
        return review


async def fill_review(session: AsyncSession, build: ReviewBuild) -> Review:
    """Add the review and its items in the caller's transaction (one statement), summarized."""
    review = _row(build, "generated", {})
    session.add(review)
    await session.flush()
    dialect = (await session.connection()).dialect.name
    await review_settings(session, build.planner)
    await session.execute(_statement(build.statement, dialect, 1), build.parameters)
    review.summary = await build.summarize(
        session, await counts_by_classification(session, build.review_id)
    )
    await session.flush()
    return review


def _row(build: ReviewBuild, status: str, summary: dict[str, Any]) -> Review:
    return Review(
        review_id=build.review_id,
        example=build.example,
        period=build.period,
        as_of=build.as_of,
        generated_at=build.generated_at,
        status=status,
        summary=summary,
    )


async def _building(session: AsyncSession, review_id: str) -> Review | None:
    """The review's row, locked, while it is being built (None once built or when absent)."""
    review = await session.get(
        Review, review_id, with_for_update=True, execution_options=SEE_BUILDING
    )
    return review if review is not None and review.status == BUILDING else None


async def _claim(sessions: async_sessionmaker[AsyncSession], build: ReviewBuild) -> str | None:
    """Commit the review's row as ``building`` with a new token (returned); an earlier attempt's
    items go, its first claim's instant (``building_since``) stays. None when the review is
    built already."""
    token = uuid.uuid4().hex
    async with transaction(sessions) as session:
        review = await session.get(
            Review, build.review_id, with_for_update=True, execution_options=SEE_BUILDING
        )
        if review is None:
            claimed = _row(build, BUILDING, {"building": token})
            claimed.building_since = build.generated_at
            session.add(claimed)
        elif review.status == BUILDING:
            await session.execute(
                delete(ReviewItemRow).where(ReviewItemRow.review_id == build.review_id)
            )
            # Building since the first claim: an attempt that times out and is retried must
            # not make the review look freshly claimed (NearmissReviewStuckBuilding).
            review.building_since = review.building_since or review.generated_at
            review.generated_at = build.generated_at
            review.summary = {"building": token}
        else:
            return None
    return token


# ``Review.summary`` is JSON on PostgreSQL: ``->>`` reads the claim's token.
_HOLD = text(
    "SELECT summary ->> 'building' FROM reviews "
    "WHERE review_id = :review_id AND status = :building FOR SHARE"
)


async def hold_claim(session: AsyncSession, review_id: str, token: str) -> None:
    """Hold the review's row for this partition's transaction, or raise ``BuildInterrupted``
    when the claim is not TOKEN's any more (a later attempt's claim, committed before this
    snapshot: another token; after it: PostgreSQL's serialization failure)."""
    try:
        held = await session.scalar(_HOLD, {"review_id": review_id, "building": BUILDING})
    except DBAPIError as failed:
        if getattr(failed.orig, "pgcode", None) != "40001":
            raise
        raise BuildInterrupted(f"review {review_id}: claimed again while building") from failed
    if held != token:
        raise BuildInterrupted(f"review {review_id}: another attempt took it over")


@lru_cache(maxsize=32)
def _statement(
    make: Callable[[str, int], Any], dialect: str, parts: int, counts: bool = False
) -> Any:
    """``make(dialect, parts)``, ``counted`` with ``counts``, built once: every value in it is a
    bind parameter. Building example 3's statement and its cache key took 30-90 ms of each
    build's serial time (bench/RESULTS.md, "Eleventh session — example 3")."""
    statement = make(dialect, parts)
    return counted(statement) if counts else statement


def counted(statement: Any) -> Any:
    """``statement`` (an ``INSERT INTO review_items … SELECT``) returning its inserted rows
    counted by classification: ``WITH ins AS (INSERT … RETURNING classification) SELECT
    classification, count(*) FROM ins GROUP BY classification`` (PostgreSQL)."""
    inserted = statement.returning(ReviewItemRow.classification).cte("ins")
    return select(inserted.c.classification, func.count()).group_by(inserted.c.classification)


async def _insert_parts(
    sessions: async_sessionmaker[AsyncSession], build: ReviewBuild, parts: int, token: str
) -> Counts:
    """Run the statement for every partition at once, all on one snapshot; the rows inserted,
    by classification (each partition counts its own in its statement)."""
    snapshot: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    imported = [asyncio.Event() for _ in range(parts)]
    statement = _statement(build.statement, "postgresql", parts, counts=True)

    async def part(n: int) -> Counts:
        async with sessions() as session, session.begin():
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            if n == 0:
                exported = await session.scalar(text("SELECT pg_export_snapshot()"))
                snapshot.set_result(str(exported))
            else:
                await session.execute(text(f"SET TRANSACTION SNAPSHOT '{await snapshot}'"))
            imported[n].set()
            await hold_claim(session, build.review_id, token)
            if await has_items(session, build.review_id):
                raise BuildInterrupted(f"review {build.review_id}: items stored before the build")
            await review_settings(session, build.planner)
            result = await session.execute(statement, {**build.parameters, "part": n})
            counts = {classification: int(n) for classification, n in result}
            # The exporting transaction must outlive every import of its snapshot.
            await asyncio.gather(*(event.wait() for event in imported))
            return counts

    try:
        async with asyncio.TaskGroup() as group:  # one failing cancels the others
            tasks = [group.create_task(part(n)) for n in range(parts)]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from failed
    total: Counts = {}
    for task in tasks:
        for classification, n in task.result().items():
            total[classification] = total.get(classification, 0) + n
    return total
