"""store.evidence_more.chronologies as it was before the sampled cases' records were read in four
statements for all of them (each case's events, register entries and openings loaded as ORM
objects, its staff names looked up, case by case): the oracle tests/test_evidence_sql.py compares
the pack's chronologies with. The rows are laid out by the pack's own ``chronology`` (unchanged by
the batching), so the comparison is of the reads."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.report import Cell, Doc, section, table, text
from store.evidence_more import SAMPLE_PER_EXAMPLE, Records, sample_key
from store.evidence_more import chronology as laid_out
from store.evidence_scope import EXAMPLES, Scope
from store.staff import staff_names
from store.tables import Case, CaseEvent, DocumentOpening, RegisterEntry


async def chronology(session: AsyncSession, case_id: str, zone: str) -> list[list[Cell]]:
    """Every step of a case, its records read as before (ORM objects, case by case) and laid out
    by the pack's own ``chronology``: what the oracle checks is the four-statement read."""
    events = list(
        await session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )
    who = await staff_names(session, {e.actor for e in events})
    entries = {
        (e.register, e.seq): e
        for e in await session.scalars(
            select(RegisterEntry).where(RegisterEntry.subject == case_id)
        )
    }
    opened = list(
        await session.scalars(
            select(DocumentOpening)
            .where(DocumentOpening.case_id == case_id)
            .order_by(DocumentOpening.opened_at)
        )
    )
    records = Records({case_id: events}, {case_id: entries}, {case_id: opened}, who)
    return laid_out(records, case_id, zone)


async def chronologies(session: AsyncSession, scope: Scope, start: date, end: date) -> Doc:
    """The sample drawn case by case: each review's cases closed in the range (ORM objects),
    then, when fewer than the sample, its cases opened in the range and not closed in it."""
    blocks = [
        text(
            f"For each review, the {SAMPLE_PER_EXAMPLE} cases closed in the range with the "
            "smallest SHA-256 of FROM/TO/CASE_ID: the same range always gives the same sample. "
            "Where a review has fewer cases closed in the range, cases opened in the range and "
            "not closed in it fill the sample, by the same key, and their titles say they are "
            "not complete."
        )
    ]
    win = scope.win
    for example, title in EXAMPLES.items():
        cases = [
            c
            for c in await session.scalars(select(Case).where(Case.example == example))
            if scope.line_ok(c.service_line)
        ]
        closed = [c for c in cases if c.closed_at and win.first <= c.closed_at < win.after]
        still = [c for c in cases if c not in closed and win.first <= c.opened_at < win.after]
        key = lambda c: sample_key(c.case_id, start, end)  # noqa: E731
        picked = [(c, "") for c in sorted(closed, key=key)[:SAMPLE_PER_EXAMPLE]]
        more = sorted(still, key=key)[: SAMPLE_PER_EXAMPLE - len(picked)]
        picked += [(c, "; not closed in the range: its chronology so far") for c in more]
        for case, state in picked:
            rows = await chronology(session, case.case_id, scope.win.zone)
            blocks.append(
                table(
                    f"{case.reference} ({title.split(' — ')[0]}, {case.service_line}{state})",
                    ["When", "What", "Who", "Evidence", "Timing"],
                    rows,
                    "No step recorded yet.",
                )
            )
    return section("Sample of complete case chronologies", *blocks, anchor="chronologies")
