"""Browser sessions for the pages: a signed HttpOnly cookie, an idle timeout, CSRF tokens.

The cookie (Starlette's ``SessionMiddleware``: signed, HttpOnly, SameSite=Lax, Secure outside
development) holds only the employee ID, the CSRF token and the instant of the last request.
Roles are read from the staff directory on every request, exactly as for bearer tokens, so a
leaver's session stops working at once. Idle time is wall-clock time (a person walking away
from a shared ward laptop), not governance time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from api.deps import Actor, resolve_actor
from api.errors import Forbidden
from config.settings import Settings

SESSION_COOKIE = "nearmiss_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
HOME = "/app"


class SignInRequired(Exception):
    """No (or an expired) session: the page redirects to sign-in, then back to ``next_path``."""

    def __init__(self, next_path: str, reason: str = "") -> None:
        super().__init__(reason or "sign in required")
        self.next_path = next_path
        self.reason = reason


def install_sessions(app: FastAPI, settings: Settings) -> None:
    """Add the session middleware; its key is derived from the token secret, never equal to it."""
    key = hmac.new(settings.token_secret.encode(), b"nearmiss-session-v1", hashlib.sha256)
    app.add_middleware(
        SessionMiddleware,
        secret_key=key.hexdigest(),
        session_cookie=SESSION_COOKIE,
        max_age=None,
        same_site="lax",
        https_only=settings.env != "development",
    )


def safe_next(target: str | None) -> str:
    """``target`` when it is a same-origin path, else the home page (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(ch in target for ch in "\\\r\n\t") or "://" in target.split("?", 1)[0]:
        return HOME
    return target


def sign_in_url(next_path: str, reason: str = "") -> str:
    """The sign-in page, remembering where to return (and why the person was sent there)."""
    url = f"{HOME}/sign-in?next={quote(safe_next(next_path), safe='')}"
    return f"{url}&reason={quote(reason)}" if reason else url


def _seconds(request: Request) -> int:
    """Wall-clock seconds for idle timing (``app.state.session_clock`` lets a test move it)."""
    clock: Callable[[], float] = getattr(request.app.state, "session_clock", time.time)
    return int(clock())


def start_session(request: Request, employee_id: str) -> None:
    """Sign ``employee_id`` in: a fresh session (new CSRF token) replaces whatever was there."""
    request.session.clear()
    request.session.update(
        {"sub": employee_id, CSRF_FIELD: secrets.token_urlsafe(32), "seen": _seconds(request)}
    )


def end_session(request: Request) -> None:
    """Sign out: the cookie is emptied."""
    request.session.clear()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created for an anonymous session, e.g. the sign-in form)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a state-changing page request whose form field or header lacks the token."""
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("the form has expired or did not come from this service; reload the page")


CsrfChecked = Depends(verify_csrf)


# An OpenID Connect session keeps its ID token (sign-out's hint at the provider); a session that
# idled out leaves a mark so the next sign-in asks the provider to log the person in again
# (prompt=login) rather than signing the last person in silently on a shared laptop.
OIDC_ID_TOKEN = "oidc_id_token"
OIDC_FORCE_LOGIN = "oidc_force_login"


def _return_path(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


async def page_actor(request: Request) -> Actor:
    """The signed-in person; redirects to sign-in when there is no session or it has idled out."""
    settings: Settings = request.app.state.settings
    employee_id = request.session.get("sub")
    if not isinstance(employee_id, str):
        raise SignInRequired(_return_path(request))
    seen = request.session.get("seen")
    now = _seconds(request)
    if not isinstance(seen, int) or now - seen > settings.session_idle_minutes * 60:
        at_provider = bool(request.session.get(OIDC_ID_TOKEN))
        end_session(request)
        if at_provider:  # the provider still knows them: its next sign-in must ask again
            request.session[OIDC_FORCE_LOGIN] = True
        minutes = settings.session_idle_minutes
        raise SignInRequired(_return_path(request), f"signed out after {minutes} minutes idle")
    request.session["seen"] = now
    actor = await resolve_actor(request, settings, employee_id)
    request.state.actor = actor  # the page shell's navigation follows their roles
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
