"""The inspection evidence pack, for a date range and optionally one service line: each example's
deadline performance, breaches and pathways (``store.evidence_deadlines``), learning made visible
and closure credibility (here), over the cases and reviews of its scope
(``store.evidence_scope``); its trends and sampled chronologies are ``store.evidence_more``'s.
The pack's builders import its sections from here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from domain import names
from domain.report import Doc, bars, figures, percent, section, text
from store.evidence_deadlines import example_section, example_sections
from store.evidence_reads import classified_items, failed_closures_repaired
from store.evidence_scope import EXAMPLES, Scope

__all__ = [
    "EXAMPLES",
    "Scope",
    "closure_credibility",
    "example_section",
    "example_sections",
    "learning_visible",
]


async def learning_visible(session: AsyncSession, scope: Scope) -> Doc:
    """Feedback to the reporter, bulletins and recurrence after learning (example 2 audits)."""
    values: dict[str, TypeEngine[Any]] = {"feedback_to_reporter_status": String()}
    values["wider_relevance"] = Boolean()
    values |= {"shared_learning_status": String(), "recurrence_within_30_days": Boolean()}
    items = await classified_items(
        session, names.EXAMPLE_LEARNING, scope.win, scope.service_line, values
    )
    ok = [f for _, f in items]
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
    values: dict[str, TypeEngine[Any]] = {"confirmed": Boolean()}
    values["reopened_within_30_days"] = Boolean()
    ok = await classified_items(
        session, names.EXAMPLE_CREDIBILITY, scope.win, scope.service_line, values
    )
    confirmed = sum(1 for _, f in ok if f["confirmed"] is True)
    reopened = sum(1 for _, f in ok if f["reopened_within_30_days"])
    # Of the failed closures the range's reviews found (the bars' "failed"), those repaired and
    # closed by its end (seed: "no failed-credibility case can" close without a repair validation)
    failed = sum(1 for k, _ in ok if k == "failed")
    repaired = await failed_closures_repaired(
        session, names.EXAMPLE_CREDIBILITY, scope.win, scope.service_line
    )
    return section(
        "Closure credibility",
        figures(
            [
                ("Closures classified (exceptions apart)", len(ok)),
                ("Employee-confirmed", percent(confirmed, len(ok))),
                ("Reopened within 30 days", percent(reopened, len(ok))),
                (
                    "Failed closures repaired and closed",
                    percent(repaired, failed),
                ),
            ]
        ),
        bars(
            "Closures by credibility",
            {c: sum(1 for k, _ in ok if k == c) for c in ("credible", "doubtful", "failed")},
        ),
    )
