"""The reporting-confidence dashboard (one static page that calls the API) and ``GET /me``."""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.authz import Authorized
from api.deps import Actor, SettingsDep
from api.errors import NotFound
from api.guard import GuardedRoute
from api.policy import EVIDENCE_READERS, rule_for
from api.web.render import render, shell_header
from api.web.session import page_actor
from api.web.words import governance_titles, member_label, roles_in_words
from domain.roles import Role

router = APIRouter(tags=["dashboard"], route_class=GuardedRoute)
STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE = STATIC / "dashboard.html"
# Who the dashboard serves: its review and trends are the evidence readers' (its open steps and
# breaches the governance roles'); the staff pages link it for them.
DASHBOARD_ROLES = EVIDENCE_READERS
# The roles as the staff pages name them, for the page's "who is signed in" line.
_NAMES = json.dumps({role.value: member_label(role) for role in Role})
ROLE_WORDS = f'data-role-names="{html.escape(_NAMES, quote=True)}"'


def _readers(method: str, path: str) -> list[str]:
    rule = rule_for(method, path)
    return sorted(role.value for role in rule.roles) if rule else []


# Who may make the page's case reads (the access policy's own rules): the page shows its open
# steps, breaches and case timeline only to them, and says why to anyone else (the inspector).
_READERS = json.dumps(
    {"cases": _readers("GET", "/cases"), "escalations": _readers("GET", "/escalations")}
)
READER_WORDS = f'data-readers="{html.escape(_READERS, quote=True)}"'

TOKEN_BAR = '<header id="token-bar">'
# Signed in, the review is on its way from the first paint (its script asks at once): never
# "Sign in to load the review." to someone signed in.
SIGNED_OUT_STATUS = (
    '<div id="review-status" class="muted" role="status">Sign in to load the review.'
)
LOADING_STATUS = '<div id="review-status" class="muted" role="status">Loading the review…'
SIGNED_IN_HEADING = '<h1 class="page-title">Reporting-confidence dashboard</h1>'

# The page's own scripts, nothing else.
SCRIPTS = frozenset(
    {
        "dashboard.js",
        "trends.js",
        "trends_chart.js",
        "trends_series.js",
        "trends_tables.js",
        "trends_outcomes.js",
    }
)


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(request: Request, settings: SettingsDep) -> Response:
    """The page itself holds no data; every figure it shows comes from authorised API calls.

    A person signed in to the staff pages uses their session (its reads are the API's, with
    the session's cookie: ``api.authz``); one whose roles the dashboard does not serve gets a
    refusal page naming the roles that may use it. Without a session the page asks for a
    bearer token (API clients, scripts)."""
    zone = f'data-zone="{html.escape(settings.timezone, quote=True)}"'
    body = f"<body {ROLE_WORDS} {READER_WORDS} {zone}>"
    page = PAGE.read_text(encoding="utf-8").replace("<body>", body, 1)
    if not isinstance(request.session.get("sub"), str):
        return HTMLResponse(page)
    actor = await page_actor(request)  # idle: to sign-in and back (SignInRequired)
    if not actor.roles & DASHBOARD_ROLES:
        who = roles_in_words(DASHBOARD_ROLES, short=True)  # the titles listed apart (phones)
        detail = f"The reporting-confidence dashboard is for {who}."
        titles = governance_titles(DASHBOARD_ROLES)
        context = {"title": "Not allowed", "detail": detail, "errors": [], "roles": titles}
        return render(request, "error.html", context, status=403)
    # Signed in: the staff pages' header and navigation, not the token bar API clients use.
    own = page[page.index(TOKEN_BAR) : page.index("</header>", page.index(TOKEN_BAR)) + 9]
    page = page.replace(own, shell_header(request) + SIGNED_IN_HEADING, 1)
    page = page.replace(SIGNED_OUT_STATUS, LOADING_STATUS, 1)
    return HTMLResponse(page.replace("<body ", '<body data-session="signed-in" ', 1))


@router.get("/dashboard/{script}", include_in_schema=False)
async def dashboard_script(script: str) -> Response:
    """The page's scripts (served from the same origin: no CDN, nothing external)."""
    if script not in SCRIPTS:
        raise NotFound(f"no dashboard file {script!r}")
    body = (STATIC / script).read_text(encoding="utf-8")
    return Response(body, media_type="text/javascript; charset=utf-8")


@router.get("/me", response_model=Actor)
async def me(actor: Authorized) -> Actor:
    """Who the bearer token belongs to, and their roles (the dashboard adapts to them)."""
    return actor
