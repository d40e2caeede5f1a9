"""What an evidence pack covers: its examples (titled as the pack's sections are), its range (a
window of local days) and optional service line, and the cases of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from store.pack_common import Window, core_rows
from store.tables import Case

EXAMPLES = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Daily acknowledgment and triage review — reliability",
    names.EXAMPLE_LEARNING: "Fortnightly learning-visibility audit — visibility and recurrence",
    names.EXAMPLE_CREDIBILITY: "Monthly closure-credibility review — closure credibility",
}


@dataclass(frozen=True)
class Scope:
    """The evidence pack's range (a window of local days) and optional service line."""

    win: Window
    service_line: str | None

    def line_ok(self, value: Any) -> bool:
        return self.service_line is None or value == self.service_line


def scoped_ids(example: str, scope: Scope) -> Select[Any]:
    """The IDs of the example's cases opened before the range ended (of the service line), as
    a subquery: years of cases are never loaded nor sent back as a list."""
    query = select(Case.case_id).where(Case.example == example, Case.opened_at < scope.win.after)
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    return query


async def scoped_opened(session: AsyncSession, example: str, scope: Scope) -> list[Any]:
    """(case_id, reference, service_line) of the example's cases opened in the range (of the
    line)."""
    query = select(Case.case_id, Case.reference, Case.service_line).where(
        Case.example == example,
        Case.opened_at >= scope.win.first,
        Case.opened_at < scope.win.after,
    )
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    return list((await core_rows(session, query.order_by(Case.case_id))).all())


async def sample_candidates(
    session: AsyncSession, examples: tuple[str, ...], scope: Scope
) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per example, (case_id, reference, service_line) of its cases closed in the range, and of
    those opened in the range and not closed in it (the sample's fallback), of the line: one
    statement."""
    win = scope.win
    closed = Case.closed_at.is_not(None) & (Case.closed_at >= win.first)
    closed &= Case.closed_at < win.after
    opened = (Case.opened_at >= win.first) & (Case.opened_at < win.after)
    query = select(Case.example, Case.case_id, Case.reference, Case.service_line)
    query = query.add_columns(closed.label("closed"))
    query = query.where(Case.example.in_(examples), closed | opened)
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    found: dict[str, tuple[list[Any], list[Any]]] = {e: ([], []) for e in examples}
    for row in (await core_rows(session, query.order_by(Case.example, Case.case_id))).all():
        found[row.example][0 if row.closed else 1].append(row)
    return found
