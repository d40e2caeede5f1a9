"""The reads behind the evidence pack's three example sections, each one statement for all three
examples (grouped by example in the database): their reviews, completions, breaches, pathway
entries and cases opened. Read per example they were fifteen statements, each joining the
example's cases again; ``store.evidence_deadlines.example_section`` reads one example the same
way."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from store.evidence_scope import Scope
from store.review_visibility import SHOWN
from store.tables import Breach, Case, CaseEvent, RegisterEntry, Review


@dataclass
class ExampleReads:
    """One example's reviews run in the range (by period), its completions (kind, step, late,
    how many: each group in the order of its first completion), breaches escalated in the
    range (case_id, step, deadline, level, resolved_at: of its cases, and of its reviews in a
    pack of every service line), pathway entries recorded in it (by kind) and cases opened in
    it."""

    reviews: list[Any] = field(default_factory=list)
    done: list[tuple[str, str | None, bool, int]] = field(default_factory=list)
    breaches: list[tuple[str, str, datetime, int, datetime | None]] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)
    opened: int = 0


# The range and line as bound parameters: the statements are built once per shape (examples,
# kinds, whether one line) and reused, their SQLAlchemy constructs and cache keys with them;
# building them for each pack was a few milliseconds of CPU (bench/RESULTS.md, "Eleventh
# session — evidence pack")
FIRST = bindparam("first", type_=Case.opened_at.type)
AFTER = bindparam("after", type_=Case.opened_at.type)
LINE = bindparam("line", type_=Case.service_line.type)


def _in_range(column: Any) -> Any:
    return and_(column >= FIRST, column < AFTER)


def _example_of(case_id: Any, examples: tuple[str, ...], by_line: bool) -> Any:
    """The example of the case ``case_id`` names, if it is one of the examples' cases opened
    before the range ended (of the line), else NULL: a look-up per row by the cases' key. The
    rows it is asked for (a range's completions, breaches, entries: about a thousand) are few
    beside the examples' cases (years of them); joined instead, PostgreSQL hashed every case of
    every year for each read (bench/RESULTS.md, "Eleventh session — evidence pack")."""
    query = select(Case.example).where(
        Case.case_id == case_id, Case.example.in_(examples), Case.opened_at < AFTER
    )
    if by_line:
        query = query.where(Case.service_line == LINE)
    return query.scalar_subquery()


def _of_cases(query: Any) -> Any:
    """``query``'s rows of the examples' cases (``_example_of`` not NULL), as a subquery. Its
    OFFSET 0 keeps PostgreSQL from pulling it up into the query around it, which would run the
    look-up again for each use of ``example`` there."""
    found = query.offset(0).subquery()
    return found, found.c.example.is_not(None)


def _done(examples: tuple[str, ...], kinds: tuple[str, ...], by_line: bool) -> Any:
    step = CaseEvent.detail["step"].as_string()
    late = CaseEvent.detail["late"].as_boolean()
    each, found = _of_cases(
        select(_example_of(CaseEvent.case_id, examples, by_line).label("example"))
        .add_columns(CaseEvent.kind, step.label("step"), late.label("late"))
        .add_columns(CaseEvent.at, CaseEvent.id)
        .where(CaseEvent.kind.in_(kinds), _in_range(CaseEvent.at))
    )
    e = each.c
    group = (e.example, e.kind, e.step, e.late)
    ranked = (
        select(*group, e.at, e.id)
        .add_columns(func.row_number().over(partition_by=group, order_by=(e.at, e.id)).label("nth"))
        .add_columns(func.count().over(partition_by=group).label("n"))
        .where(found)
        .subquery()
    )
    c = ranked.c
    return select(c.example, c.kind, c.step, c.late, c.n).where(c.nth == 1).order_by(c.at, c.id)


def _breaches(examples: tuple[str, ...], by_line: bool) -> Any:
    """Breaches escalated in the range of the examples' cases and, for a pack of every service
    line, of their reviews (a review covers every line: its generation or sign-off missed is
    the governance process's own missed deadline, which an inspector must see too)."""
    columns = (Breach.case_id, Breach.step, Breach.deadline, Breach.level, Breach.resolved_at)
    each, found = _of_cases(
        select(_example_of(Breach.case_id, examples, by_line).label("example"), *columns).where(
            _in_range(Breach.escalated_at)
        )
    )
    of_cases = select(*each.c).where(found)
    if by_line:
        return of_cases
    of_reviews = (
        select(Review.example, *columns)
        .join(Review, Review.review_id == Breach.case_id)
        .where(Review.example.in_(examples), SHOWN, _in_range(Breach.escalated_at))
    )
    return union_all(of_cases, of_reviews)


@lru_cache(maxsize=64)
def _statements(
    examples: tuple[str, ...], done_kinds: tuple[str, ...], entry_kinds: tuple[str, ...],
    by_line: bool,
) -> tuple[Any, ...]:  # fmt: skip
    """The five reads of ``example_reads`` for the examples and kinds, of one line or all."""
    reviews = select(Review.review_id, Review.example, Review.as_of, Review.sign_off_due_at)
    reviews = reviews.add_columns(Review.reviewed_at).where(
        Review.example.in_(examples), _in_range(Review.as_of), SHOWN
    )
    each, of_cases = _of_cases(
        select(_example_of(RegisterEntry.subject, examples, by_line).label("example"))
        .add_columns(RegisterEntry.kind)
        .where(RegisterEntry.kind.in_(entry_kinds), _in_range(RegisterEntry.recorded_at))
    )
    entries = (
        select(each.c.example, each.c.kind, func.count())
        .where(of_cases)
        .group_by(each.c.example, each.c.kind)
    )
    opened = select(Case.example, func.count()).where(
        Case.example.in_(examples), _in_range(Case.opened_at)
    )
    if by_line:
        opened = opened.where(Case.service_line == LINE)
    return (
        reviews.order_by(Review.period),
        _done(examples, done_kinds, by_line),
        _breaches(examples, by_line),
        entries,
        opened.group_by(Case.example),
    )


async def example_reads(
    session: AsyncSession, examples: tuple[str, ...], scope: Scope, done_kinds: tuple[str, ...],
    entry_kinds: tuple[str, ...],
) -> dict[str, ExampleReads]:  # fmt: skip
    """``ExampleReads`` of each example over the scope's range (five statements)."""
    found = {example: ExampleReads() for example in examples}
    line = scope.service_line
    reviews, done, breaches, entries, opened = _statements(
        examples, done_kinds, entry_kinds, line is not None
    )
    connection = await session.connection()  # Core rows: ``store.pack_common.core_rows``
    bound = {"first": scope.win.first, "after": scope.win.after, "line": line}
    for row in (await connection.execute(reviews, bound)).all():
        found[row.example].reviews.append(row)
    for example, kind, step, late, n in (await connection.execute(done, bound)).all():
        found[example].done.append((kind, step, bool(late), int(n)))
    breached = (await connection.execute(breaches, bound)).all()  # at once
    for example, case_id, step, deadline, level, resolved_at in breached:
        found[example].breaches.append((case_id, step, deadline, level, resolved_at))
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for example, kind, n in (await connection.execute(entries, bound)).all():
        counted[example][kind] = int(n)
    for example, n in (await connection.execute(opened, bound)).all():
        found[example].opened = int(n)
    for example in examples:
        found[example].entries = counted[example]
    return found
