"""A case as its pages show it: who may see it, its open obligations and history in words.

Who may see a case page is declared in ``api.policy`` (governance roles, and the named owner of
the case's pathway: their own pathway only); the reporting worker has their own view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request

from api.authz import case_relationships, may_see
from api.case_actions import get_case
from api.clock import app_now
from api.deps import Actor, get_temporal
from api.errors import ApiError, Forbidden, NotFound
from api.policy import Relationship
from api.routers.cases import LIVE_QUERY_TIMEOUT
from api.temporal_calls import query
from api.web.event_words import event_words, people_in
from api.web.render import local_time
from api.web.session import SignInRequired, page_actor
from api.web.step_form import posted_values
from api.web.words import (
    escalation_class,
    escalation_words,
    role_label,
)
from domain import names
from domain.cases import CaseState, Obligation
from domain.examples import STEP_SPECS
from domain.roles import GOVERNANCE_ROLES
from store.cases import case_events
from store.db import transaction
from store.staff import staff_names as directory_names
from store.tables import Case

# The register each example's pathway acceptance and actions are logged in.
PATHWAY_LOGS = {s.example: s.register for s in STEP_SPECS.values() if s.slug.endswith("-pathway")}


@dataclass
class Row:
    """One open obligation, display-ready."""

    title: str
    who: str
    due: str
    state: str
    css: str
    href: str


class WorkerOwnCase(Exception):  # noqa: N818 - a redirect, not a failure
    """The reporting worker asked for their own case: they have their own view (My reports)."""


@dataclass
class CasePage:
    """What a case page (and every page about the case) is rendered from."""

    case: Case
    live: CaseState | None
    unavailable: str | None
    actor: Actor
    now: datetime
    names: dict[str, str] = field(default_factory=dict)
    opened_event_at: datetime | None = None  # when its history says "Case opened" (``history``)

    @property
    def opened(self) -> list[str]:
        """The documents the signed-in person has opened for this case (as the workflow knows)."""
        if self.live is None:
            return []
        return list(self.live.opened_documents.get(self.actor.employee_id, []))

    @property
    def opened_by_anyone(self) -> list[str]:
        """Every document opened for this case by anyone (what a step may cite)."""
        if self.live is None:
            return []
        return list(dict.fromkeys(d for docs in self.live.opened_documents.values() for d in docs))

    @property
    def is_owner(self) -> bool:
        return self.live is not None and self.live.pathway_owner == self.actor.employee_id


def stored_case_notice(case: Case, exc: Exception) -> str | None:
    """What the page says when the case's live state cannot be read, in a person's words (the
    workflow's ID and Temporal's message stay in the API's ``live_unavailable``): nothing is
    missing for a closed case whose workflow is gone by design; a live case without one, or
    Temporal down or slow, each says so."""
    if isinstance(exc, NotFound):  # no workflow by that ID
        if case.status == "closed":
            return "This case is closed; its stored record is shown."
        return "This case has no running workflow; its stored record is shown."
    return (
        "Its live state cannot be read just now (the workflow service is not answering); "
        "the stored case is shown and may be a few moments behind."
    )


def action_href(case_id: str, key: str) -> str:
    """The page where obligation ``key`` is done ("" when it is not done on a case page)."""
    if key in STEP_SPECS:
        return f"/app/cases/{case_id}/steps/{key}"
    if key == "pathway-acceptance":
        return f"/app/cases/{case_id}/pathway/accept"
    if key.startswith("action:"):
        return f"/app/cases/{case_id}/pathway/actions/{key.split(':', 1)[1]}"
    return ""


async def load_case(
    request: Request, actor: Actor, case_id: str, *, worker_view: bool = False
) -> CasePage:
    """The case and its live state; 404 when unknown, 403 unless the actor may see it
    (``worker_view``: ``WorkerOwnCase`` for the case's reporting worker instead)."""
    # Case pages read in short transactions of their own, not SessionDep: a post reloads the
    # page after its Temporal update, and a request-long SQLite read would predate that update.
    async with transaction(request.app.state.sessions) as session:
        case = await get_case(session, case_id)
    live, unavailable = None, None
    try:  # the stored case still shows while Temporal or the worker is down
        temporal = await get_temporal(request)
        live = await query(
            temporal,
            case_id,
            names.QUERY_STATE,
            result_type=CaseState,
            rpc_timeout=LIVE_QUERY_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001 - shown in words, not raised
        unavailable = stored_case_notice(case, exc)
    page = CasePage(case, live, unavailable, actor, await app_now(request.app))
    if not may_see(actor, case):  # the route's rule (api.policy) has admitted them already
        raise NotFound(f"no case {case_id!r} that you may see")  # nor say whether it exists
    ties = case_relationships(actor, case)
    if not actor.roles & GOVERNANCE_ROLES and Relationship.NAMED_OWNER not in ties:
        if worker_view and Relationship.REPORTING_WORKER in ties:
            raise WorkerOwnCase(case.reference)
        raise Forbidden("only governance roles and the pathway's named owner see this page")
    return page


async def staff_names(request: Request, ids: set[str]) -> dict[str, str]:
    """Employee ID → "Display Name (ID)" for the IDs the staff directory knows."""
    async with transaction(request.app.state.sessions) as session:
        return await directory_names(session, ids)


def who_owes(ob: Obligation, names_: dict[str, str]) -> str:
    """The role or the named person an obligation is assigned to."""
    if ob.assignee:
        return names_.get(ob.assignee, ob.assignee)
    return f"the {role_label(ob.role)}"


def open_rows(page: CasePage, tz: str) -> list[Row]:
    """The case's open obligations, soonest due first."""
    if page.live is None:
        return []
    pending = sorted(
        (ob for ob in page.live.obligations.values() if ob.done_at is None),
        key=lambda ob: ob.deadline,
    )
    return [
        Row(
            title=ob.title,
            who=who_owes(ob, page.names),
            due=local_time(ob.deadline, tz),
            state=escalation_words(
                ob.level, ob.deadline, page.now, example=page.case.example, role=ob.role
            ),
            css=escalation_class(ob.level, ob.deadline, page.now),
            href=action_href(page.case.case_id, ob.key),
        )
        for ob in pending
    ]


async def history(request: Request, page: CasePage, tz: str) -> list[tuple[str, str]]:
    """The timeline as (local time, sentence), oldest first; fills ``page.names``. Publishing
    a pack records a ``made_visible`` event on each case it lists (store/packs.py)."""
    async with transaction(request.app.state.sessions) as session:
        events = await case_events(session, page.case.case_id)
    ids = people_in(events)
    if page.live is not None:
        ids |= {ob.assignee or "" for ob in page.live.obligations.values()}
    page.names.update(await staff_names(request, ids))
    page.opened_event_at = next(
        (e.at for e in events if e.kind == "stage" and e.detail.get("stage") == "opened"), None
    )
    return [(local_time(e.at, tz), event_words(e, page.names, page.live, tz)) for e in events]


async def refused_post(request: Request) -> tuple[Actor, CasePage, dict[str, list[str]]] | None:
    """Who posted a refused form, their case page and what they posted, to show the form again;
    None when that page cannot be shown (no session, or a case they may not see)."""
    try:
        actor = await page_actor(request)
        page = await load_case(request, actor, str(request.path_params["case_id"]))
        return actor, page, posted_values(await request.form())
    except (ApiError, SignInRequired):
        return None
