"""The receipt after an action: what was recorded in which register, late or on time, and what
happens next (the case's open obligations now, or that it is closed)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.errors import NotFound
from api.web.case_view import PATHWAY_LOGS, CasePage, history, load_case, open_rows, staff_names
from api.web.document_view import person_ids, to_node
from api.web.entry_labels import cited_in_words
from api.web.render import local_time, render
from api.web.words import humanize, waiting_words
from domain.acknowledgment_steps import RECOVERY_REVIEW
from domain.cases import CaseState
from domain.examples import STEP_SPECS
from domain.learning_steps import STABILIZATION_REVIEW
from domain.mail_words import capital, case_words
from domain.pathway_actions import action_title
from store.db import transaction
from store.register_reads import entries, find_request
from store.registers import RegisterEntry

router = APIRouter(prefix="/app/cases", include_in_schema=False)
# A case entry's employee_id is the reporting worker's: labelled as who they are ("Employee id"
# beside a note on an action receipt told the owner nothing).
REPORTER = {"employee_id": "reporting_worker_id"}
INTERNAL = frozenset({"request_id", "computed", "reference", "step_deadline", "late", "action"})
# How long a step's receipt waits for the workflow to open what follows the submission.
SETTLE_SECONDS, SETTLE_POLL_SECONDS = 3.0, 0.05
PATHWAY_REVIEWS = frozenset({RECOVERY_REVIEW.slug, STABILIZATION_REVIEW.slug})


def moved_on(live: CaseState, step: str) -> bool:
    """Whether the workflow has opened what follows the last submission of STEP, read from the
    timeline's order (never from timestamps, which are equal within a workflow task): a stage
    after it (the next step's obligations, or a pathway's acceptance, actions and first review,
    open before their stage shows), a closed case, or, after a pathway review, the next review."""
    if live.status == "closed":
        return True
    kinds = [e.kind for e in live.timeline]
    submitted = [
        i
        for i, e in enumerate(live.timeline)
        if e.kind == "step_submitted" and e.detail.get("step") == step
    ]
    if not submitted:
        return True  # nothing of this step to wait for
    later = set(kinds[submitted[-1] + 1 :])
    return "stage" in later or (step in PATHWAY_REVIEWS and "obligation_opened" in later)


async def _settled(request: Request, page: CasePage, step: str) -> CasePage:
    """The case page once the workflow has opened what follows STEP's submission (a receipt is
    shown right after the Update returns, before the workflow's next tasks); bounded."""
    loop = asyncio.get_running_loop()
    until = loop.time() + SETTLE_SECONDS
    while page.live is not None and not moved_on(page.live, step) and loop.time() < until:
        await asyncio.sleep(SETTLE_POLL_SECONDS)
        page = await load_case(request, page.actor, page.case.case_id)
    return page


async def _step_entry(
    request: Request, page: CasePage, step: str, key: str
) -> RegisterEntry | None:
    spec = STEP_SPECS[step]
    # Receipts are case pages: each read in its own short transaction (see case_view.load_case).
    async with transaction(request.app.state.sessions) as session:
        entry = await find_request(session, spec.register, page.case.case_id, key, by_key=True)
    return entry if entry is not None and entry.actor == page.actor.employee_id else None


async def _pathway_entry(request: Request, page: CasePage, what: str) -> RegisterEntry | None:
    register = PATHWAY_LOGS.get(page.case.example, "")
    async with transaction(request.app.state.sessions) as session:
        rows = await entries(session, register, page.case.case_id)
    action = what.split(":", 1)[1] if what.startswith("action:") else None
    for entry in reversed(rows):
        if entry.actor != page.actor.employee_id:
            continue
        if action is None and entry.kind == "pathway_accepted":
            return entry
        if (
            action is not None
            and entry.kind == "action_done"
            and entry.payload.get("action") == action
        ):
            return entry
    return None


async def _accepted(request: Request, page: CasePage, tz: str) -> dict[str, Any]:
    """What accepting the pathway accepted: its type in words, the case, and the actions the
    owner may now do with their deadlines (the entry itself holds only IDs)."""
    register = PATHWAY_LOGS.get(page.case.example, "")
    async with transaction(request.app.state.sessions) as session:
        rows = await entries(session, register, page.case.case_id)
    kinds = [str(e.payload["pathway_type"]) for e in rows if e.payload.get("pathway_type")]
    if page.live is not None:
        actions = [  # the pathway's actions are the obligations keyed "action:…"
            (ob.title, ob.deadline)
            for key, ob in page.live.obligations.items()
            if key.startswith("action:") and not ob.done_at
        ]
    else:
        actions = [
            (str(item.get("title")), item.get("deadline"))
            for item in (page.case.detail or {}).get("open", [])
            if str(item.get("key", "")).startswith("action:")
        ]
    return {
        "pathway": humanize(kinds[-1]) if kinds else "the pathway",
        "case": capital(case_words(page.case.case_id, page.case.reference)),
        "actions you can now do": [
            f"{title}, due {local_time(due, tz)}" for title, due in sorted(actions, key=_due)
        ]
        or ["none open"],
    }


LATEST = datetime.max.replace(tzinfo=UTC)


def _due(action: tuple[str, Any]) -> tuple[datetime, str]:
    """An action's sort key: soonest due first (a stored deadline is ISO text), then title."""
    title, due = action
    if isinstance(due, str) and due:
        due = datetime.fromisoformat(due)
    return (due if isinstance(due, datetime) else LATEST, title)


def _title(page: CasePage, what: str) -> str:
    if page.live is not None and what in page.live.obligations:
        return page.live.obligations[what].title
    spec = STEP_SPECS.get(what)
    if spec:
        return spec.title
    return action_title(what.split(":", 1)[1]) if what.startswith("action:") else humanize(what)


@router.get("/{case_id}/receipts/{what}", response_class=HTMLResponse)
async def receipt(
    case_id: str, what: str, request: Request, actor: Authorized, key: str = ""
) -> HTMLResponse:
    """What the signed-in person's action recorded, and what the case waits for now."""
    page = await load_case(request, actor, case_id)
    if what in STEP_SPECS:
        entry = await _step_entry(request, page, what, key) if key else None
        if entry is not None:
            page = await _settled(request, page, what)
    else:
        entry = await _pathway_entry(request, page, what)
    if entry is None:
        raise NotFound("no such record of yours for this case")
    tz = request.app.state.settings.timezone
    await history(request, page, tz)
    payload: dict[str, Any] = {
        REPORTER.get(k, k): v for k, v in entry.payload.items() if k not in INTERNAL
    }
    if entry.kind == "pathway_accepted":
        payload = await _accepted(request, page, tz)
    deadline = entry.payload.get("step_deadline")
    ob = page.live.obligations.get(what) if page.live else None
    context = {
        "page": page,
        "title": _title(page, what),
        "entry": entry,
        "register": humanize(entry.register),
        "recorded_at": local_time(entry.recorded_at, tz),
        "late": bool(entry.payload.get("late")),
        "deadline": local_time(deadline or (ob.deadline if ob else None), tz),
        "recorded": to_node(
            await cited_in_words(request, page.case, payload),
            tz,
            names=page.names | await staff_names(request, person_ids(payload)),
        ),
        "rows": open_rows(page, tz),
        "waiting": waiting_words(
            page.live.stage if page.live else page.case.stage,
            page.case.example,
            page.live.computed if page.live else None,
        ),
    }
    return render(request, "receipt.html", context)
