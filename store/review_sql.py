"""SQL pieces shared by the set-based reviews of examples 1-3 (SQLite and PostgreSQL).

Each review is one ``INSERT INTO review_items … SELECT`` built from these; only the JSON
constructors differ between the two databases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    String,
    bindparam,
    case,
    func,
    literal,
    null,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import Review
from store.tables import ReviewItem as ReviewItemRow

ITEM_COLUMNS = ("review_id", "reference", "classification", "reasons", "fields", "case_id")


async def add_generated_review(
    session: AsyncSession,
    review_id: str,
    example: str,
    period: str,
    as_of: datetime,
    generated_at: datetime | None,
) -> Review:
    """A review's row, generated (at ``as_of`` unless told) with an empty summary, flushed so its
    items can refer to it; the caller sets the summary once they are all in."""
    review = Review(
        review_id=review_id,
        example=example,
        period=period,
        as_of=as_of,
        generated_at=generated_at or as_of,
        status="generated",
        summary={},
    )
    session.add(review)
    await session.flush()
    return review


def param(name: str) -> Any:
    """An integer bind parameter (thresholds, instants in epoch microseconds)."""
    return bindparam(name, type_=BigInteger)


def text(value: str) -> Any:
    """A constant string (bound, so it is never spliced into the statement)."""
    return literal(value, String)


def json_list(items: list[Any]) -> Any:
    """JSON text of the non-NULL strings of ``items`` in order (constants: nothing to escape)."""
    parts: list[Any] = [func.coalesce(text(',"') + item + text('"'), text("")) for item in items]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    return text("[") + func.substr(joined, 2) + text("]")


def as_json(dialect: str, value: Any) -> Any:
    """JSON text as a JSON value (embedded as JSON, not as a string, in a JSON object)."""
    return sql_cast(value, JSON) if dialect == "postgresql" else func.json(value)


def json_object(dialect: str, *pairs: Any) -> Any:
    """A JSON object of alternating keys and values."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    return build(*pairs)


def json_bool(dialect: str, value: Any) -> Any:
    """A boolean (or NULL) as a JSON true/false/null (SQLite has no boolean to embed)."""
    if dialect == "postgresql":
        return value
    return func.json(case((value, text("true")), (~value, text("false")), else_=null()))


def content_value(dialect: str, row: Any, name: str) -> Any:
    """A record's own JSON value of ``name`` (NULL when absent or when the row is missing)."""
    if dialect == "postgresql":
        return row.content.op("->")(text(name))
    return row.content.op("->")(text(f"$.{name}"))


def content_text(dialect: str, row: Any, name: str) -> Any:
    """A record's string value of ``name`` as text."""
    if dialect == "postgresql":
        return row.content.op("->>")(text(name))
    return func.json_extract(row.content, text(f"$.{name}"))


def flag(condition: Any) -> Any:
    """1 when ``condition`` holds, else 0 (a NULL condition counts as 0)."""
    return case((condition, 1), else_=0)


def total(terms: list[Any]) -> Any:
    """The sum of integer expressions."""
    return sum(terms, literal(0, Integer))


async def counts_by_classification(session: AsyncSession, review_id: str) -> dict[str | None, int]:
    """The stored items of a review counted by classification (None: exceptions)."""
    counts = await session.execute(
        select(ReviewItemRow.classification, func.count())
        .where(ReviewItemRow.review_id == review_id)
        .group_by(ReviewItemRow.classification)
    )
    return {classification: int(n) for classification, n in counts}
