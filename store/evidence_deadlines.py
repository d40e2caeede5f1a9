"""Each example's section of the evidence pack: its reviews and cases, deadline performance
(reviews marked reviewed and steps completed on time), breaches and how long they stayed open,
and pathways authorized and validated. The reads are one statement for all three examples
(``store.evidence_examples``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.calendar import BusinessCalendar
from domain.examples import STEP_SPECS
from domain.report import Cell, Doc, bars, figures, hours, label, percent, section, table, text
from domain.reviews import sign_off_due
from domain.working_clock import clock_for, epoch_us
from store.evidence_examples import example_reads
from store.evidence_latest import Latest, latest_items
from store.evidence_scope import EXAMPLES, Scope

# What the example's reviews read, counted two ways: each report (closure) once, at its latest
# review in the range; and summed over the reviews, a report once in each review it is in (a
# report stays in every daily review while it is open), as the analytics pages' "Over the
# range" adds up the reviews' rows (api.web.analytics_reviews: the same words)
IN_SCOPE = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Distinct reports in the daily reviews",
    names.EXAMPLE_LEARNING: "Distinct closed reports in the audits",
    names.EXAMPLE_CREDIBILITY: "Distinct closures in the reviews",
}
SUMMED = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Reports summed over the daily reviews",
    names.EXAMPLE_LEARNING: "Closed reports summed over the audits",
    names.EXAMPLE_CREDIBILITY: "Closures summed over the reviews",
}
HOW_COUNTED = (
    "How reports are counted: distinct counts each report once, at its latest review in the "
    "range (the exceptions and the shares above are of those); summed over the reviews counts a "
    "report once in each review it is in, as Analytics adds up the reviews over a range."
)
PATHWAY = {
    names.EXAMPLE_ACKNOWLEDGMENT: ("recovery_pathway", None),
    names.EXAMPLE_LEARNING: ("stabilization_pathway", "stabilization_validation"),
    names.EXAMPLE_CREDIBILITY: ("repair_pathway", "repair_validation"),
}
DONE_KINDS = ("step_submitted", "pathway_accepted", "action_done")


def _step_title(key: str) -> str:
    """A step's title (``recovery-review`` → its StepSpec title), else its label, capitalised."""
    spec = STEP_SPECS.get(key)
    words = spec.title if spec is not None else label(key)
    return words[:1].upper() + words[1:]


def _sign_off_due(review: Any, calendar: BusinessCalendar) -> datetime:
    return sign_off_due(review.example, review.as_of, review.sign_off_due_at, calendar)


def _review_row(reviews: list[Any], calendar: BusinessCalendar, now: datetime) -> list[Cell]:
    """Reviews marked reviewed, and how many on time of those due: one still open whose deadline
    has not passed is neither on time nor late (counted beside, not in the share)."""
    marked = on_time = not_due = 0
    for r in reviews:
        due = _sign_off_due(r, calendar)
        if r.reviewed_at is not None:
            marked += 1
            on_time += r.reviewed_at <= due
        elif now <= due:
            not_due += 1
    share = percent(on_time, len(reviews) - not_due)
    if not_due:
        share += f"; {not_due} still open, not yet due"
    return ["Review marked reviewed", marked, on_time, share]


