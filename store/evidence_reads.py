"""The evidence pack's reads, set-based: its figures counted by the database over the columns they
need (a review item's values read from its ``fields`` once per item, in the database), never
years of rows loaded as ORM objects with their JSON decoded in Python. ``tests/
evidence_oracle_support.py`` keeps the Python they replace; the tests compare both."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, column
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeEngine

from store.pack_common import Window, core_rows
from store.review_visibility import SHOWN
from store.tables import RegisterEntry, Review, ReviewItem

FIRST = bindparam("first", type_=Review.as_of.type)
AFTER = bindparam("after", type_=Review.as_of.type)
LINE = bindparam("line", type_=String())


async def scalar(session: AsyncSession, query: Executable) -> Any:
    """The first column of ``query``'s first row (``core_rows``)."""
    return (await core_rows(session, query)).scalar()


async def item_values(
    session: AsyncSession, names: dict[str, TypeEngine[Any]]
) -> tuple[Any, dict[str, ColumnElement[Any]]]:
    """Columns of a review item's ``fields`` members (typed), and what to join for them: on
    PostgreSQL ``json_to_record`` parses each document once for every member (``->>`` parses
    it again for each); on SQLite ``json_extract`` per member."""
    return values_for((await session.connection()).dialect.name, names)


def values_for(
    dialect: str, names: dict[str, TypeEngine[Any]]
) -> tuple[Any, dict[str, ColumnElement[Any]]]:
    """``item_values`` for the dialect named."""
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
    connection = await session.connection()  # Core rows: ``store.pack_common.core_rows``
    shape = tuple((n, type(t)) for n, t in values.items())
    query = _classified(connection.dialect.name, example, shape, service_line is not None)
    bound = {"first": win.first, "after": win.after, "line": service_line}
    return [
        (row[0], dict(zip(values, row[1:], strict=True)))
        for row in (await connection.execute(query, bound)).all()
    ]


@lru_cache(maxsize=32)
def _classified(
    dialect: str, example: str, shape: tuple[tuple[str, type[TypeEngine[Any]]], ...], by_line: bool
) -> Any:
    """``classified_items``' statement, built once per dialect, example, members and whether of
    one line (bound: the range, the line): the items' document expression is large, and
    building it and its cache key for each pack was milliseconds of CPU."""
    values = {n: t() for n, t in shape}
    wanted = {**values, "service_line": String()} if by_line else values
    record, columns = values_for(dialect, wanted)
    query = select(ReviewItem.classification, *(columns[n] for n in values))
    query = query.select_from(ReviewItem).join(Review, Review.review_id == ReviewItem.review_id)
    if record is not None:
        query = query.join(record, true())
    query = query.where(Review.example == example, Review.as_of >= FIRST, Review.as_of < AFTER)
    query = query.where(SHOWN, ReviewItem.classification.is_not(None))  # as ``items_in``
    return query.where(columns["service_line"] == LINE) if by_line else query
