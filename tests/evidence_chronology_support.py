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
from store.evidence_scope import EXAMPLES, Scope, scoped_opened
from store.staff import staff_names
from store.tables import CaseEvent, DocumentOpening, RegisterEntry


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
    blocks = [
        text(
            f"For each review, the {SAMPLE_PER_EXAMPLE} cases opened in the range with the "
            "smallest SHA-256 of FROM/TO/CASE_ID: the same range always gives the same sample."
        )
    ]
    for example, title in EXAMPLES.items():
        cases = await scoped_opened(session, example, scope)
        for case in sorted(cases, key=lambda c: sample_key(c.case_id, start, end))[
            :SAMPLE_PER_EXAMPLE
        ]:
            rows = await chronology(session, case.case_id, scope.win.zone)
            blocks.append(
                table(
                    f"{case.reference} ({title.split(' — ')[0]}, {case.service_line})",
                    ["When", "What", "Who", "Evidence", "Timing"],
                    rows,
                    "No step recorded yet.",
                )
            )
    return section("Sample of complete case chronologies", *blocks, anchor="chronologies")
