"""What every pack and the evidence pack read: a period's reviews, cases, breaches, late steps and
their items, as report sections (the pathways' table: ``store.pack_pathways``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from domain.calendar import BusinessCalendar
from domain.report import (
    local_minute,
)
from store.driver_rows import kept_rows
from store.review_visibility import SHOWN
from store.staff import STAFF_FEED, StaffMember, name_and_id
from store.tables import Case, CaseEvent, Review, ReviewItem, SourceRecord

PATHWAY_KINDS = ("recovery_pathway", "stabilization_pathway", "repair_pathway")


@dataclass(frozen=True)
class ExampleCases:
    """The IDs of the example's cases opened before ``before``: a subquery of the statement
    that reads them (an example's cases over years: never loaded, never sent as a list)."""

    example: str
    before: datetime


# Cases named one by one, as an example's (``ExampleCases``), or as any subquery of IDs.
CaseIds = list[str] | ExampleCases | Select[Any]

# A row of the columns a report reads (attributes by column name), not an ORM object.
Record = Row[*tuple[Any, ...]]

# The packs' reads take their values as bound parameters: each statement is built once per
# shape and reused, its SQLAlchemy constructs and cache key with it (built for every pack,
# they were a quarter of a build's client CPU: bench/RESULTS.md, "Twelfth session — pack
# builds"). The SQL sent is the same (SQLAlchemy binds every value either way).
FIRST = bindparam("first", type_=Case.opened_at.type)
AFTER = bindparam("after", type_=Case.opened_at.type)
EXAMPLE = bindparam("example", type_=Case.example.type)
BEFORE = bindparam("before", type_=Case.opened_at.type)


def ids_param(name: str = "ids") -> Any:
    """A list of values bound at execution (``IN``, one parameter per value)."""
    return bindparam(name, expanding=True)


def in_window(column: Any) -> ColumnElement[bool]:
    """SQL: ``column`` lies in the window bound as ``first`` and ``after`` (``Window.bound``)."""
    return and_(column >= FIRST, column < AFTER)


_EXAMPLE_IDS = select(Case.case_id).where(Case.example == EXAMPLE, Case.opened_at < BEFORE)


def ids_shape(case_ids: CaseIds) -> Any:
    """``case_ids``' shape, a kept statement's first argument: ``"list"`` (bound as ``ids``),
    ``"example"`` (bound as ``example`` and ``before``), or the subquery itself (inline)."""
    if isinstance(case_ids, list):
        return "list"
    if isinstance(case_ids, ExampleCases):
        return "example"
    return case_ids


def ids_bound(case_ids: CaseIds) -> dict[str, Any]:
    """The parameters ``of_cases``' clause binds for ``case_ids``."""
    if isinstance(case_ids, list):
        return {"ids": case_ids}
    if isinstance(case_ids, ExampleCases):
        return {"example": case_ids.example, "before": case_ids.before}
    return {}


def of_cases(column: Any, shape: Any) -> Any:
    """SQL: ``column`` names one of the case IDs of that shape (``ids_shape``)."""
    if isinstance(shape, str):
        return column.in_(ids_param() if shape == "list" else _EXAMPLE_IDS)
    return column.in_(shape)


def kept(build: Any) -> Any:
    """``build`` (a statement's construction from its shape: hashable arguments) memoised."""
    return lru_cache(maxsize=64)(build)


def statement(build: Any, shape: Any, *args: Any) -> Any:
    """``build(shape, *args)`` (a ``kept`` construction whose first argument is an
    ``ids_shape``): the kept statement, or one built for this use around an inline subquery."""
    return build(shape, *args) if isinstance(shape, str) else build.__wrapped__(shape, *args)


async def shaped_rows(
    session: AsyncSession, shape: Any, query: Executable, bound: dict[str, Any]
) -> Any:
    """The rows of ``statement``'s ``query`` for case IDs of that shape: a kept statement's
    through ``store.driver_rows``, one built for this use as Core rows."""
    if isinstance(shape, str):
        return await kept_rows(session, query, bound)
    return await core_rows(session, query, bound)


async def core_rows(
    session: AsyncSession, query: Executable, bound: dict[str, Any] | None = None
) -> Any:
    """``query``'s rows as Core rows on the session's connection (``bound``: its parameters): a
    report's statements select columns, and the ORM's execution path cost about twice the CPU
    of Core's per statement (no autoflush: ``store.packs`` flushes once before a pack's reads).
    Core skips ``store.review_visibility``'s hook: a statement that reads ``reviews`` says
    ``review_visibility.SHOWN`` itself."""
    return await (await session.connection()).execute(query, bound)


@dataclass(frozen=True)
class Window:
    """A report's period as UTC instants [first, after) and its provider zone and calendar."""

    first: datetime
    after: datetime
    zone: str
    calendar: BusinessCalendar

    def holds(self, column: Any) -> ColumnElement[bool]:
        """SQL: ``column`` lies in the window (``first <= column < after``)."""
        return and_(column >= self.first, column < self.after)

    @property
    def bound(self) -> dict[str, datetime]:
        """The window as ``in_window``'s parameters."""
        return {"first": self.first, "after": self.after}


def window(first: date, after: date, calendar: BusinessCalendar) -> Window:
    """[first 00:00, after 00:00) local."""
    tz = ZoneInfo(calendar.config.timezone)
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(after, time(0), tzinfo=tz).astimezone(UTC)
    return Window(start, end, calendar.config.timezone, calendar)


async def reviews(
    session: AsyncSession, example: str, periods: list[str] | None, win: Window | None = None
) -> list[Record]:
    """The example's reviews with those periods, or whose as_of falls in the window."""
    bound: dict[str, Any] = {"example": example}
    if periods is not None:
        bound["periods"] = periods
    if win is not None:
        bound |= win.bound
    query = _reviews(periods is not None, win is not None)
    return list((await kept_rows(session, query, bound)).all())


@kept
def _reviews(of_periods: bool, in_win: bool) -> Select[Any]:
    # a review still being built (its items arriving on other connections) is left out here
    # as every ORM read leaves it (store.review_visibility.SHOWN)
    query = select(Review.__table__).where(Review.example == EXAMPLE, SHOWN)
    if of_periods:
        query = query.where(Review.period.in_(ids_param("periods")))
    if in_win:
        query = query.where(in_window(Review.as_of))
    return query.order_by(Review.period)


_NAMES = select(SourceRecord.key, SourceRecord.content).where(
    SourceRecord.feed == STAFF_FEED, SourceRecord.key.in_(ids_param())
)


async def names_of(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """``store.staff.staff_names`` read as Core rows (one statement: a pack build asks once, for
    every section's staff)."""
    wanted = sorted(i for i in ids if i and i != "system")
    if not wanted:
        return {}
    rows = (await kept_rows(session, _NAMES, {"ids": wanted})).all()
    return {key: name_and_id(StaffMember.model_validate(content), key) for key, content in rows}


async def cases_of(session: AsyncSession, case_ids: list[str]) -> list[Case]:
    if not case_ids:
        return []
    found = await session.scalars(select(Case).where(Case.case_id.in_(case_ids)))
    return sorted(found, key=lambda c: c.case_id)


LISTED: tuple[Any, ...] = (Case.case_id, Case.example, Case.reference, Case.service_line)
LISTED += (Case.exposure, Case.stage, Case.opened_at)


async def listed_cases(session: AsyncSession, case_ids: list[str]) -> list[Record]:
    """Those cases as rows of the columns a pack shows (``LISTED``), by case ID."""
    if not case_ids:
        return []
    found = (await kept_rows(session, _LISTED, {"ids": case_ids})).all()
    return sorted(found, key=lambda c: c.case_id)


_LISTED = select(*LISTED).where(Case.case_id.in_(ids_param()))


def example_ids(example: str, before: datetime) -> ExampleCases:
    """The IDs of the example's cases opened before ``before``, as a subquery."""
    return ExampleCases(example, before)


_OPENED = select(func.count()).where(Case.example == EXAMPLE, in_window(Case.opened_at))


async def opened_count(session: AsyncSession, example: str, win: Window) -> int:
    """How many of the example's cases opened in the window."""
    bound = {"example": example} | win.bound
    return int((await kept_rows(session, _OPENED, bound)).scalar() or 0)


async def example_cases(session: AsyncSession, example: str, before: datetime) -> list[Case]:
    """The example's cases opened before ``before``."""
    found = await session.scalars(
        select(Case).where(Case.example == example, Case.opened_at < before)
    )
    return sorted(found, key=lambda c: c.case_id)


async def events_in(
    session: AsyncSession, case_ids: CaseIds, kinds: tuple[str, ...], win: Window | None
) -> list[Record]:
    """Those cases' events of those kinds (in the window), in order: rows of the columns a
    report reads (case_id, at, kind, actor, detail), not ORM objects (a period's events run to
    thousands; an entity each, with its identity-map state, cost more than the statement)."""
    if isinstance(case_ids, list) and not case_ids:
        return []
    bound = ids_bound(case_ids) | ({} if win is None else win.bound)
    shape = ids_shape(case_ids)
    query = statement(_events, shape, kinds, win is not None)
    return list((await shaped_rows(session, shape, query, bound)).all())


@kept
def _events(shape: Any, kinds: tuple[str, ...], in_win: bool) -> Select[Any]:
    query = select(
        CaseEvent.case_id, CaseEvent.at, CaseEvent.kind, CaseEvent.actor, CaseEvent.detail
    ).where(of_cases(CaseEvent.case_id, shape), CaseEvent.kind.in_(kinds))
    if in_win:
        query = query.where(in_window(CaseEvent.at))
    return query.order_by(CaseEvent.at, CaseEvent.id)


# An item's stored columns, and its document as every reader gets it (``ReviewItem.fields``:
# example 3's register closures store none, it is rendered from their typed columns).
_ITEM_COLUMNS = [c for c in ReviewItem.__table__.c if c.name != "fields"]
_ITEMS = select(*_ITEM_COLUMNS, ReviewItem.fields.label("fields")).where(
    ReviewItem.review_id.in_(ids_param())
)


async def items_of(session: AsyncSession, found: list[Record]) -> list[tuple[str, Record]]:
    """(review period, item) of the reviews, by review then reference."""
    periods = {r.review_id: r.period for r in found}
    if not periods:
        return []
    rows = (await kept_rows(session, _ITEMS, {"ids": list(periods)})).all()
    return sorted(((periods[i.review_id], i) for i in rows), key=lambda p: (p[0], p[1].reference))


def reviewers(found: list[Record]) -> set[str]:
    """The staff who marked those reviews reviewed."""
    return {r.reviewed_by for r in found if r.reviewed_by}


def review_statuses(found: list[Record], who: dict[str, str], zone: str) -> dict[str, str]:
    """Review ID → "reviewed by Name (ID) at …" or "not marked reviewed" (``who``: names of at
    least ``reviewers(found)``)."""
    return {
        r.review_id: "not marked reviewed"
        if r.reviewed_at is None or r.reviewed_by is None
        else f"reviewed by {who.get(r.reviewed_by, r.reviewed_by)} at "
        f"{local_minute(r.reviewed_at, zone)}"
        for r in found
    }
