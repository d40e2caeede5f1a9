"""Example 1 over HTTP: seeding, reviewing, waiting for stages, step fields (API tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from temporalio.service import RPCError, RPCStatusCode

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from domain.reviews import review_id
from store.tables import RegisterEntry
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.workflow_support import (
    latest_started_day,
    local_as_of,
    next_working_day,
    skip_to_as_of,
    wait_for,
)

TRIAGE_DOCS = [
    "daily-review",
    "report-chronology",
    "triage-note-history",
    "risk-classification-source",
]
CRITICAL, EMERGING, FINE = "NM-CRIT-1", "NM-EMRG-1", "NM-FINE-1"


async def seed(sessions: Any, day: date) -> None:
    """Staff, and one critical, one emerging and one within-tolerance report for DAY's review."""
    as_of = local_as_of(day)
    await load(sessions, "staff-directory", staff_rows())
    await load_reports(
        sessions,
        [
            report_rows(CRITICAL, submitted_at=as_of - timedelta(days=3), ack_minutes=None),
            report_rows(EMERGING, submitted_at=as_of - timedelta(hours=36), ack_minutes=None),
            report_rows(
                FINE, submitted_at=as_of - timedelta(days=2), ack_minutes=30, status="triaged"
            ),
        ],
    )


async def live(api: Any, case_id: str) -> dict[str, Any]:
    response = await api.get(f"/cases/{case_id}", "E-SUPERVISOR")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_stage(api: Any, case_id: str, stage: str) -> dict[str, Any]:
    """Poll GET /cases/{id} until the workflow's live state is at STAGE, and its projection
    too (the stage's write may still be on its way when the workflow's state shows it)."""

    async def check() -> dict[str, Any] | None:
        response = await api.get(f"/cases/{case_id}", "E-SUPERVISOR")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        live = body["live"]
        if not live or live["stage"] != stage:  # no live state: the query timed out (load)
            return None
        if body["stage"] != stage:
            return None
        waiting = live.get("current_step") == stage and stage not in live.get("computed", {})
        return None if waiting else body  # a step's values arrive just after it opens

    result: dict[str, Any] = await wait_for(check)
    return result


async def unused_started_day(env: Any) -> date:
    """The latest begun working day whose review ID this (shared) dev server has not seen."""
    day = latest_started_day(await env.get_current_time())
    while True:
        handle = env.client.get_workflow_handle(
            review_id(names.EXAMPLE_ACKNOWLEDGMENT, day.isoformat())
        )
        try:
            await handle.describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return day
            raise
        day = latest_started_day(datetime.combine(day, time(6), tzinfo=UTC))


async def reviewed(api: Any, env: Any, sessions: Any) -> str:
    """Seed, start the review over HTTP, wait for it, mark it reviewed; returns its ID."""
    if env.supports_time_skipping:  # a review may not start before its as-of instant
        day = await next_working_day(env)
        api.app.state.clock = env.get_current_time
        await skip_to_as_of(env, day)
    else:  # real time: the latest review that has begun and no other test ran on this server
        day = await unused_started_day(env)
    await seed(sessions, day)
    started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
    assert started.status_code == 202, started.text
    rid: str = started.json()["review_id"]

    async def generated() -> bool:
        return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

    await wait_for(generated)
    assert (await api.post(f"/reviews/{rid}/reviewed", "E-SUPERVISOR")).status_code == 403

    async def marked() -> bool:
        # A review started after its generation deadline (real time: an earlier day's) settles
        # its breach before it awaits review: 409 "not awaiting review" until then.
        answer = await api.post(f"/reviews/{rid}/reviewed", "E-ANALYST")
        assert answer.status_code in (200, 409), answer.text
        return answer.status_code == 200

    await wait_for(marked)
    return rid


async def open_case(api: Any, env: Any, sessions: Any) -> tuple[str, dict[str, Any]]:
    """A reviewed review and the critical report's case at triage attribution."""
    await reviewed(api, env, sessions)
    case_id = names.ack_case_id(CRITICAL)
    return case_id, await wait_stage(api, case_id, "triage-attribution")


