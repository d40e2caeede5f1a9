"""Enforcing ``api.policy``: one dependency, ``Authorized``, on every route and page that is not
public, applying the table's rule for the route in one order:

1. authenticate (a bearer token for the API, the browser session for ``/app`` pages and for
   the API's reads from a signed-in browser without a token): 401, or 403 for someone not
   current in the staff directory; a page without a session signs in first;
2. the route admits one of the caller's roles, or a relationship they could hold, else 403;
3. a case in the path exists and the caller may see it (``GET /cases/{case_id}``'s rule), else
   404, so a case's existence does not leak;
4. the caller's role, or their relationship to this case, is one the route admits, else 403;
5. then the endpoint reads its body (FastAPI validates it after the dependencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor, bearer_employee_id, bearer_scheme, resolve_actor
from api.errors import CaseRoleRequired, Forbidden, NotFound, RoleRequired
from api.policy import Relationship, Rule, rule_for, who
from config.settings import Settings
from store.db import transaction
from store.pathways import named_owner
from store.tables import Case


def _case_view() -> Rule:
    rule = rule_for("GET", "/cases/{case_id}")
    assert rule is not None, "the policy must say who may see a case"
    return rule


CASE_VIEW = _case_view()


@dataclass(frozen=True)
class Access:
    """Who was admitted, by which rule, and how: by role, or by their ties to the case."""

    actor: Actor
    rule: Rule
    by_role: bool
    relationships: frozenset[Relationship]
    case: Case | None = None  # the case in the path, as read to admit the caller (case routes)


def case_relationships(actor: Actor, case: Case) -> frozenset[Relationship]:
    """The actor's ties to ``case``: its pathway's named owner, its reporting worker."""
    ties = set()
    if named_owner(case) == actor.employee_id:
        ties.add(Relationship.NAMED_OWNER)
    if case.employee_id == actor.employee_id:
        ties.add(Relationship.REPORTING_WORKER)
    return frozenset(ties)


def admits(rule: Rule, actor: Actor, relationships: frozenset[Relationship]) -> bool:
    """Whether ``rule`` admits the actor by role or by one of ``relationships``."""
    return bool(actor.roles & rule.roles) or bool(relationships & rule.relationships)


def may_see(actor: Actor, case: Case) -> bool:
    """Whether ``GET /cases/{case_id}``'s rule lets the actor see ``case`` at all."""
    return admits(CASE_VIEW, actor, case_relationships(actor, case))


def route_rule(request: Request) -> Rule:
    """The rule declared for the route that matched ``request``; 403 when none is (fail closed)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    rule = rule_for(request.method, path) if isinstance(path, str) else None
    if rule is None:
        raise Forbidden(f"{request.method} {path} is not in the access policy")
    return rule


def _page_session(request: Request, credentials: HTTPAuthorizationCredentials | None) -> bool:
    """Whether the browser session authenticates this request: every ``/app`` page, and a
    read (GET/HEAD) of the API without a bearer token from a signed-in browser, so the pages'
    links to a pack's PDF or CSV and the evidence downloads work (a read changes nothing, so
    it needs no CSRF token; SameSite=Lax keeps the cookie off cross-site subrequests)."""
    path = request.url.path
    if path == "/app" or path.startswith("/app/"):
        return True
    if credentials is not None or request.method not in ("GET", "HEAD"):
        return False
    return has_session(request)


def has_session(request: Request) -> bool:
    """Whether the request carries a signed-in person's browser session (the session cookie
    names someone); says nothing of a bearer token."""
    return "session" in request.scope and isinstance(request.session.get("sub"), str)


async def _authenticate(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    session: AsyncSession | None = None,
) -> Actor:
    if _page_session(request, credentials):
        # Imported here: the pages' package imports this module for its routes.
        from api.web.session import page_actor  # noqa: PLC0415

        return await page_actor(request)
    settings: Settings = request.app.state.settings
    employee_id = await bearer_employee_id(request, credentials)
    return await resolve_actor(request, settings, employee_id, session)


async def authorize_route(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    session: AsyncSession | None = None,
) -> tuple[Rule, Actor, bool]:
    """Steps 1-2 above: the route's rule, the authenticated caller, and whether a role (not a
    relationship) admitted them; 401/403 otherwise. Reads no case. A bearer token's holder is
    looked up in SESSION when given (else in a transaction of its own)."""
    rule = route_rule(request)
    actor = await _authenticate(request, credentials, session)
    by_role = bool(actor.roles & rule.roles)
    if not by_role and not rule.relationships:
        raise RoleRequired(rule.roles)
    return rule, actor, by_role


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Access:
    """Apply the route's rule (steps 1–4 above); the admitted caller and how they were admitted.

    On a case's route the caller and the case are read in one short transaction (one pool
    connection, committed before the endpoint runs: none is held while it waits on Temporal).
    """
    if not route_rule(request).case_scoped:
        rule, actor, by_role = await authorize_route(request, credentials)
        return _admitted(request, Access(actor, rule, by_role, frozenset({Relationship.SELF})))
    async with transaction(request.app.state.sessions) as session:
        rule, actor, by_role = await authorize_route(request, credentials, session)
        case = await session.get(Case, request.path_params["case_id"])
    if case is None:
        raise NotFound(f"no case {request.path_params['case_id']!r}")
    ties = case_relationships(actor, case)
    visible = by_role or may_see(actor, case)  # a role the route admits may act on it
    if not visible:
        raise NotFound(f"no case {case.case_id!r} that you may see")  # nor whether it exists
    if not admits(rule, actor, ties):
        raise CaseRoleRequired(
            f"not allowed on case {case.case_id}: requires {who(rule)}",
            case.reference,
            rule.roles,
            rule.relationships,
        )
    return _admitted(request, Access(actor, rule, by_role, ties & rule.relationships, case))


def _admitted(request: Request, access: Access) -> Access:
    request.state.access = access
    return access


async def authorized_actor(access: Annotated[Access, Depends(authorize)]) -> Actor:
    """The caller ``authorize`` admitted."""
    return access.actor


Authorized = Annotated[Actor, Depends(authorized_actor)]
"""The signed-in caller, admitted by the route's rule in ``api.policy``."""

Admitted = Annotated[Access, Depends(authorize)]
"""The same, with how they were admitted (for endpoints that answer differently by role)."""
