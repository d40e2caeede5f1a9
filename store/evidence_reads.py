"""The evidence pack's reads, set-based: its figures counted by the database over the columns they
need (a review item's values read from its ``fields`` once per item, in the database), never
years of rows loaded as ORM objects with their JSON decoded in Python. ``tests/
evidence_oracle_support.py`` keeps the Python they replace; the tests compare both."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, column
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeEngine

from store.pack_common import Window, core_rows
from store.review_visibility import SHOWN
from store.tables import RegisterEntry, Review, ReviewItem


async def scalar(session: AsyncSession, query: Executable) -> Any:
    """The first column of ``query``'s first row (``core_rows``)."""
    return (await core_rows(session, query)).scalar()


async def item_values(
    session: AsyncSession, names: dict[str, TypeEngine[Any]]
) -> tuple[Any, dict[str, ColumnElement[Any]]]:
    """Columns of a review item's ``fields`` members (typed), and what to join for them: on
    PostgreSQL ``json_to_record`` parses each document once for every member (``->>`` parses
    it again for each); on SQLite ``json_extract`` per member."""
    dialect = (await session.connection()).dialect.name
    if dialect == "postgresql":
        record = (
            func.json_to_record(ReviewItem.fields)
            .table_valued(*(column(n, t) for n, t in names.items()))
            .render_derived(name="v", with_types=True)
        )
        return record, {n: record.c[n] for n in names}
    return None, {
        n: func.json_extract(ReviewItem.fields, f'$."{n}"', type_=t) for n, t in names.items()
    }


def items_in(
    query: Select[Any], record: Any, example: str, win: Window, line: ColumnElement[Any] | None,
    service_line: str | None,
) -> Select[Any]:  # fmt: skip
    """``query`` over the example's items of reviews run (as_of) in the window, of the line."""
    query = query.select_from(ReviewItem).join(Review, Review.review_id == ReviewItem.review_id)
    if record is not None:
        query = query.join(record, true())
    query = query.where(Review.example == example, win.holds(Review.as_of))
    query = query.where(SHOWN)  # store.review_visibility's criterion, for Core reads
    if service_line is not None and line is not None:
        query = query.where(line == service_line)
    return query


async def failed_closures_repaired(
    session: AsyncSession, example: str, win: Window, service_line: str | None
) -> int:
    """How many of the failed closures the window's reviews found (items classified ``failed``)
    were repaired and closed by the window's end: their case's repair validation decided
    ``close`` before it ended."""
    closes = select(RegisterEntry.subject).where(
        RegisterEntry.kind == "repair_validation",
        RegisterEntry.recorded_at < win.after,
        RegisterEntry.payload["decision"].as_string() == "close",
    )
    record, line = None, None
    if service_line is not None:
        record, columns = await item_values(session, {"service_line": String()})
        line = columns["service_line"]
    query = items_in(select(func.count()), record, example, win, line, service_line)
    query = query.where(ReviewItem.classification == "failed", ReviewItem.case_id.in_(closes))
    return int(await scalar(session, query) or 0)


async def classified_items(
    session: AsyncSession, example: str, win: Window, service_line: str | None,
    values: dict[str, TypeEngine[Any]],
) -> list[tuple[str, dict[str, Any]]]:  # fmt: skip
    """(classification, those ``fields`` values) of the example's classified items in range."""
    wanted = {**values, "service_line": String()} if service_line else values
    record, columns = await item_values(session, wanted)
    query = select(ReviewItem.classification, *(columns[n] for n in values))
    query = items_in(query, record, example, win, columns.get("service_line"),
                     service_line).where(ReviewItem.classification.is_not(None))  # fmt: skip
    return [
        (row[0], dict(zip(values, row[1:], strict=True))) for row in await core_rows(session, query)
    ]
