"""The inspection evidence pack, for a date range and optionally one service line: each example's
deadline performance, breaches, pathways, learning made visible and closure credibility (the
review and register data behind them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.calendar import BusinessCalendar
from domain.examples import STEP_SPECS
from domain.report import Cell, Doc, bars, figures, hours, label, percent, section, table, text
from domain.reviews import sign_off_due
from store.pack_common import Window, events_in, items_of
from store.tables import Breach, Case, RegisterEntry, Review, ReviewItem

EXAMPLES = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Example 1 — daily acknowledgment and triage reliability",
    names.EXAMPLE_LEARNING: "Example 2 — fortnightly learning visibility and recurrence",
    names.EXAMPLE_CREDIBILITY: "Example 3 — monthly closure credibility",
}
IN_SCOPE = {  # what the example's reviews read, named as its pack names it
    names.EXAMPLE_ACKNOWLEDGMENT: "Reports reviewed",
    names.EXAMPLE_LEARNING: "Closed reports audited",
    names.EXAMPLE_CREDIBILITY: "Closures reviewed",
}
PATHWAY = {
    names.EXAMPLE_ACKNOWLEDGMENT: ("recovery_pathway", None),
    names.EXAMPLE_LEARNING: ("stabilization_pathway", "stabilization_validation"),
    names.EXAMPLE_CREDIBILITY: ("repair_pathway", "repair_validation"),
}
DONE_KINDS = ("step_submitted", "pathway_accepted", "action_done")


@dataclass(frozen=True)
class Scope:
    """The evidence pack's range (a window of local days) and optional service line."""

    win: Window
    service_line: str | None

    def line_ok(self, value: Any) -> bool:
        return self.service_line is None or value == self.service_line


async def scoped_reviews(
    session: AsyncSession, example: str, scope: Scope
) -> tuple[list[Review], list[ReviewItem]]:
    """The example's reviews run (as_of) in the range, and their items of the service line."""
    found = list(
        await session.scalars(
            select(Review)
            .where(
                Review.example == example,
                Review.as_of >= scope.win.first,
                Review.as_of < scope.win.after,
            )
            .order_by(Review.period)
        )
    )
    items = [
        i for _, i in await items_of(session, found) if scope.line_ok(i.fields.get("service_line"))
    ]
    return found, items


def scoped_ids(example: str, scope: Scope) -> Select[Any]:
    """The IDs of the example's cases opened before the range ended (of the service line), as
    a subquery: years of cases are never loaded nor sent back as a list."""
    query = select(Case.case_id).where(Case.example == example, Case.opened_at < scope.win.after)
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    return query


async def scoped_opened(session: AsyncSession, example: str, scope: Scope) -> list[Any]:
    """(case_id, service_line) of the example's cases opened in the range (of the line)."""
    query = select(Case.case_id, Case.service_line).where(
        Case.example == example,
        Case.opened_at >= scope.win.first,
        Case.opened_at < scope.win.after,
    )
    if scope.service_line is not None:
        query = query.where(Case.service_line == scope.service_line)
    return list((await session.execute(query.order_by(Case.case_id))).all())


async def _count(session: AsyncSession, ids: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def _step_title(key: str) -> str:
    """A step's title (``recovery-review`` → its StepSpec title), else its label, capitalised."""
    spec = STEP_SPECS.get(key)
    words = spec.title if spec is not None else label(key)
    return words[:1].upper() + words[1:]


def _sign_off_due(review: Review, calendar: BusinessCalendar) -> datetime:
    return sign_off_due(review.example, review.as_of, review.sign_off_due_at, calendar)


def _review_row(reviews: list[Review], calendar: BusinessCalendar, now: datetime) -> list[Cell]:
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
    events: list[Any], reviews: list[Review], calendar: BusinessCalendar, now: datetime
) -> Doc:
    """Completed steps in the range and how many were on time, per step."""
    done: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in events:
        key = e.detail.get("step") or (
            "pathway-acceptance" if e.kind == "pathway_accepted" else "action:"
        )
        tally = done["Pathway actions" if key.startswith("action:") else _step_title(key)]
        tally[0] += 1
        tally[1] += not e.detail.get("late")
    rows: list[list[Cell]] = [_review_row(reviews, calendar, now)]
    rows += [[step, n, ok, percent(ok, n)] for step, (n, ok) in done.items()]
    return table(
        "Steps completed in the range", ["Step", "Completed", "On time", "Share on time"], rows
    )


