"""Each report at its latest review in the evidence pack's range: how many reports, exceptions,
and (example 1) acknowledged and triaged within threshold with a named owner.

Example 1's values come from ``ack_item_values`` (typed, written once per review: by the daily
review workflow's ``value_acknowledgment_review`` after generation, else by
``store.analytics_values.ensure_values`` on an analytics read) for the reviews that have them,
and from the items' ``fields`` documents only for the reviews not valued yet: a quarter is about
5,000 items, and parsing each document was most of the section's time (bench/RESULTS.md,
"Eighth session — evidence pack"). The pack only reads: it never writes values. The figures it
takes (elapsed minutes, owner) do not depend on the calendar the values' working times were
measured by, so values of another calendar serve as well. Both give the same figures for every
item a review can write: ``triage_owner_id`` and ``service_line`` are validated identifiers
(never empty), so "no owner" is "owner is None" and the grouped service line is the line
itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    String,
    bindparam,
    case,
    exists,
    func,
    not_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from store.evidence_reads import values_for
from store.tables import Review, ReviewItem
from store.tables_analytics import AckItemValues, AckValuesReview

ACK_WITHIN_MIN, TRIAGE_WITHIN_MIN = 1440, 4320


@dataclass(frozen=True, slots=True)
class Latest:
    """Per report, its item at the latest review in the range: how many reports, how many of
    them an exception; how many items the reviews hold (a report once in each review it is in: the
    analytics pages' sums over a range); of each report's latest classified item (example 1),
    how many were acknowledged and triaged within threshold and had a named triage owner."""

    reports: int
    exceptions: int
    classified: int
    items: int  # every item of the reviews: a report once per review it is in
    acknowledged: int
    triaged: int
    owned: int


# The reviews (their IDs) and the line bound: each statement is built once per dialect and
# shape, its SQLAlchemy constructs and cache key with it (the items' document expression is
# large: building it for each pack was milliseconds of CPU)
REVIEWS: BindParameter[Any] = bindparam("reviews", expanding=True)
LINE = bindparam("line", type_=String())


def _document_rows(dialect: str, reviews: Any, by_line: bool, ack: bool) -> Any:
    """(reference, classification, period[, ack, triage, owned]) of the reviews' items, the
    example-1 values read from each item's ``fields``."""
    wanted: dict[str, TypeEngine[Any]] = {"service_line": String()} if by_line else {}
    if ack:
        wanted |= {"ack_elapsed_min": Integer(), "triage_elapsed_min": Integer()}
        wanted |= {"triage_owner_id": String()}
    record, values = values_for(dialect, wanted) if wanted else (None, {})
    shown: list[Any] = [ReviewItem.reference, ReviewItem.classification, Review.period]
    if ack:
        owned = func.coalesce(values["triage_owner_id"], "") != ""
        shown += [values["ack_elapsed_min"].label("ack")]
        shown += [values["triage_elapsed_min"].label("triage"), owned.label("owned")]
    query = select(*shown).join(Review, Review.review_id == ReviewItem.review_id)
    if record is not None:
        query = query.join(record, true())
    query = query.where(ReviewItem.review_id.in_(reviews))
    return query.where(values["service_line"] == LINE) if by_line else query


def _valued_rows(by_line: bool) -> Any:
    """The same rows as ``_document_rows`` of example 1, from ``ack_item_values``."""
    v = AckItemValues
    query = (
        select(v.reference, v.classification, v.period)
        .add_columns(v.ack_min.label("ack"), v.triage_min.label("triage"))
        .add_columns(not_(v.no_owner).label("owned"))
        .where(v.review_id.in_(REVIEWS))
    )
    return query.where(v.service_line == LINE) if by_line else query


def _ack_rows(dialect: str, by_line: bool) -> Any:
    """Example 1's rows: valued reviews from ``ack_item_values``, the others from documents."""
    marked = exists().where(AckValuesReview.review_id == Review.review_id)
    unvalued = select(Review.review_id).where(Review.review_id.in_(REVIEWS), ~marked)
    documents = _document_rows(dialect, unvalued, by_line, True)
    return union_all(_valued_rows(by_line), documents)


@lru_cache(maxsize=16)
def _statement(dialect: str, by_line: bool, acknowledged: bool) -> Any:
    """The counts of ``latest_items`` (bound: the reviews, the line)."""
    if acknowledged:
        rows = _ack_rows(dialect, by_line).subquery()
    else:
        rows = _document_rows(dialect, REVIEWS, by_line, False).subquery()
    c = rows.c
    newest = {"partition_by": c.reference, "order_by": c.period.desc()}
    is_classified = case((c.classification.is_not(None), 1), else_=0)
    ranked = select(
        c.classification,
        func.row_number().over(**newest).label("latest"),
        # classified items up to this one, newest first: 1 on the newest classified item (one
        # sort for both ranks)
        func.sum(is_classified).over(**newest, rows=(None, 0)).label("classified_upto"),
        *([c.ack, c.triage, c.owned] if acknowledged else []),
    ).subquery()
    latest = ranked.c.latest == 1
    classified = ranked.c.classification.is_not(None) & (ranked.c.classified_upto == 1)
    counts = [
        func.count().filter(latest),
        func.count().filter(latest & ranked.c.classification.is_(None)),
        func.count().filter(classified),
        func.count(),
    ]
    if acknowledged:
        ack = func.coalesce(ranked.c.ack, 0) <= ACK_WITHIN_MIN
        tri = func.coalesce(ranked.c.triage, 0) <= TRIAGE_WITHIN_MIN
        counts += [func.count().filter(classified & c) for c in (ack, tri, ranked.c.owned)]
    return select(*counts)


async def latest_items(
    session: AsyncSession, reviews: list[str], service_line: str | None, acknowledged: bool
) -> Latest:
    """``Latest`` of the reviews' items (IDs: an index range each; joining the reviews of the
    window instead, PostgreSQL scans every item of five years), the ack figures if asked."""
    connection = await session.connection()
    query = _statement(connection.dialect.name, service_line is not None, acknowledged)
    row = (await connection.execute(query, {"reviews": reviews, "line": service_line})).one()
    return Latest(*(int(v or 0) for v in row), *([] if acknowledged else [0, 0, 0]))
