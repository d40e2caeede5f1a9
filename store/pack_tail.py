"""The sections every pack ends with, and the listed cases as the CSV gives them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.packs import PackSpec
from domain.report import Cell, Doc, bars, hours, label, local_minute, plural, section, table
from store.pack_common import CaseIds, Record, Window, events_in, example_ids
from store.staff import staff_names
from store.tables import Breach, Case


async def breaches_in(session: AsyncSession, case_ids: CaseIds, win: Window) -> list[Record]:
    """Breaches of those cases escalated in the window (every level is one row), as rows of the
    columns the section reads, not ORM objects."""
    if isinstance(case_ids, list) and not case_ids:
        return []
    query = select(
        Breach.case_id,
        Breach.step,
        Breach.deadline,
        Breach.level,
        Breach.escalated_at,
        Breach.resolved_at,
    ).where(
        Breach.case_id.in_(case_ids),
        win.holds(Breach.escalated_at),
    )
    rows = (await session.execute(query)).all()
    return sorted(rows, key=lambda b: (b.escalated_at, b.case_id, b.level))


def breach_section(rows: Sequence[Record], win: Window, now: datetime) -> Doc:
    """Breaches per missed deadline: highest level reached, how long it stayed open."""
    grouped: dict[tuple[str, str, datetime], list[Record]] = defaultdict(list)
    for b in rows:
        grouped[(b.case_id, b.step, b.deadline)].append(b)
    levels = {f"level {n}": sum(1 for b in rows if b.level == n) for n in (1, 2, 3)}
    levels["level 4 and above"] = sum(1 for b in rows if b.level >= 4)
    body: list[list[Cell]] = []
    for (case_id, step, deadline), group in grouped.items():
        resolved = next((b.resolved_at for b in group if b.resolved_at), None)
        until = resolved or now
        body.append(
            [
                case_id,
                label(step),
                local_minute(deadline, win.zone),
                max(b.level for b in group),
                local_minute(resolved, win.zone) if resolved else "still open",
                hours((until - deadline).total_seconds() / 3600),
                hours(win.calendar.working_hours_between(deadline, until)),
            ]
        )
    columns = ["Case", "Step", "Deadline", "Highest level", "Done at", "Open for", "Working hours"]
    return section(
        "Breaches and escalation levels reached",
        bars("Escalations by level", levels),
        table("Missed deadlines", columns, body, "No deadline was missed in this period."),
    )


async def late_section(session: AsyncSession, case_ids: CaseIds, win: Window) -> Doc:
    """Steps, acceptances and actions completed after their deadline in the period."""
    done = await events_in(
        session, case_ids, ("step_submitted", "action_done", "pathway_accepted"), win
    )
    late = [e for e in done if e.detail.get("late")]
    who = await staff_names(session, {e.actor for e in late})
    body: list[list[Cell]] = [
        [
            e.case_id,
            label(e.detail.get("step") or e.detail.get("action") or "pathway-acceptance"),
            who.get(e.actor, e.actor),
            local_minute(e.at, win.zone),
        ]
        for e in late
    ]
    title = f"Late steps ({plural(len(late), 'late completion')})"
    return section(
        title,
        table(
            "Completed after the deadline",
            ["Case", "Step", "By", "Completed at"],
            body,
            "Every step completed in this period was on time.",
        ),
        anchor="late-steps",
    )


def case_rows(cases: list[Case], zone: str) -> list[dict[str, Any]]:
    """The listed cases as the CSV beside the pack gives them."""
    return [
        {
            "case_id": c.case_id,
            "reference": c.reference,
            "service_line": c.service_line,
            "exposure": c.exposure,
            "stage": c.stage,
            "opened_at": local_minute(c.opened_at, zone),
        }
        for c in cases
    ]


async def common_tail(
    session: AsyncSession, spec: PackSpec, win: Window, now: datetime
) -> list[Doc]:
    """Breaches and late steps of the example's cases in the period."""
    ids = example_ids(spec.example, win.after)
    return [
        breach_section(await breaches_in(session, ids, win), win, now),
        await late_section(session, ids, win),
    ]
