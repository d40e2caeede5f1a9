"""The reads behind the evidence pack's three example sections, each one statement for all three
examples (grouped by example in the database): their reviews, completions, breaches, pathway
entries and cases opened. Read per example they were fifteen statements, each joining the
example's cases again; ``store.evidence.example_section`` reads one example the same way."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from store.pack_common import core_rows
from store.review_visibility import SHOWN
from store.tables import Breach, Case, CaseEvent, RegisterEntry, Review

if TYPE_CHECKING:  # store.evidence imports this module
    from store.evidence import Scope


@dataclass
class ExampleReads:
    """One example's reviews run in the range (by period), its completions (kind, step, late,
    how many: each group in the order of its first completion), breaches escalated in the
    range (of its cases, and of its reviews in a pack of every service line), pathway entries
    recorded in it (by kind) and cases opened in it."""

    reviews: list[Any] = field(default_factory=list)
    done: list[tuple[str, str | None, bool, int]] = field(default_factory=list)
    breaches: list[Any] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)
    opened: int = 0


def _cases(examples: tuple[str, ...], scope: Scope) -> Any:
    """(case_id, example) of the examples' cases opened before the range ended (of the line)."""
    query = select(Case.case_id, Case.example).where(
        Case.example.in_(examples), Case.opened_at < scope.win.after
    )
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    return query.subquery("scoped")


def _done(cases: Any, kinds: tuple[str, ...], scope: Scope) -> Any:
    step = CaseEvent.detail["step"].as_string()
    late = CaseEvent.detail["late"].as_boolean()
    group = (cases.c.example, CaseEvent.kind, step, late)
    order = (CaseEvent.at, CaseEvent.id)
    ranked = (
        select(cases.c.example, CaseEvent.kind, step.label("step"), late.label("late"))
        .add_columns(CaseEvent.at, CaseEvent.id)
        .add_columns(func.row_number().over(partition_by=group, order_by=order).label("nth"))
        .add_columns(func.count().over(partition_by=group).label("n"))
        .join(cases, cases.c.case_id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_(kinds), scope.win.holds(CaseEvent.at))
        .subquery()
    )
    c = ranked.c
    return select(c.example, c.kind, c.step, c.late, c.n).where(c.nth == 1).order_by(c.at, c.id)


def _breaches(cases: Any, examples: tuple[str, ...], scope: Scope) -> Any:
    """Breaches escalated in the range of the examples' cases and, for a pack of every service
    line, of their reviews (a review covers every line: its generation or sign-off missed is
    the governance process's own missed deadline, which an inspector must see too)."""
    columns = (Breach.case_id, Breach.step, Breach.deadline, Breach.level, Breach.resolved_at)
    of_cases = (
        select(cases.c.example, *columns)
        .join(cases, cases.c.case_id == Breach.case_id)
        .where(scope.win.holds(Breach.escalated_at))
    )
    if scope.service_line is not None:
        return of_cases
    of_reviews = (
        select(Review.example, *columns)
        .join(Review, Review.review_id == Breach.case_id)
        .where(Review.example.in_(examples), SHOWN)
        .where(scope.win.holds(Breach.escalated_at))
    )
    return union_all(of_cases, of_reviews)


async def example_reads(
    session: AsyncSession, examples: tuple[str, ...], scope: Scope, done_kinds: tuple[str, ...],
    entry_kinds: tuple[str, ...],
) -> dict[str, ExampleReads]:  # fmt: skip
    """``ExampleReads`` of each example over the scope's range (five statements)."""
    found = {example: ExampleReads() for example in examples}
    win, cases = scope.win, _cases(examples, scope)
    reviews = select(Review.review_id, Review.example, Review.as_of, Review.sign_off_due_at)
    reviews = reviews.add_columns(Review.reviewed_at).where(
        Review.example.in_(examples), win.holds(Review.as_of), SHOWN
    )
    for row in (await core_rows(session, reviews.order_by(Review.period))).all():
        found[row.example].reviews.append(row)
    for example, kind, step, late, n in await core_rows(session, _done(cases, done_kinds, scope)):
        found[example].done.append((kind, step, bool(late), int(n)))
    for row in (await core_rows(session, _breaches(cases, examples, scope))).all():  # at once
        found[row.example].breaches.append(row)
    entries = (
        select(cases.c.example, RegisterEntry.kind, func.count())
        .join(cases, cases.c.case_id == RegisterEntry.subject)
        .where(RegisterEntry.kind.in_(entry_kinds), win.holds(RegisterEntry.recorded_at))
        .group_by(cases.c.example, RegisterEntry.kind)
    )
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for example, kind, n in await core_rows(session, entries):
        counted[example][kind] = int(n)
    opened = select(Case.example, func.count()).where(
        Case.example.in_(examples), win.holds(Case.opened_at)
    )
    if scope.service_line is not None:
        opened = opened.where(Case.service_line == scope.service_line)
    for example, n in await core_rows(session, opened.group_by(Case.example)):
        found[example].opened = int(n)
    for example in examples:
        found[example].entries = counted[example]
    return found
