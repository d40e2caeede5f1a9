"""The evidence pack's reads as they were computed before they were set-based (every item and
entry loaded as an ORM object, its JSON decoded, counted in Python): the oracle the SQL reads are
compared with on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.analytics import local_date
from domain.calendar import BusinessCalendar
from domain.names import EXAMPLE_ACKNOWLEDGMENT, EXAMPLE_CREDIBILITY
from domain.report import Cell, Doc, bars, chart, figures, percent, section, table, text
from store.analytics_leavers import leaver_trends
from store.analytics_workforce import confidence_trends, reporting_trends
from store.evidence_deadlines import (
    DONE_KINDS,
    HOW_COUNTED,
    IN_SCOPE,
    PATHWAY,
    SUMMED,
    _breaches,
    _review_row,
    _step_title,
)
from store.evidence_scope import EXAMPLES, Scope, scoped_ids, scoped_opened
from store.pack_common import events_in, items_of
from store.tables import Breach, RegisterEntry, Review, ReviewItem


async def first_exposures(session: AsyncSession, end: date, zone: str) -> dict[str, date]:
    """store.analytics_leavers.first_exposures from every item's decoded ``fields``."""
    employee = ReviewItem.fields["employee_id"].as_string()
    acknowledged = await session.execute(
        select(employee, func.min(Review.period))
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_ACKNOWLEDGMENT,
            ReviewItem.classification.in_(("emerging", "critical")),
            Review.period <= end.isoformat(),
        )
        .group_by(employee)
    )
    first = {eid: date.fromisoformat(day) for eid, day in acknowledged if eid}
    closures = await session.scalars(
        select(ReviewItem.fields)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_CREDIBILITY,
            ReviewItem.classification.in_(("doubtful", "failed")),
        )
    )
    for fields in closures:
        eid, day = fields.get("employee_id"), local_date(fields.get("closed_at"), zone)
        if eid and day is not None and day <= end and (eid not in first or day < first[eid]):
            first[eid] = day
    return first


# store.evidence's sections as they were (the oracle of the set-based store.evidence_reads).


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


async def _review_ids(session: AsyncSession, example: str, scope: Scope) -> list[str]:
    """Every review of the example, whose breaches a pack of every service line counts beside
    its cases' (added to the oracle with the SQL, 7 December: before, neither counted them)."""
    if scope.service_line is not None:
        return []
    return list(await session.scalars(select(Review.review_id).where(Review.example == example)))


async def example_section(session: AsyncSession, example: str, scope: Scope, now: datetime) -> Doc:
    """One example's deadline performance, breaches and pathways over the range."""
    found, items = await scoped_reviews(session, example, scope)
    ids = scoped_ids(example, scope)
    events = await events_in(session, ids, DONE_KINDS, scope.win)
    breaches = list(
        await session.scalars(
            select(Breach).where(
                or_(
                    Breach.case_id.in_(ids),
                    Breach.case_id.in_(await _review_ids(session, example, scope)),
                ),
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
        (SUMMED[example], len(items)),  # every item: a report once in each review it is in
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
        text(HOW_COUNTED),
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
    # the failed closures the range's reviews found, and those whose case a repair validation
    # closed before the range ended
    failed = [i for i in ok if i.classification == "failed"]
    closes = await session.scalars(
        select(RegisterEntry).where(
            RegisterEntry.kind == "repair_validation",
            RegisterEntry.recorded_at < scope.win.after,
        )
    )
    closed = {e.subject for e in closes if e.payload.get("decision") == "close"}
    repaired = [i for i in failed if i.case_id in closed]
    return section(
        "Closure credibility",
        figures(
            [
                ("Closures classified (exceptions apart)", len(ok)),
                ("Employee-confirmed", percent(confirmed, len(ok))),
                ("Reopened within 30 days", percent(reopened, len(ok))),
                (
                    "Failed closures repaired and closed",
                    percent(len(repaired), len(failed)),
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


# store.evidence_more.trends as it was (the analytics rows of every month and line, filtered).
def _line(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    return [r for r in rows if scope.service_line in (None, r.get("service_line"))]


async def trends(session: AsyncSession, scope: Scope, start: date, end: date) -> Doc:
    """Per month: mean speaking-up score, reports, and leavers exposed against not."""
    zone = scope.win.zone
    confidence = _line(
        await confidence_trends(session, "service_line", start, end, "month", zone), scope
    )
    reporting = _line(
        await reporting_trends(session, "service_line", start, end, "month", zone), scope
    )
    leavers, totals = await leaver_trends(session, "service_line", start, end, "month", zone)
    months = sorted({r["period"] for r in reporting} | {r["period"] for r in confidence})
    reports = {m: sum(r["reports"] for r in reporting if r["period"] == m) for m in months}
    answers = {m: [r for r in confidence if r["period"] == m and r["responses"]] for m in months}
    mean = {
        m: round(
            sum(r["mean_score"] * r["responses"] for r in rs) / sum(r["responses"] for r in rs), 2
        )
        if rs
        else 0.0
        for m, rs in answers.items()
    }
    rows: list[list[Cell]] = []
    for r in _line(totals, scope):
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
