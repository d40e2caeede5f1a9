"""My reports: each of the signed-in worker's reports, where it stands and what was done.

The feedback staff say they never get: acknowledgment, triage, learning shared, corrective
actions, the governance cases opened about it and their closure, and a link to answer whether
a closure feels resolved.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.deps import SessionDep
from api.web.render import render
from api.web.reporter_story import report_stories
from store.asked_confirmations import confirmations_asked
from store.my_reports import MAX_REPORTS, reporter_data

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/my-reports", response_class=HTMLResponse)
async def my_reports(request: Request, actor: Authorized, session: SessionDep) -> HTMLResponse:
    """The signed-in person's own near-miss reports, newest first."""
    data = await reporter_data(session, actor.employee_id)
    stories = report_stories(data)
    # Asked again during a closure repair: an earlier answer does not settle it (as My work).
    waiting = {a.case_ref for a in await confirmations_asked(session, actor.employee_id)}
    for story in stories:
        for confirmation in story.confirmations:
            if confirmation.case_ref in waiting:
                confirmation.answered = None
    awaiting = sum(1 for s in stories for c in s.confirmations if c.answered is None)
    context = {
        "actor": actor,
        "stories": stories,
        "awaiting": awaiting,
        "capped": len(stories) >= MAX_REPORTS,
        "max_reports": MAX_REPORTS,
    }
    return render(request, "my_reports.html", context)
