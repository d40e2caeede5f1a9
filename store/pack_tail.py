"""The sections every pack ends with, and the listed cases as the CSV gives them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.packs import PackSpec
from domain.report import (
    Cell,
    Doc,
    bars,
    hours,
    label,
    local_minute,
    minute_words,
    plural,
    section,
    table,
)
from domain.working_clock import clock_for, epoch_us
from store.pack_common import (
    CaseIds,
    Record,
    Window,
    events_in,
    example_ids,
    ids_bound,
    ids_shape,
    in_window,
    kept,
    of_cases,
    shaped_rows,
    statement,
)
from store.tables import Breach


async def breaches_in(session: AsyncSession, case_ids: CaseIds, win: Window) -> list[Record]:
    """Breaches of those cases escalated in the window (every level is one row), as rows of the
    columns the section reads, not ORM objects."""
    if isinstance(case_ids, list) and not case_ids:
        return []
    shape = ids_shape(case_ids)
    query = statement(_breaches, shape)
    rows = (await shaped_rows(session, shape, query, ids_bound(case_ids) | win.bound)).all()
    return sorted(rows, key=itemgetter(4, 0, 3))  # escalated_at, case_id, level


@kept
def _breaches(shape: Any) -> Any:
    return select(
        Breach.case_id,
        Breach.step,
        Breach.deadline,
        Breach.level,
        Breach.escalated_at,
        Breach.resolved_at,
    ).where(of_cases(Breach.case_id, shape), in_window(Breach.escalated_at))


def breach_section(rows: Sequence[Record], win: Window, now: datetime) -> Doc:
    """Breaches per missed deadline: highest level reached, how long it stayed open (one pass
    over the rows; each instant formatted once, working hours from the calendar's clock)."""
    levels = dict.fromkeys(("level 1", "level 2", "level 3", "level 4 and above"), 0)
    grouped: dict[tuple[str, str, datetime], list[Any]] = {}
    for case_id, step, deadline, level, _, resolved_at in rows:  # breaches_in's columns
        if 1 <= level <= 3:
            levels[f"level {level}"] += 1
        elif level >= 4:
            levels["level 4 and above"] += 1
        group = grouped.get(key := (case_id, step, deadline))
        if group is None:  # [highest level, first resolution in row order]
            grouped[key] = [level, resolved_at]
        else:
            group[0] = max(group[0], level)
            group[1] = group[1] or resolved_at
    minute, clock, now_us = minute_words(win.zone), clock_for(win.calendar), epoch_us(now)
    steps: dict[str, str] = {}
    body: list[list[Cell]] = []
    for (case_id, step, deadline), (highest, resolved) in grouped.items():
        until = resolved or now
        # the calendar's working_hours_between, on the same instants
        working = clock.hours_us(epoch_us(deadline), epoch_us(resolved) if resolved else now_us)
        if (named := steps.get(step)) is None:
            steps[step] = named = label(step)
        body.append(
            [
                case_id,
                named,
                minute(deadline),
                highest,
                minute(resolved) if resolved else "still open",
                hours((until - deadline).total_seconds() / 3600),
                hours(working),
            ]
        )
    columns = ["Case", "Step", "Deadline", "Highest level", "Done at", "Open for", "Working hours"]
    return section(
        "Breaches and escalation levels reached",
        bars("Escalations by level", levels),
        table("Missed deadlines", columns, body, "No deadline was missed in this period."),
    )


async def late_in(session: AsyncSession, case_ids: CaseIds, win: Window) -> list[Record]:
    """Steps, acceptances and actions of those cases completed after their deadline in the
    window."""
    done = await events_in(
        session, case_ids, ("step_submitted", "action_done", "pathway_accepted"), win
    )
    return [e for e in done if e.detail.get("late")]


def late_section(late: list[Record], who: dict[str, str], win: Window) -> Doc:
    """The late completions (``late_in``), by whom (``who``: at least their actors' names)."""
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


def case_rows(cases: list[Record], zone: str) -> list[dict[str, Any]]:
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


@dataclass(frozen=True)
class Tail:
    """The rows every pack ends with: breaches escalated and steps done late in the period."""

    breaches: list[Record]
    late: list[Record]

    @property
    def staff(self) -> set[str]:
        return {e.actor for e in self.late}


async def tail_reads(session: AsyncSession, spec: PackSpec, win: Window) -> Tail:
    """Breaches and late steps of the example's cases in the period."""
    ids = example_ids(spec.example, win.after)
    return Tail(await breaches_in(session, ids, win), await late_in(session, ids, win))


def common_tail(tail: Tail, who: dict[str, str], win: Window, now: datetime) -> list[Doc]:
    """The breaches section and the late steps (``who``: names of at least ``tail.staff``)."""
    return [breach_section(tail.breaches, win, now), late_section(tail.late, who, win)]