def _breaches(rows: list[Breach], scope: Scope, now: datetime) -> list[Doc]:
    levels = {f"level {n}": sum(1 for b in rows if b.level == n) for n in (1, 2, 3)}
    levels["level 4 and above"] = sum(1 for b in rows if b.level >= 4)
    spans: dict[tuple[str, str, datetime], Breach] = {}
    for b in rows:
        spans.setdefault((b.case_id, b.step, b.deadline), b)
    open_h = [((b.resolved_at or now) - b.deadline).total_seconds() / 3600 for b in spans.values()]
    working = [
        scope.win.calendar.working_hours_between(b.deadline, b.resolved_at or now)
        for b in spans.values()
    ]
    still = sum(1 for b in spans.values() if b.resolved_at is None)
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
    found, items = await scoped_reviews(session, example, scope)
    ids = scoped_ids(example, scope)
    events = await events_in(session, ids, DONE_KINDS, scope.win)
    breaches = list(
        await session.scalars(
            select(Breach).where(
                Breach.case_id.in_(ids),
                Breach.escalated_at >= scope.win.first,
                Breach.escalated_at < scope.win.after,
            )
        )
    )
    opened, validated = PATHWAY[example]
    entries = await _entries(session, ids, scope, (opened, validated or ""))
    latest = {i.reference: i for i in items}  # a report is in every daily review it is open at
    pairs: list[tuple[str, Cell]] = [
        ("Reviews run", len(found)),
        (IN_SCOPE[example], len(latest)),
        ("Exceptions", sum(1 for i in latest.values() if i.classification is None)),
        ("Cases opened", len(await scoped_opened(session, example, scope))),
        ("Pathways authorized", sum(1 for e in entries if e.kind == opened)),
    ]
    if validated:
        pairs.append(("Pathways validated", sum(1 for e in entries if e.kind == validated)))
    return section(
        EXAMPLES[example],
        figures(pairs),
        *([_acknowledged(items)] if example == names.EXAMPLE_ACKNOWLEDGMENT else []),
        _step_table(events, found, scope.win.calendar, now),
        *_breaches(breaches, scope, now),
        anchor=f"example-{example}",
    )


def _acknowledged(items: list[ReviewItem]) -> Doc:
    """Reports (at their latest review in the range) acknowledged and triaged within threshold."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.classification is not None:
            latest[item.reference] = item.fields
    n = len(latest)
    ack = sum(1 for f in latest.values() if int(f.get("ack_elapsed_min") or 0) <= 1440)
    tri = sum(1 for f in latest.values() if int(f.get("triage_elapsed_min") or 0) <= 4320)
    owner = sum(1 for f in latest.values() if f.get("triage_owner_id"))
    return figures(
        [
            ("Acknowledged within 24 hours", percent(ack, n)),
            ("Triaged within 72 hours", percent(tri, n)),
            ("With a named triage owner", percent(owner, n)),
        ]
    )


async def _entries(
    session: AsyncSession, ids: Select[Any], scope: Scope, kinds: tuple[str, ...]
) -> list[RegisterEntry]:
    rows = await session.scalars(
        select(RegisterEntry).where(
            RegisterEntry.subject.in_(ids),
            RegisterEntry.kind.in_(kinds),
            RegisterEntry.recorded_at >= scope.win.first,
            RegisterEntry.recorded_at < scope.win.after,
        )
    )
    return list(rows)


async def learning_visible(session: AsyncSession, scope: Scope) -> Doc:
    """Feedback to the reporter, bulletins and recurrence after learning (example 2 audits)."""
    _, items = await scoped_reviews(session, names.EXAMPLE_LEARNING, scope)
    ok = [i.fields for i in items if i.classification is not None]
    feedback = sum(1 for f in ok if f.get("feedback_to_reporter_status") == "given")
    wider = [f for f in ok if f.get("wider_relevance")]
    issued = sum(1 for f in wider if f.get("shared_learning_status") == "issued")
    learned = [f for f in ok if f.get("feedback_to_reporter_status") == "given"]
    recurred = sum(1 for f in learned if f.get("recurrence_within_30_days"))
    return section(
        "Learning made visible",
        text(
            "PSIRF: learning responses and their outcomes; CQC learning culture: staff see "
            "what changed after they report."
        ),
        figures(
            [
                ("Closed reports classified (exceptions apart)", len(ok)),
                ("Feedback to the reporter", percent(feedback, len(ok))),
                ("Bulletins issued where learning was wider", percent(issued, len(wider))),
                ("Recurrence within 30 days after feedback", percent(recurred, len(learned))),
            ]
        ),
    )


async def closure_credibility(session: AsyncSession, scope: Scope) -> Doc:
    """Employee-confirmed, reopened and failed closures repaired (example 3)."""
    _, items = await scoped_reviews(session, names.EXAMPLE_CREDIBILITY, scope)
    ok = [i for i in items if i.classification is not None]
    confirmed = sum(1 for i in ok if i.fields.get("confirmed") is True)
    reopened = sum(1 for i in ok if i.fields.get("reopened_within_30_days"))
    failed = scoped_ids(names.EXAMPLE_CREDIBILITY, scope).where(Case.exposure == "failed")
    closes = await _entries(session, failed, scope, ("repair_validation",))
    repaired = {e.subject for e in closes if e.payload.get("decision") == "close"}
    return section(
        "Closure credibility",
        figures(
            [
                ("Closures classified (exceptions apart)", len(ok)),
                ("Employee-confirmed", percent(confirmed, len(ok))),
                ("Reopened within 30 days", percent(reopened, len(ok))),
                (
                    "Failed closures repaired and closed",
                    percent(len(repaired), await _count(session, failed)),
                ),
            ]
        ),
        bars(
            "Closures by credibility",
            {
                c: sum(1 for i in ok if i.classification == c)
                for c in ("credible", "doubtful", "failed")
            },
        ),
    )
