"""Authorization tried exhaustively from the declared policy (``api/policy.py``): every API route
with a token of every role, of each relationship (the named owner of a pathway, the reporting
worker of a case, the person themselves), and with no token, an expired one, a wrong signature,
``alg: none``, an unknown and an inactive employee: every cell answers as the table says.

Expected outcomes follow the declared order of checks: authenticate (401; 403 for a person not
current in the staff directory) → the route admits a role, or a relationship the caller could
hold (else 403) → the case exists and the caller may see it (else 404) → the role or the
relationship for this case (else 403) → the body. "Admitted" means the answer is none of those
refusals (it may be 200, 404 for an unknown review, 409, 422, or 503 with Temporal unreachable).
Pages (``/app``) are tried the same way with the browser's credentials: a session cookie from
"sign in as" and the session's CSRF token on every form post; a refused page is a 303 to sign-in
(no, a forged or an idle session), a 403 page or a 404 page.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.policy import API_RULES, PAGE_RULES, Relationship, Rule, rule_for
from domain.roles import Role
from infra.tokens import mint_token
from store.db import transaction
from store.tables import Case
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import TEST_TOKEN_SECRET
from tests.web_support import csrf

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
    "what": "triage-attribution",
    "key": "no-such-receipt",
}
CASE_VIEWS = rule_for("GET", "/cases/{case_id}")
assert CASE_VIEWS is not None
SEEN = {"/cases/{case_id}", "/cases/{case_id}/pathway/accept"}
SEEN_PAGES = {f"/app{path}" for path in SEEN}
CONFIRMATION_PAGE = "/app/forms/employee-confirmation"
PAGE_QUERIES = {CONFIRMATION_PAGE: {"case_ref": CASE}}  # the mail link names the case
PAGE_BODIES = {
    CONFIRMATION_PAGE: {"case_ref": CASE, "confirmed": "yes"},
    "/app/forms/speaking-up-confidence": {"score": "3", "risk_domain": "medication"},
}
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
    confirmation = rule.path.endswith("/forms/employee-confirmation")
    if person == REPORTER and (rule.case_scoped or confirmation):
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


async def _seed(sessions: Any) -> None:
    """Every role's holder, the relationships' people, a leaver and the case they relate to."""
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


PEOPLE = {
    **{p: frozenset({r}) for p, r in ROLE_HOLDERS.items()},
    OWNER: frozenset({Role.WORKER}),
    REPORTER: frozenset({Role.WORKER}),
    BYSTANDER: frozenset({Role.WORKER}),
}


@pytest.fixture
async def api(sqlite_url: str, sessions_for: Any, api_for: ApiFactory) -> Any:
    await _seed(sessions_for(sqlite_url))
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
    people = PEOPLE
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


class Browser:
    """One person's browser on the app: its own cookie jar; ``csrf`` from a signed-in page."""

    def __init__(self, app: Any) -> None:
        transport = httpx.ASGITransport(app=app)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://test")
        self.csrf = ""

    async def sign_in(self, person: str) -> None:
        page = await self.http.get("/app/sign-in")
        answer = await self.http.post(
            "/app/sign-in/as", data={"csrf_token": csrf(page.text), "employee_id": person}
        )
        assert answer.status_code == 303, (person, answer.text)
        self.csrf = csrf((await self.http.get("/app")).text)

    async def call(self, rule: Rule, *, csrf_token: str | None = None) -> int:
        kwargs: dict[str, Any] = {"params": PAGE_QUERIES.get(rule.path, {})}
        if rule.method == "POST":
            token = self.csrf if csrf_token is None else csrf_token
            key = uuid.uuid4().hex  # each form its own Idempotency-Key, as each page gives
            kwargs["data"] = {"csrf_token": token, "idempotency_key": key}
            kwargs["data"] |= PAGE_BODIES.get(rule.path, {})
        response = await self.http.request(rule.method, _url(rule), **kwargs)
        location = response.headers.get("location", "")
        if response.status_code == 303 and location.startswith("/app/sign-in"):
            return 401  # sent to sign in: not authenticated
        return response.status_code


@pytest.fixture
async def pages(sqlite_url: str, sessions_for: Any, api_for: ApiFactory) -> Any:
    sessions = sessions_for(sqlite_url)
    await _seed(sessions)
    extra = {"E-LEAVER": [Role.NEAR_MISS_GOVERNANCE_SUPERVISOR]}
    await load(sessions, "staff-directory", staff_rows(extra))
    api = await api_for(
        sqlite_url, env="development", api_host="127.0.0.1",
        temporal_address=f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    browsers: dict[str, Browser] = {}
    for person in [*PEOPLE, "E-LEAVER", "E-IDLE"]:
        browsers[person] = Browser(api.app)
        await browsers[person].sign_in(person if person != "E-IDLE" else "E-ADMIN")
    gone = [{**staff_rows(extra)[-1], "active": False}]
    await load(sessions, "staff-directory", gone)  # E-LEAVER leaves while signed in
    forged = Browser(api.app)
    forged.http.cookies.set("nearmiss_session", "eyJzdWIiOiAiRS1BRE1JTiJ9.forged.sig")
    browsers["forged"], browsers["none"] = forged, Browser(api.app)
    yield api, browsers
    for browser in browsers.values():
        await browser.http.aclose()


async def test_every_page_answers_every_browser_as_the_policy_says(pages: Any) -> None:
    api, browsers = pages
    rules = [r for r in PAGE_RULES if not r.public]
    tally: Counter[str] = Counter()
    wrong: list[str] = []
    clock = [datetime.now(UTC).timestamp()]
    api.app.state.session_clock = lambda: clock[0]
    for rule in rules:
        for person, roles in PEOPLE.items():
            want = expected(rule, roles, person)
            status = await browsers[person].call(rule)
            got = outcome(status) if status < 500 or status == 503 else f"error {status}"
            if status == 404 and rule.case_scoped and (want == "hidden" or rule.path in SEEN_PAGES):
                got = "hidden"
            tally[want] += 1
            if got != want:
                wrong.append(f"{rule.method} {rule.path} as {person} {sorted(roles)}: {status}")
        clock[0] += 31 * 60  # E-IDLE's session idles out (and the others' with it)
        # A form posted without a live session has no valid CSRF token either: refused (403)
        # before sign-in is asked; a page asked for is sent to sign in.
        refused = (401, 403) if rule.method == "POST" else (401,)
        for name in ("none", "forged", "E-IDLE"):
            tally["unauthenticated"] += 1
            if (status := await browsers[name].call(rule)) not in refused:
                wrong.append(f"{rule.method} {rule.path} with {name} session: {status}")
        clock[0] -= 31 * 60
        tally["left the directory"] += 1
        if (status := await browsers["E-LEAVER"].call(rule)) not in (401, 403):
            wrong.append(f"{rule.method} {rule.path} as a leaver: {status}, wanted 401 or 403")
        if rule.method == "POST":  # the right person, a forged form: refused, nothing done
            person = next(p for p, r in PEOPLE.items() if expected(rule, r, p) == "admitted")
            tally["forged CSRF"] += 1
            if (status := await browsers[person].call(rule, csrf_token="forged")) != 403:
                wrong.append(f"{rule.method} {rule.path} forged CSRF as {person}: {status}")
    cells = sum(tally.values())
    print(f"\npages: {len(rules)} page routes, {cells} cells ({dict(tally)}); "
          f"{len(wrong)} differ from the policy")  # fmt: skip
    assert not wrong, "\n".join(wrong)