def attribution_for(computed: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Step 2's fields agreeing with its COMPUTED values (one source on two documents)."""
    return {
        "confirmed_sources": [
            {
                "source": "manager_non_review",
                "evidence": [
                    {"document": "report-chronology"},
                    {"document": "risk-classification-source"},
                ],
            }
        ],
        "indicators_above_threshold": computed["indicator_count"],
        "repeated_worker_exposure": computed["repeated_worker_exposure"],
        "category_repeatedly_under_triaged": computed["repeated_category_under_triage"],
        "unsafe_condition_active_while_pending": computed["unsafe_condition_active_while_pending"],
        "note": "No manager review for three days",
    } | overrides


def impact_for(c: dict[str, Any], level: str) -> dict[str, Any]:
    """Step 3's fields at LEVEL agreeing with its computed values C."""
    return {
        "impact_level": level,
        "affected_speaking_up_confidence": True,
        "affected_trust_in_management_attention": True,
        "affected_willingness_to_report_early": False,
        "affected_intention_to_remain": False,
        "prior_90d_retention_risk": c["prior_90d_retention_risk"],
        "prior_reports_180d": c["prior_reports_180d"],
        "repeated_exposures_same_domain": c["repeated_exposures_same_domain_180d"],
        "open_concern": c["open_concern"],
        "note": "Worker says they nearly stopped reporting",
    }


def attribution(view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return attribution_for(view["live"]["computed"]["triage-attribution"], **overrides)


def impact(view: dict[str, Any], level: str) -> dict[str, Any]:
    return impact_for(view["live"]["computed"]["retention-impact"], level)


async def open_docs(api: Any, case_id: str, who: str, docs: list[str]) -> None:
    for doc in docs:
        response = await api.post(f"/cases/{case_id}/documents/{doc}/open", who)
        assert response.status_code == 200, response.text
        assert response.json()["document"] == doc


async def entries(sessions: Any, case_id: str) -> list[tuple[str, str, str]]:
    """The case's register entries: (register, kind, actor)."""
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(RegisterEntry)
                .where(RegisterEntry.subject == case_id)
                .order_by(RegisterEntry.id)
            )
        ).all()
    return [(r.register, r.kind, r.actor) for r in rows]


def impact_like() -> dict[str, Any]:
    """Well-formed retention-impact fields (the stage is judged before the values)."""
    computed = {
        "prior_90d_retention_risk": "none",
        "prior_reports_180d": 0,
        "repeated_exposures_same_domain_180d": 0,
        "open_concern": False,
    }
    return impact({"live": {"computed": {"retention-impact": computed}}}, "high")


def pathway(today: date, owner: str) -> dict[str, Any]:
    return {
        "pathway_type": "triage_control_reset",
        "responsible_owner_id": owner,
        "triage_control_implementation_deadline": (today + timedelta(days=7)).isoformat(),
        "worker_communication_deadline": (today + timedelta(days=3)).isoformat(),
        "mandatory_review_date": (today + timedelta(days=14)).isoformat(),
        "immediate_senior_acknowledgment": False,
        "mandatory_named_owner_assignment": True,
        "temporary_daily_service_line_review": False,
        "same_day_unsafe_condition_escalation": False,
        "note": "Reset triage ownership",
    }


async def case_at_the_recovery_pathway(api: Any, env: Any, sessions: Any) -> str:
    """Steps 2 and 3 over the API (high impact); the case ID."""
    case_id, view = await open_case(api, env, sessions)
    steps = f"/cases/{case_id}/steps"
    await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
    done = await api.post(f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view))
    assert done.status_code == 200, done.text
    view = await wait_stage(api, case_id, "retention-impact")
    await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))
    done = await api.post(f"{steps}/retention-impact", "E-MANAGER", json=impact(view, "high"))
    assert done.status_code == 200, done.text
    await wait_stage(api, case_id, "recovery-pathway")
    return case_id


async def to_pathway_acceptance(api: Any, env: Any, sessions: Any) -> str:
    """Steps 2-4 over HTTP (step 4 first naming someone who is not staff: 422)."""
    case_id, view = await open_case(api, env, sessions)
    steps = f"/cases/{case_id}/steps"
    await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
    accepted = await api.post(f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view))
    assert accepted.status_code == 200, accepted.text
    view = await wait_stage(api, case_id, "retention-impact")
    await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))
    # Step 3's prerequisites show what its computed values are counted from (seed: "cannot
    # proceed without … the employee's current 90-day reporting profile, and the live workforce
    # concern register"); the document's values are the step's.
    profile = await api.post(f"/cases/{case_id}/documents/reporting-profile/open", "E-MANAGER")
    shown = profile.json()
    computed = view["live"]["computed"]["retention-impact"]
    assert shown["values"]["prior_reports_180d"] == computed["prior_reports_180d"]
    assert len(shown["prior_reports_180d_rows"]) == computed["prior_reports_180d"]
    assert (
        len(shown["repeated_exposures_same_domain_180d_rows"])
        == (computed["repeated_exposures_same_domain_180d"])
    )
    concerns = await api.post(
        f"/cases/{case_id}/documents/workforce-concern-register/open", "E-MANAGER"
    )
    assert concerns.json()["open_concern"] == computed["open_concern"]
    validated = await api.post(
        f"/cases/{case_id}/documents/near-miss-reliability-case/open", "E-MANAGER"
    )
    assert validated.json()["validated"] is True
    accepted = await api.post(f"{steps}/retention-impact", "E-MANAGER", json=impact(view, "high"))
    assert accepted.status_code == 200, accepted.text
    await wait_stage(api, case_id, "recovery-pathway")
    await open_docs(api, case_id, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
    today = (await env.get_current_time()).date()
    ghost = await api.post(
        f"{steps}/recovery-pathway", "E-DIRECTOR", json=pathway(today, "E-GHOST")
    )
    assert ghost.status_code == 422, ghost.text
    assert [e["field"] for e in ghost.json()["errors"]] == ["responsible_owner_id"]
    accepted = await api.post(
        f"{steps}/recovery-pathway", "E-DIRECTOR", json=pathway(today, "E-OWNER")
    )
    assert accepted.status_code == 200, accepted.text
    await wait_stage(api, case_id, "pathway-acceptance")
    return case_id
