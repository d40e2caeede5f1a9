"""My reports: each of the signed-in worker's reports, where it stands and what was done.

The feedback staff say they never get: acknowledgment, triage, learning shared, corrective
actions, the governance cases opened about it and their closure, and a link to answer whether
a closure feels resolved.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.deps import SessionDep
from api.web.closure_words import next_review_run, what_next
from api.web.render import render
from api.web.reporter_story import Confirmation, report_stories
from store.my_reports import MAX_REPORTS, reporter_data
from store.worker_closures import worker_closures

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/my-reports", response_class=HTMLResponse)
async def my_reports(request: Request, actor: Authorized, session: SessionDep) -> HTMLResponse:
    """The signed-in person's own near-miss reports, newest first."""
    data = await reporter_data(session, actor.employee_id)
    stories = report_stories(data)
    # The closures and answers "my work" lists too (one reading): each under its report.
    tz = request.app.state.settings.timezone
    next_review = next_review_run(request.app.state.settings.calendar_config(), datetime.now(UTC))
    by_report: dict[str, list[Confirmation]] = {}
    for closure in await worker_closures(session, actor.employee_id, tz):
        by_report.setdefault(closure.asked.reference, []).append(
            Confirmation(
                case_ref=closure.asked.case_ref,
                answered=None if closure.waiting else closure.answer,
                earlier=closure.answer if closure.waiting else None,
                asked_at=closure.asked.closed_at,
                why=closure.asked.why,
                next_step=what_next(closure, tz, next_review),
            )
        )
    for story in stories:
        story.confirmations = by_report.get(story.reference, [])
    awaiting = sum(1 for s in stories for c in s.confirmations if c.answered is None)
    context = {
        "actor": actor,
        "stories": stories,
        "awaiting": awaiting,
        "capped": len(stories) >= MAX_REPORTS,
        "max_reports": MAX_REPORTS,
    }
    return render(request, "my_reports.html", context)
