"""store.evidence_more.chronologies as it was before the sampled cases' records were read in four
statements for all of them (each case's events, register entries and openings loaded as ORM
objects, its staff names looked up, case by case): the oracle tests/test_evidence_sql.py compares
the pack's chronologies with."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.report import Cell, Doc, label, local_minute, section, table, text
from store.evidence import EXAMPLES, Scope, scoped_opened
from store.evidence_more import SAMPLE_PER_EXAMPLE, SHOWN, sample_key
from store.staff import staff_names
from store.tables import CaseEvent, DocumentOpening, RegisterEntry


async def chronology(session: AsyncSession, case_id: str, zone: str) -> list[list[Cell]]:
    """Every step of a case: when, what, who, on what evidence, late or on time."""
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
    rows: list[list[Cell]] = []
    for e in events:
        if e.kind not in SHOWN:
            continue
        d = e.detail
        what = label(d.get("step") or d.get("stage") or d.get("action") or e.kind)
        if e.kind == "escalated":
            what = f"escalated to level {d.get('level')}: {label(d.get('obligation'))}"
        elif e.kind == "made_visible":  # the pack's publication (store.packs.publish)
            what = f"made visible: {d.get('title')} {d.get('period')} published"
        elif e.kind == "reconfirmation_requested":
            what = "worker asked again to confirm the closure"
        evidence = "—"
        entry = entries.get((str(d.get("register")), int(d.get("seq") or 0)))
        if entry is not None:
            cited = sorted(
                {
                    ev.get("document")
                    for s in entry.payload.get("confirmed_sources") or []
                    for ev in s.get("evidence") or []
                    if ev.get("document")
                }
            )
            seen = sorted({o.document for o in opened if o.opened_at <= e.at})
            evidence = (
                f"{entry.register} #{entry.seq}"
                + (f"; cited: {', '.join(cited)}" if cited else "")
                + (f"; opened: {', '.join(seen)}" if seen else "")
            )
        timing = "late" if d.get("late") else "on time" if "late" in d else ""
        rows.append([local_minute(e.at, zone), what, who.get(e.actor, e.actor), evidence, timing])
    return rows


async def chronologies(session: AsyncSession, scope: Scope, start: date, end: date) -> Doc:
    blocks = [
        text(
            f"For each example, the {SAMPLE_PER_EXAMPLE} cases opened in the range with the "
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
                    f"{case.case_id} ({title.split(' — ')[0]}, {case.service_line})",
                    ["When", "What", "Who", "Evidence", "Timing"],
                    rows,
                    "No step recorded yet.",
                )
            )
    return section("Sample of complete case chronologies", *blocks, anchor="chronologies")