def _step_table(
    done: list[tuple[str, str | None, bool, int]], reviews: list[Any], calendar: BusinessCalendar,
    now: datetime,
) -> Doc:  # fmt: skip
    """Completed steps in the range and how many were on time, per step (in the order of each
    step's first completion)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, step, late, n in done:
        key = step or ("pathway-acceptance" if kind == "pathway_accepted" else "action:")
        row = tally["Pathway actions" if key.startswith("action:") else _step_title(key)]
        row[0] += n
        row[1] += 0 if late else n
    rows: list[list[Cell]] = [_review_row(reviews, calendar, now)]
    rows += [[step, n, ok, percent(ok, n)] for step, (n, ok) in tally.items()]
    return table(
        "Steps completed in the range", ["Step", "Completed", "On time", "Share on time"], rows
    )


def _breaches(rows: list[Any], scope: Scope, now: datetime) -> list[Doc]:
    """``_breach_docs`` of breaches read as objects (their attributes)."""
    spans = [(b.case_id, b.step, b.deadline, b.level, b.resolved_at) for b in rows]
    return _breach_docs(spans, scope, now)


def _breach_docs(
    rows: list[tuple[str, str, datetime, int, datetime | None]], scope: Scope, now: datetime
) -> list[Doc]:
    """The breaches' levels and spans, from (case_id, step, deadline, level, resolved_at) rows
    unpacked (a Core row's attributes cost about a microsecond each: hundreds of rows)."""
    levels = dict.fromkeys(("level 1", "level 2", "level 3", "level 4 and above"), 0)
    # A missed deadline's levels, one span: resolved at its levels' first resolution (one
    # update resolves them all: store.breaches), whatever order the rows come in
    spans: dict[tuple[str, str, datetime], datetime | None] = {}
    for case_id, step, deadline, level, at in rows:
        if 1 <= level <= 3:
            levels[f"level {level}"] += 1
        elif level >= 4:
            levels["level 4 and above"] += 1
        key = (case_id, step, deadline)
        if key not in spans:
            spans[key] = at
        elif at is not None:
            held = spans[key]
            spans[key] = at if held is None else min(held, at)
    # The calendar's working_hours_between on the same instants, without its local-time
    # conversions (hundreds of spans a pack: bench/RESULTS.md, "evidence pack")
    clock, now_us = clock_for(scope.win.calendar), epoch_us(now)
    open_h, working, still = [], [], 0
    for (_, _, deadline), resolved in spans.items():
        open_h.append(((resolved or now) - deadline).total_seconds() / 3600)
        until_us = epoch_us(resolved) if resolved else now_us
        working.append(clock.hours_us(epoch_us(deadline), until_us))
        still += resolved is None
    return [
        bars("Escalations by level", levels),
        figures(
            [
                ("Missed deadlines", len(spans)),
                ("Still open", still),
                ("Longest open", hours(max(open_h, default=None))),
                ("Longest open, working hours", hours(max(working, default=None))),
                (
                    "Mean open, working hours",
                    hours(sum(working) / len(working) if working else None),
                ),
            ]
        ),
    ]


async def example_section(session: AsyncSession, example: str, scope: Scope, now: datetime) -> Doc:
    """One example's deadline performance, breaches and pathways over the range."""
    return (await example_sections(session, scope, now, (example,)))[0]


async def example_sections(
    session: AsyncSession, scope: Scope, now: datetime, examples: tuple[str, ...] = tuple(EXAMPLES)
) -> list[Doc]:
    """Each example's deadline performance, breaches and pathways over the range (their reads
    one statement for all examples: ``store.evidence_examples``)."""
    kinds = tuple(sorted({k for e in examples for k in PATHWAY[e] if k}))
    found = await example_reads(session, examples, scope, DONE_KINDS, kinds)
    docs = []
    for example in examples:
        read = found[example]
        ack = example == names.EXAMPLE_ACKNOWLEDGMENT
        reviewed = [r.review_id for r in read.reviews]
        latest = await latest_items(session, reviewed, scope.service_line, ack)
        opened, validated = PATHWAY[example]
        pairs: list[tuple[str, Cell]] = [
            ("Reviews run", len(read.reviews)),
            (IN_SCOPE[example], latest.reports),
            (SUMMED[example], latest.items),
            ("Exceptions", latest.exceptions),
            ("Cases opened", read.opened),
            ("Pathways authorized", read.entries.get(opened, 0)),
        ]
        if validated:
            pairs.append(("Pathways validated", read.entries.get(validated, 0)))
        docs.append(
            section(
                EXAMPLES[example],
                figures(pairs),
                *([_acknowledged(latest)] if ack else []),
                text(HOW_COUNTED),
                _step_table(read.done, read.reviews, scope.win.calendar, now),
                *_breach_docs(read.breaches, scope, now),
                anchor=f"example-{example}",
            )
        )
    return docs


def _acknowledged(latest: Latest) -> Doc:
    """Reports (at their latest review in the range) acknowledged and triaged within threshold."""
    n = latest.classified
    return figures(
        [
            ("Acknowledged within 24 hours", percent(latest.acknowledged, n)),
            ("Triaged within 72 hours", percent(latest.triaged, n)),
            ("With a named triage owner", percent(latest.owned, n)),
        ]
    )
