"""Pack sections about pathways and validations: example 2's stabilization pathways, validations
and recurrence; example 3's credibility by service line and reviewer, repairs and confidence."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.report import Cell, Doc, bars, chart, label, local_minute, section, table, text
from domain.titles import capital
from store.pack_common import (
    CaseIds,
    Record,
    Window,
    example_ids,
    ids_bound,
    ids_shape,
    in_window,
    kept,
    listed_cases,
    of_cases,
    shaped_rows,
    statement,
)
from store.pack_pathways import Pathways, obligations, pathway_reads, pathway_table
from store.tables import CaseEvent, RegisterEntry

CREDIBILITY = ("credible", "doubtful", "failed")


async def entries_in(
    session: AsyncSession, case_ids: CaseIds, kind: str | tuple[str, ...], win: Window
) -> list[Record]:
    """Register entries of that kind (or kinds) about those cases recorded in the window: rows
    of their kind, subject, recorded_at and payload (not ORM objects)."""
    if isinstance(case_ids, list) and not case_ids:
        return []
    kinds = (kind,) if isinstance(kind, str) else kind
    shape = ids_shape(case_ids)
    query = statement(_entries, shape, kinds)
    return list((await shaped_rows(session, shape, query, ids_bound(case_ids) | win.bound)).all())


@kept
def _entries(shape: Any, kinds: tuple[str, ...]) -> Select[Any]:
    return (
        select(
            RegisterEntry.kind,
            RegisterEntry.subject,
            RegisterEntry.recorded_at,
            RegisterEntry.payload,
        )
        .where(
            of_cases(RegisterEntry.subject, shape),
            RegisterEntry.kind.in_(kinds),
            in_window(RegisterEntry.recorded_at),
        )
        .order_by(RegisterEntry.recorded_at)
    )


def _fmt_rate(value: Any) -> str:
    return "—" if value is None else f"{round(100 * float(value))}%"


async def _falling_due(session: AsyncSession, case_ids: CaseIds, win: Window) -> set[str]:
    """Those cases with a validation opened whose deadline is near the window: a superset (a
    day either side, on its ISO text) of those whose validation falls due in it."""
    bound = ids_bound(case_ids) | {
        "due_from": (win.first - timedelta(days=1)).date().isoformat(),
        "due_to": (win.after + timedelta(days=2)).date().isoformat(),
    }
    shape = ids_shape(case_ids)
    found = await shaped_rows(session, shape, statement(_due, shape), bound)
    return set(found.scalars())


@kept
def _due(shape: Any) -> Select[Any]:
    deadline = CaseEvent.detail["deadline"].as_string()
    return select(CaseEvent.case_id).where(
        of_cases(CaseEvent.case_id, shape),
        CaseEvent.kind == "obligation_opened",
        CaseEvent.detail["obligation"].as_string() == "stabilization-validation",
        deadline >= bindparam("due_from", type_=String),
        deadline < bindparam("due_to", type_=String),
    )


def _validations(
    done: dict[str, Record], ids: list[str], owed: dict[str, dict[str, Any]], win: Window
) -> Doc:
    """Validations falling due in the period (of ``ids``: those ``done`` in it and those
    falling due near it), and the outcome of each one done."""
    rows: list[list[Cell]] = []
    for case_id in ids:
        ob = owed.get(case_id, {}).get("stabilization-validation")
        due = ob and win.first.isoformat() <= ob["deadline"] < win.after.isoformat()
        entry = done.get(case_id)
        if not due and entry is None:
            continue
        p = entry.payload if entry else {}
        rows.append(
            [
                case_id,
                local_minute(ob["deadline"], win.zone) if ob else "—",
                local_minute(entry.recorded_at, win.zone) if entry else "not yet",
                label(p.get("decision")) if entry else "—",
                p.get("revised_recurrence_count", "—"),
                _fmt_rate(p.get("revised_reporter_feedback_completion_rate")),
                "yes" if p.get("late") else "no" if entry else "—",
            ]
        )
    columns = ["Case", "Due", "Validated at", "Decision", "Recurrence", "Feedback rate", "Late"]
    return table(
        "Validations due and their outcomes",
        columns,
        rows,
        "No validation fell due in this period.",
    )


def _recurrence(items: list[tuple[str, Record]]) -> Doc:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _, item in items:
        if item.classification is None:
            continue
        tally = per[str(item.fields.get("risk_domain") or "unknown")]
        tally[0] += 1
        tally[1] += bool(item.fields.get("recurrence_within_30_days"))
        tally[2] = max(tally[2], int(item.fields.get("repeat_count_same_domain") or 0))
    rows: list[list[Cell]] = [[label(d), *t] for d, t in sorted(per.items())]
    return section(
        "Recurrence",
        bars(
            "Reports recurring within 30 days, by risk domain",
            {d: t[1] for d, t in sorted(per.items())},
        ),
        table(
            "Recurrence by risk domain",
            ["Risk domain", "Closed reports", "Recurred within 30 days", "Highest repeat count"],
            rows,
        ),
    )


@dataclass(frozen=True)
class Learning:
    """Example 2's pathway and validation rows of a cycle, read."""

    paths: Pathways
    done: dict[str, Record]
    due: list[str]


