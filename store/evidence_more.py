"""The evidence pack's trends (confidence, reporting rate, leavers exposed against not) and its
sample of complete case chronologies, chosen reproducibly."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.examples import STEP_SPECS
from domain.pathway_actions import action_title
from domain.report import Cell, Doc, chart, label, local_minute, section, table, text
from domain.titles import humanize, kind_of, pack_name
from store.evidence_scope import EXAMPLES, Scope, opened_by_example
from store.evidence_trends import leaver_totals, month_figures
from store.pack_common import names_of
from store.tables import CaseEvent, DocumentOpening, RegisterEntry

SAMPLE_PER_EXAMPLE = 2
SHOWN = {"step_submitted", "pathway_accepted", "action_done", "escalated", "closed", "stage"}
SHOWN |= {"made_visible", "reconfirmation_requested"}
# A stage that is a step (or the owner's acceptance) to do: "triage-failure attribution opened".
OPENED_STAGES = {*STEP_SPECS, "pathway-acceptance"}


async def trends(session: AsyncSession, scope: Scope, start: date, end: date) -> Doc:
    """Per month: reports and mean speaking-up score; leavers exposed against not."""
    zone, line = scope.win.zone, scope.service_line
    months, reports, mean = await month_figures(session, start, end, zone, line)
    totals = await leaver_totals(session, start, end, zone, line)
    rows: list[list[Cell]] = []
    for r in totals:
        rows.append(
            [
                r["service_line"],
                f"{r['exposed_leavers']} of {r['exposed_workers']}",
                f"{r['not_exposed_leavers']} of {r['not_exposed_workers']}",
            ]
        )
    return section(
        "Speaking-up confidence, reporting and retention",
        chart(
            "Reports submitted per month", months, {"reports": [float(reports[m]) for m in months]}
        ),
        chart(
            "Mean speaking-up confidence score (1 to 5) per month",
            months,
            {"mean score": [float(mean[m]) for m in months]},
            "score",
        ),
        table(
            "Leavers over the range: exposed to weak response against not exposed",
            ["Service line", "Exposed: left of workers", "Not exposed: left of workers"],
            rows,
        ),
        anchor="trends",
    )


def sample_key(case_id: str, start: date, end: date) -> str:
    """The reproducible sampling key: SHA-256 of ``FROM/TO/CASE_ID``."""
    return hashlib.sha256(f"{start}/{end}/{case_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Records:
    """What the sampled cases' chronologies show, read for all of them at once: each case's
    events (by instant), register entries about it (by register and sequence) and document
    openings (by instant), and staff names of the events' actors."""

    events: dict[str, list[Any]]
    entries: dict[str, dict[tuple[str, int], Any]]
    opened: dict[str, list[Any]]
    who: dict[str, str]


async def case_records(session: AsyncSession, case_ids: list[str]) -> Records:
    """``Records`` of the cases (four statements whatever their number)."""
    connection = await session.connection()  # Core rows: no ORM result processing per row
    e, r, o = CaseEvent, RegisterEntry, DocumentOpening
    events: dict[str, list[Any]] = {c: [] for c in case_ids}
    found = select(e.case_id, e.at, e.kind, e.actor, e.detail).where(e.case_id.in_(case_ids))
    for row in await connection.execute(found.order_by(e.case_id, e.at, e.id)):
        events[row.case_id].append(row)
    entries: dict[str, dict[tuple[str, int], Any]] = {c: {} for c in case_ids}
    found = select(r.subject, r.register, r.seq, r.payload).where(r.subject.in_(case_ids))
    for row in await connection.execute(found):
        entries[row.subject][(row.register, row.seq)] = row
    opened: dict[str, list[Any]] = {c: [] for c in case_ids}
    found = select(o.case_id, o.document, o.opened_at).where(o.case_id.in_(case_ids))
    for row in await connection.execute(found.order_by(o.case_id, o.opened_at)):
        opened[row.case_id].append(row)
    actors = {row.actor for rows in events.values() for row in rows}
    return Records(events, entries, opened, await names_of(session, actors))


def _words(code: str) -> str:
    """A step's or stage's label (``triage-attribution`` → "triage-failure attribution"), or
    its code in words when it has none (``active-recovery`` → "active recovery")."""
    words = label(code)
    if words != code:
        return words
    titled = humanize(code)
    return titled[:1].lower() + titled[1:]


def chronology(records: Records, case_id: str, zone: str) -> list[list[Cell]]:
    """Every step of a case: when, what, who, on what evidence, late or on time — in the words
    the staff pages use (register and document titles, a pack's period in words), not codes."""
    entries, opened, who = records.entries[case_id], records.opened[case_id], records.who
    rows: list[list[Cell]] = []
    for e in records.events[case_id]:
        if e.kind not in SHOWN:
            continue
        d = e.detail
        what = _words(d.get("step") or d.get("stage") or d.get("action") or e.kind)
        if e.kind == "action_done":  # as the case page says it
            title = action_title(str(d.get("action")))
            what = f"{title[:1].lower()}{title[1:]} done"
        elif e.kind == "escalated":
            what = f"escalated to level {d.get('level')}: {label(d.get('obligation'))}"
        elif e.kind == "made_visible":  # the pack's publication (store.packs.publish)
            period = str(d.get("period") or "")
            pack = pack_name(str(d.get("title")), kind_of(period), period) if period else ""
            what = f"made visible: {pack or d.get('title')} published"
        elif e.kind == "reconfirmation_requested":
            what = "worker asked again to confirm the closure"
        elif e.kind == "step_submitted":  # done by the person beside it
            what = f"{what} recorded"
        elif e.kind == "stage":  # the case moved on; nobody did the step yet
            what = f"{what} opened" if d.get("stage") in OPENED_STAGES else f"now {what}"
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
            evidence = (  # in the pages' words: the register's and documents' titles
                f"{humanize(entry.register)}, entry {entry.seq}"
                + (f"; cited: {', '.join(humanize(c) for c in cited)}" if cited else "")
                + (f"; opened: {', '.join(humanize(o) for o in seen)}" if seen else "")
            )
        timing = "late" if d.get("late") else "on time" if "late" in d else ""
        by = who.get(e.actor, e.actor) if e.actor != "system" else "the service"
        rows.append([local_minute(e.at, zone), what, by, evidence, timing])
    return rows


async def chronologies(session: AsyncSession, scope: Scope, start: date, end: date) -> Doc:
    blocks = [
        text(
            f"For each review, the {SAMPLE_PER_EXAMPLE} cases opened in the range with the "
            "smallest SHA-256 of FROM/TO/CASE_ID: the same range always gives the same sample."
        )
    ]
    sampled = []
    opened = await opened_by_example(session, tuple(EXAMPLES), scope)
    for example, title in EXAMPLES.items():
        ranked = sorted(opened[example], key=lambda c: sample_key(c.case_id, start, end))
        sampled += [(title, case) for case in ranked[:SAMPLE_PER_EXAMPLE]]
    records = await case_records(session, [case.case_id for _, case in sampled])
    for title, case in sampled:
        rows = chronology(records, case.case_id, scope.win.zone)
        blocks.append(
            table(
                f"{case.reference} ({title.split(' — ')[0]}, {case.service_line})",
                ["When", "What", "Who", "Evidence", "Timing"],
                rows,
                "No step recorded yet.",
            )
        )
    return section("Sample of complete case chronologies", *blocks, anchor="chronologies")
