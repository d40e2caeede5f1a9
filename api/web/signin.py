"""Sign-in and sign-out pages.

Development ("sign in as"): a list of the staff directory, only when ``NEARMISS_ENV`` is
``development`` *and* the API listens on loopback, so it cannot open in production by accident.
Production signs in through the OpenID provider (``NEARMISS_OIDC_ISSUER``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep, resolve_actor
from api.errors import Forbidden
from api.web.oidc import ID_TOKEN_KEY, provider_sign_out_url
from api.web.render import render
from api.web.session import CsrfChecked, end_session, safe_next, start_session
from config.settings import Settings
from store.staff import list_staff

router = APIRouter(prefix="/app", include_in_schema=False)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def dev_sign_in_allowed(settings: Settings) -> bool:
    """ "Sign in as" exists only in development on a loopback address."""
    return settings.env == "development" and settings.api_host in LOOPBACK_HOSTS


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request, session: SessionDep, next: str = "/app", reason: str = ""
) -> HTMLResponse:
    """The sign-in page: the staff directory (development) or the organisation's sign-in."""
    settings: Settings = request.app.state.settings
    staff = await list_staff(session) if dev_sign_in_allowed(settings) else []
    context = {
        "next": safe_next(next),
        "reason": reason[:200],
        "dev_sign_in": dev_sign_in_allowed(settings),
        "oidc": bool(settings.oidc_issuer and settings.oidc_client_id),
        "staff": [member for member in staff if member.active and member.left_at is None],
    }
    return render(request, "sign_in.html", context)


@router.post("/sign-in/as", dependencies=[CsrfChecked])
async def sign_in_as(
    request: Request,
    employee_id: Annotated[str, Form(max_length=64)],
    next: Annotated[str, Form(max_length=2000)] = "/app",
) -> RedirectResponse:
    """Development only: start a session as ``employee_id`` (must be current staff)."""
    settings: Settings = request.app.state.settings
    if not dev_sign_in_allowed(settings):
        raise Forbidden("'sign in as' is only available in development on a loopback address")
    actor = await resolve_actor(request, settings, employee_id)
    start_session(request, actor.employee_id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out", dependencies=[CsrfChecked])
async def sign_out(request: Request) -> RedirectResponse:
    """End the session; a session begun at the OpenID provider ends there too (its sign-out,
    then back to the signed-out page); the sign-in page says so."""
    id_token = request.session.get(ID_TOKEN_KEY)
    end_session(request)
    if isinstance(id_token, str) and id_token:
        target = await provider_sign_out_url(request, id_token)
        if target:
            return RedirectResponse(target, status_code=303)
    return RedirectResponse("/app/sign-in?reason=signed+out", status_code=303)