async def learning_reads(
    session: AsyncSession, win: Window, listed: list[Record], items: list[tuple[str, Record]]
) -> Learning:
    """The cases this cycle's audit opened, pathways authorized and validations done in the
    cycle, validations falling due in it, and the listed cases."""
    # The cycle's audit runs after it: its cases open in the following cycle.
    before = win.after + timedelta(days=14)
    ids = example_ids(names.EXAMPLE_LEARNING, before)
    listed_ids = {c.case_id for c in listed}
    opened = {i.case_id for _, i in items if i.case_id}  # the cases this cycle's audit opened
    # Pathways authorized and validations done in the cycle: one statement.
    entries = await entries_in(
        session, ids, ("stabilization_pathway", "stabilization_validation"), win
    )
    authorized = {e.subject for e in entries if e.kind == "stabilization_pathway"}
    done = {e.subject: e for e in entries if e.kind == "stabilization_validation"}
    shown = [
        c
        for c in await listed_cases(session, sorted(authorized | listed_ids | opened))
        if c.example == names.EXAMPLE_LEARNING and c.opened_at < before
    ]
    due = sorted(set(done) | await _falling_due(session, ids, win))
    # Each case's obligations depend on its own events only: one read serves both tables.
    owed = await obligations(session, sorted({c.case_id for c in shown} | set(due)))
    return Learning(await pathway_reads(session, shown, owed), done, due)


def learning_sections(
    read: Learning, who: dict[str, str], win: Window, items: list[tuple[str, Record]]
) -> list[Doc]:
    """``who``: names of at least ``read.paths.staff``."""
    return [
        section(
            "Stabilization pathways",
            text(
                "The cases this cycle's audit opened and their pathways, pathways authorized in "
                "the cycle, and those awaiting this summary's visibility."
            ),
            pathway_table(read.paths, who, win.zone, "Stabilization pathways"),
        ),
        section("Validations", _validations(read.done, read.due, read.paths.owed, win)),
        _recurrence(items),
    ]


def _split(items: list[Record], field: str, title: str) -> Doc:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        if item.classification:
            counts[str(item.fields.get(field) or "unknown")][item.classification] += 1
    keys = sorted(counts)
    rows: list[list[Cell]] = [[k, *[counts[k][c] for c in CREDIBILITY]] for k in keys]
    series = {label(c): [float(counts[k][c]) for k in keys] for c in CREDIBILITY}
    return section(
        f"Closure credibility by {title}",
        chart(
            f"Credible, doubtful and failed by {title}",
            [label(k) for k in keys],
            series,
            "closures",
        ),
        table(
            f"By {title}",
            [capital(title), "Credible", "Doubtful", "Failed"],
            [[label(r[0]), *r[1:]] for r in rows],
            f"No closures reviewed by {title}.",
        ),
    )


def _repairs(done: list[Record], win: Window) -> list[Doc]:
    rows: list[list[Cell]] = []
    before_after: dict[str, list[float]] = {"before": [], "after": []}
    for e in done:
        p, computed = e.payload, e.payload.get("computed") or {}
        baseline, revised = computed.get("baseline_score"), p.get("revised_confidence_score")
        rows.append(
            [
                e.subject,
                local_minute(e.recorded_at, win.zone),
                label(p.get("decision")),
                label(p.get("final_credibility_outcome")),
                "—" if baseline is None else baseline,
                "—" if revised is None else revised,
                p.get("escalation_minute") or "—",
            ]
        )
        before_after["before"].append(float(baseline or 0))
        before_after["after"].append(float(revised or 0))
    return [
        section(
            "Repair validations and minuted escalations",
            table(
                "Repair validations",
                [
                    "Case",
                    "Validated at",
                    "Decision",
                    "Outcome",
                    "Confidence before",
                    "Confidence after",
                    "Escalation minute",
                ],
                rows,
                "No repair was validated in this month.",
            ),
        ),
        section(
            "Confidence before and after repair",
            text(
                "Speaking-up confidence score (1 to 5): the worker's latest answer before "
                "activation against the one given at validation."
            ),
            chart(
                "Confidence before and after", [_reference(e) for e in done], before_after, "score"
            ),
        ),
    ]


def _reference(entry: Record) -> str:
    """The closure's reference people know it by (``CC-9002``: the step's entry records it),
    not the case ID (``closure-case-CC-9002``) when it has one."""
    return str(entry.payload.get("reference") or entry.subject)


@dataclass(frozen=True)
class Credibility:
    """Example 3's listed pathways and the month's repair validations, read."""

    paths: Pathways
    repairs: list[Record]


async def credibility_reads(
    session: AsyncSession, win: Window, listed: list[Record]
) -> Credibility:
    """The listed cases' pathways and the month's repair validations."""
    ids = example_ids(names.EXAMPLE_CREDIBILITY, win.after)
    paths = await pathway_reads(session, listed)
    return Credibility(paths, await entries_in(session, ids, "repair_validation", win))


def credibility_sections(
    read: Credibility, who: dict[str, str], win: Window, items: list[Record]
) -> list[Doc]:
    """``who``: names of at least ``read.paths.staff``."""
    return [
        _split(items, "service_line", "service line"),
        _split(items, "final_reviewing_role", "reviewer"),
        section(
            "Failed cases awaiting board visibility",
            text(
                "Failed-credibility cases whose repair pathway becomes active once this pack "
                "is published."
            ),
            pathway_table(read.paths, who, win.zone, "Repair pathways awaiting visibility"),
        ),
        *_repairs(read.repairs, win),
    ]
