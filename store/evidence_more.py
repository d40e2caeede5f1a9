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
from domain.stage_words import stage_sentence
from domain.titles import humanize, kind_of, lower_first, pack_name
from store.evidence_scope import EXAMPLES, Scope, sample_candidates
from store.evidence_trends import leaver_totals, month_figures
from store.pack_common import names_of
from store.tables import CaseEvent, DocumentOpening, RegisterEntry

SAMPLE_PER_EXAMPLE = 2
SHOWN = {"step_submitted", "pathway_accepted", "action_done", "escalated", "closed", "stage"}
SHOWN |= {"made_visible", "reconfirmation_requested"}


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


def _step(code: str) -> str:
    """A step's title as the case page gives it (``triage-attribution`` → "Triage-failure
    attribution"), else its label or code in words, capitalised."""
    spec = STEP_SPECS.get(code)
    words = spec.title if spec is not None else label(code)
    words = humanize(code) if words == code else words
    return words[:1].upper() + words[1:]


def _what(kind: str, d: dict[str, Any]) -> str:
    """The event in the case page's words (``api.web.event_words``; a stage change by
    ``domain.stage_words``, shared with it), less who, when and the register: the pack's other
    columns say those."""
    if kind == "stage":  # the case moved on: "Case opened.", "Now at the step …"
        return stage_sentence(str(d.get("stage") or ""))
    if kind == "step_submitted":  # done by the person beside it
        return f"{_step(str(d.get('step')))} recorded."
    if kind == "pathway_accepted":
        return "Pathway accepted."
    if kind == "action_done":
        return f"{action_title(str(d.get('action')))} done."
    if kind == "escalated":
        return f"{_step(str(d.get('obligation')))}: escalated to level {d.get('level')}."
    if kind == "made_visible":  # the pack's publication (store.packs.publish), by the person
        period = str(d.get("period") or "")
        pack = pack_name(str(d.get("title")), kind_of(period), period) if period else ""
        return f"Made visible in the {lower_first(pack or str(d.get('title')))}."
    if kind == "closed":
        return f"Case closed ({humanize(str(d.get('category'))).lower()})."
    return "Worker asked again to confirm the closure."  # reconfirmation_requested


def chronology(records: Records, case_id: str, zone: str) -> list[list[Cell]]:
    """Every step of a case: when, what, who, on what evidence, late or on time — in the words
    the case page uses (register and document titles, a pack's period in words), not codes."""
    entries, opened, who = records.entries[case_id], records.opened[case_id], records.who
    rows: list[list[Cell]] = []
    for e in records.events[case_id]:
        if e.kind not in SHOWN:
            continue
        d = e.detail
        what = _what(e.kind, d)
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
    """For each review, ``SAMPLE_PER_EXAMPLE`` cases closed in the range (complete: opened to
    closed), by the smallest sampling key; when fewer closed, cases opened in the range and
    still open fill the sample, titled as such (their chronology so far)."""
    blocks = [
        text(
            f"For each review, the {SAMPLE_PER_EXAMPLE} cases closed in the range with the "
            "smallest SHA-256 of FROM/TO/CASE_ID: the same range always gives the same sample. "
            "Where a review has fewer cases closed in the range, cases opened in the range and "
            "not closed in it fill the sample, by the same key, and their titles say they are "
            "not complete."
        )
    ]
    sampled = []
    found = await sample_candidates(session, tuple(EXAMPLES), scope)
    for example, title in EXAMPLES.items():
        closed, still = found[example]
        key = lambda c: sample_key(c.case_id, start, end)  # noqa: E731
        picked = sorted(closed, key=key)[:SAMPLE_PER_EXAMPLE]
        filled = sorted(still, key=key)[: SAMPLE_PER_EXAMPLE - len(picked)]
        sampled += [(title, case, True) for case in picked]
        sampled += [(title, case, False) for case in filled]
    records = await case_records(session, [case.case_id for _, case, _ in sampled])
    for title, case, complete in sampled:
        rows = chronology(records, case.case_id, scope.win.zone)
        state = "" if complete else "; not closed in the range: its chronology so far"
        blocks.append(
            table(
                f"{case.reference} ({title.split(' — ')[0]}, {case.service_line}{state})",
                ["When", "What", "Who", "Evidence", "Timing"],
                rows,
                "No step recorded yet.",
            )
        )
    return section("Sample of complete case chronologies", *blocks, anchor="chronologies")
