"""The declared access policy: every route is in it, enforced from it, printed in the README;
named owners, reporting workers, the inspector and the administrator see what it says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from api.app import create_app
from api.authz import authorize
from api.policy import RULES, markdown_table, rule_for
from api.routers.codec import codec_access
from domain.roles import Role
from store.db import transaction
from store.tables import Case
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiClient, ApiFactory
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- policy:start -->\n", "<!-- policy:end -->"


def _routes() -> list[tuple[str, str, Any]]:
    """(method, path, route) of every route and page of the app (static mounts aside)."""
    app = create_app(make_test_settings("sqlite+aiosqlite:///unused.db"))
    found = []
    for route in app.router.routes:
        inner = getattr(route, "original_router", None)
        for r in inner.routes if inner is not None else [route]:
            if isinstance(r, Mount) or not isinstance(r, Route | APIRoute):
                continue
            for method in sorted((r.methods or set()) - {"HEAD"}):
                found.append((method, r.path, r))
    return found


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def test_every_route_and_page_has_exactly_one_rule() -> None:
    routes = {(method, path) for method, path, _ in _routes()}
    declared = [(rule.method, rule.path) for rule in RULES]
    assert len(declared) == len(set(declared)), "a route is declared twice"
    assert routes - set(declared) == set(), "routes missing from api/policy.py"
    assert set(declared) - routes == set(), "rules for routes that do not exist"


def test_every_guarded_route_is_enforced_from_the_table() -> None:
    for method, path, route in _routes():
        rule = rule_for(method, path)
        assert rule is not None
        if rule.public:
            continue
        assert isinstance(route, APIRoute), path
        calls = _calls(route.dependant)
        assert authorize in calls or codec_access in calls, f"{method} {path} skips the policy"


def test_the_readme_prints_the_policy() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    printed = text.split(START, 1)[1].split(END, 1)[0]
    assert printed == markdown_table(), "README out of date: python -m api.policy"


# -- behaviour, on a real database -------------------------------------------------------------

OWNED, OTHER = "ack-case-NM-OWNED", "ack-case-NM-OTHER"


def _case(case_id: str, *, employee_id: str, owner: str | None) -> Case:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    return Case(
        case_id=case_id,
        example="acknowledgment",
        reference=case_id.removeprefix("ack-case-"),
        review_id="ack-review-2026-12-01",
        employee_id=employee_id,
        service_line="HC-NORTH",
        exposure="critical",
        stage="pathway-acceptance",
        status="open",
        assigned_role=None,
        assignee=owner,
        deadline=at,
        escalation_level=0,
        opened_at=at,
        updated_at=at,
        closed_at=None,
        detail={"current_step": None, "visible_in": [], "pathway_owner": owner},
    )


@pytest.fixture
async def api(sqlite_url: str, sessions_for: Any, api_for: ApiFactory) -> ApiClient:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows({"W-200": [Role.WORKER]}))
    async with transaction(sessions) as session:
        session.add(_case(OWNED, employee_id="W-100", owner="E-OWNER"))
        session.add(_case(OTHER, employee_id="W-200", owner="E-DIRECTOR"))
    # Temporal is unreachable: the case still answers from the projection.
    return await api_for(sqlite_url, temporal_address=f"127.0.0.1:{free_port()}")


async def test_named_owner_without_a_governance_role_sees_only_their_pathway(api) -> None:  # type: ignore[no-untyped-def]
    own = await api.get(f"/cases/{OWNED}", "E-OWNER")
    assert own.status_code == 200, own.text
    assert own.json()["timeline"] == [] and own.json()["employee_id"] == "W-100"
    assert (await api.get(f"/cases/{OTHER}", "E-OWNER")).status_code == 404
    assert (await api.get("/cases/ack-case-NOPE", "E-OWNER")).status_code == 404
    for url in ("/cases", "/escalations", "/registers"):
        assert (await api.get(url, "E-OWNER")).status_code == 403, url
    # someone else's pathway: not visible, so 404 before anything else
    other = await api.post(f"/cases/{OTHER}/pathway/accept", "E-OWNER")
    assert other.status_code == 404


async def test_reporting_worker_sees_a_minimal_view_of_their_own_case(api) -> None:  # type: ignore[no-untyped-def]
    own = await api.get(f"/cases/{OWNED}", "W-100")
    assert own.status_code == 200
    assert set(own.json()) == {"case_id", "reference", "stage", "status", "opened_at", "closed_at"}
    assert (await api.get(f"/cases/{OTHER}", "W-100")).status_code == 404
    accept = await api.post(f"/cases/{OWNED}/pathway/accept", "W-100")
    assert accept.status_code == 403  # sees the case, is not its named owner


async def test_inspector_and_administrator_read_no_live_cases(api) -> None:  # type: ignore[no-untyped-def]
    for who in ("E-INSPECTOR", "E-ADMIN"):
        assert (await api.get(f"/cases/{OWNED}", who)).status_code == 404, who
        assert (await api.get("/cases", who)).status_code == 403, who
        assert (await api.get("/escalations", who)).status_code == 403, who
    assert (await api.get("/registers", "E-INSPECTOR")).status_code == 200
    assert (await api.get("/registers", "E-ADMIN")).status_code == 403
    assert (await api.get("/pathways/absent-owners", "E-ADMIN")).status_code == 200
    assert (await api.get("/pathways/absent-owners", "E-INSPECTOR")).status_code == 403


async def test_checks_run_in_the_declared_order(api) -> None:  # type: ignore[no-untyped-def]
    step = "/cases/ack-case-NOPE/steps/triage-attribution"
    # a role that could never act: 403, before the case (unknown) and the body (empty)
    assert (await api.post(step, "W-100", json={})).status_code == 403
    assert (await api.post(step, "E-ANALYST", json={})).status_code == 403
    # the step's role: the unknown case is 404, before the body
    assert (await api.post(step, "E-SUPERVISOR", json={})).status_code == 404
    # the step's role on a visible case: past the policy (Temporal is down here: 503, else 422)
    past = await api.post(f"/cases/{OWNED}/steps/triage-attribution", "E-SUPERVISOR", json={})
    assert past.status_code in (422, 503), past.text
    assert (await api.post(step, None, json={})).status_code == 401
