"""Authorization tried exhaustively from the declared policy (``api/policy.py``): every API route
with a token of every role, of each relationship (the named owner of a pathway, the reporting
worker of a case, the person themselves), and with no token, an expired one, a wrong signature,
``alg: none``, an unknown and an inactive employee: every cell answers as the table says.

Expected outcomes follow the declared order of checks: authenticate (401; 403 for a person not
current in the staff directory) → the route admits a role, or a relationship the caller could
hold (else 403) → the case exists and the caller may see it (else 404) → the role or the
relationship for this case (else 403) → the body. "Admitted" means the answer is none of those
refusals (it may be 200, 404 for an unknown review, 409, 422, or 503 with Temporal unreachable).
Pages (``/app``, cookie sessions) are tried by the web tests, not here.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.policy import API_RULES, Relationship, Rule, rule_for
from domain.roles import Role
from infra.tokens import mint_token
from store.db import transaction
from store.tables import Case
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import TEST_TOKEN_SECRET

CASE = "ack-case-NM-AUTHZ"
OWNER, REPORTER, BYSTANDER = "E-OWNER", "W-100", "W-200"
ROLE_HOLDERS = {f"E-ROLE-{i:02d}": role for i, role in enumerate(Role)}
PATH_VALUES = {
    "feed": "staff-directory",
    "example": "acknowledgment",
    "period": "2026-12-01",
    "review_id": "ack-review-2026-12-01",
    "case_id": CASE,
    "document": "daily-review",
    "step": "no-such-step",
    "action": "a1",
    "kind": "weekly-sustainability",
    "name": "triage-attribution",
}
CASE_VIEWS = rule_for("GET", "/cases/{case_id}")
assert CASE_VIEWS is not None
SEEN = {"/cases/{case_id}", "/cases/{case_id}/pathway/accept"}
"""Case routes whose admitted callers can get no 404 (the case exists; no other path value)."""
BODIES = {
    "/forms/employee-confirmation": {"case_ref": CASE, "confirmed": True},
    "/forms/speaking-up-confidence": {"score": 3, "risk_domain": "medication"},
}


def _url(rule: Rule) -> str:
    url = rule.path
    for key, value in PATH_VALUES.items():
        url = url.replace("{" + key + "}", value)
    if rule.path == "/packs/{kind}/{period}" or rule.path.endswith("/publish"):
        url = url.replace("2026-12-01", "2026-W48")
    return url


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens() -> dict[str, str | None]:
    """Tokens that must never authenticate (and a missing one)."""
    now = datetime.now(UTC)
    claims = {"sub": "E-ADMIN", "iss": "nearmiss-dev", "iat": int(now.timestamp()),
              "exp": int((now + timedelta(hours=1)).timestamp())}  # fmt: skip
    return {
        "no token": None,
        "expired": mint_token(TEST_TOKEN_SECRET, "E-ADMIN", now=now - timedelta(days=2)),
        "wrong signature": mint_token("another-secret-0123456789abcdef0123456789", "E-ADMIN"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
    }


def _ties(person: str, rule: Rule) -> frozenset[Relationship]:
    ties = {Relationship.SELF} if not rule.case_scoped else set()
    if rule.case_scoped and person == OWNER:
        ties.add(Relationship.NAMED_OWNER)
    if person == REPORTER and (rule.case_scoped or rule.path == "/forms/employee-confirmation"):
        ties.add(Relationship.REPORTING_WORKER)
    return frozenset(ties)


def expected(rule: Rule, roles: frozenset[Role], person: str) -> str:
    """``admitted``, ``forbidden`` (403) or ``hidden`` (404: may not see the case), per table."""
    ties = _ties(person, rule)
    by_role = bool(roles & rule.roles)
    if not by_role and not rule.relationships:
        return "forbidden"
    sees = by_role or roles & CASE_VIEWS.roles or ties & CASE_VIEWS.relationships
    if rule.case_scoped and not sees:  # a role the route admits may act on the case
        return "hidden"
    return "admitted" if by_role or ties & rule.relationships else "forbidden"


def outcome(status: int) -> str:
    return {401: "unauthenticated", 403: "forbidden"}.get(status, "admitted")


@pytest.fixture
async def api(sqlite_url: str, sessions_for: Any, api_for: ApiFactory) -> Any:
    sessions = sessions_for(sqlite_url)
    extra = {BYSTANDER: [Role.WORKER], **{p: [r] for p, r in ROLE_HOLDERS.items()}}
    rows = staff_rows(extra) + [{**staff_rows()[0], "employee_id": "E-GONE", "active": False}]
    await load(sessions, "staff-directory", rows)
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        session.add(
            Case(
                case_id=CASE, example="acknowledgment", reference="NM-AUTHZ",
                review_id="ack-review-2026-12-01", employee_id=REPORTER, service_line="HC-NORTH",
                exposure="critical", stage="pathway-acceptance", status="open",
                assigned_role=None, assignee=OWNER, deadline=at, escalation_level=0,
                opened_at=at, updated_at=at, closed_at=None,
                detail={"current_step": None, "visible_in": [], "pathway_owner": OWNER},
            )
        )  # fmt: skip
    return await api_for(sqlite_url, temporal_address=f"127.0.0.1:{free_port()}")


async def _call(api: Any, rule: Rule, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if rule.method == "POST":
        kwargs["json"] = BODIES.get(rule.path, {})
    response = await api.http.request(rule.method, _url(rule), **kwargs)
    return response.status_code


async def test_every_route_answers_every_caller_as_the_policy_says(api: Any) -> None:
    rules = [r for r in API_RULES if not r.public]
    people = {
        **{p: frozenset({r}) for p, r in ROLE_HOLDERS.items()},
        OWNER: frozenset({Role.WORKER}),
        REPORTER: frozenset({Role.WORKER}),
        BYSTANDER: frozenset({Role.WORKER}),
    }
    tally: Counter[str] = Counter()
    wrong: list[str] = []
    for rule in rules:
        for person, roles in people.items():
            want = expected(rule, roles, person)
            status = await _call(api, rule, mint_token(TEST_TOKEN_SECRET, person))
            got = outcome(status)
            if status == 404 and rule.case_scoped and (want == "hidden" or rule.path in SEEN):
                got = "hidden"  # the case itself answered 404: a refusal, not an admission
            tally[want] += 1
            if got != want:
                wrong.append(f"{rule.method} {rule.path} as {person} {sorted(roles)}: {status}")
        for name, token in bad_tokens().items():
            tally["unauthenticated"] += 1
            if (status := await _call(api, rule, token)) != 401:
                wrong.append(f"{rule.method} {rule.path} with {name}: {status}, wanted 401")
        for person in ("E-NOBODY", "E-GONE"):
            tally["not in the directory"] += 1
            if (status := await _call(api, rule, mint_token(TEST_TOKEN_SECRET, person))) != 403:
                wrong.append(f"{rule.method} {rule.path} as {person}: {status}, wanted 403")
    cells = sum(tally.values())
    print(f"\nauthorization: {len(rules)} routes x {len(people) + 6} callers = {cells} cells "
          f"({dict(tally)}); {len(wrong)} differ from the policy")  # fmt: skip
    assert not wrong, "\n".join(wrong)
