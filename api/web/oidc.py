"""Production sign-in: OpenID Connect authorization code flow with PKCE, through Authlib.

``GET /app/sign-in/oidc`` remembers the (same-origin) return path and sends the browser to
``NEARMISS_OIDC_ISSUER`` with a fresh state, nonce and S256 code challenge (Authlib keeps them
in the session). The callback checks the state, exchanges the code with the verifier and the
client secret, verifies the ID token (signature from the issuer's JWKS, issuer, audience,
nonce), reads the employee ID from ``NEARMISS_OIDC_EMPLOYEE_CLAIM`` and signs the person in
only if the staff directory lists them as current; otherwise a page says why.

Sign-out of a session begun here also ends the provider's session (OpenID Connect RP-initiated
logout): the browser goes to the provider's ``end_session_endpoint`` (from discovery) with the
ID token as hint and ``post_logout_redirect_uri`` back to ``/app/signed-out``, so the next visit
signs in at the provider again rather than silently (``NEARMISS_OIDC_PROVIDER_SIGN_OUT``).
A session that idled out cannot send the browser there, so the next sign-in asks the provider
for a fresh login (``prompt=login``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import resolve_actor
from api.errors import Forbidden, NotFound
from api.web.render import render
from api.web.session import (
    HOME,
    OIDC_FORCE_LOGIN,
    OIDC_ID_TOKEN,
    safe_next,
    start_session,
)
from config.settings import Settings

router = APIRouter(prefix="/app", include_in_schema=False)
NEXT_KEY = "oidc_next"
CALLBACK = "/app/sign-in/oidc/callback"
SIGNED_OUT = "/app/signed-out"
ID_TOKEN_KEY = OIDC_ID_TOKEN  # kept in the (signed, HttpOnly) session for sign-out's hint


def oidc_client(request: Request) -> StarletteOAuth2App:
    """The app's OpenID client (created on first use); 404 when no issuer is configured."""
    client: StarletteOAuth2App | None = getattr(request.app.state, "oidc", None)
    if client is not None:
        return client
    settings: Settings = request.app.state.settings
    if not settings.oidc_issuer or not settings.oidc_client_id:
        raise NotFound("OpenID Connect sign-in is not configured (NEARMISS_OIDC_ISSUER)")
    oauth = OAuth()
    client = oauth.register(
        "nearmiss",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    request.app.state.oidc = client
    return client


def _refused(request: Request, reason: str, status: int) -> HTMLResponse:
    return render(request, "sign_in_refused.html", {"reason": reason}, status=status)


@router.get("/sign-in/oidc")
async def oidc_start(request: Request, next: str = HOME) -> Response:
    """To the OpenID provider; the return path is kept (same-origin only) for after."""
    client = oidc_client(request)
    settings: Settings = request.app.state.settings
    request.session[NEXT_KEY] = safe_next(next)
    # After an idle timeout the provider must log the person in again, never silently.
    extra = {"prompt": "login"} if request.session.pop(OIDC_FORCE_LOGIN, False) else {}
    redirect: Response = await client.authorize_redirect(
        request, settings.public_url + CALLBACK, **extra
    )
    return redirect


async def _claims(client: StarletteOAuth2App, request: Request) -> tuple[dict[str, Any], str]:
    """The verified ID token's claims (state, PKCE and nonce checked by Authlib) and the token."""
    token = await client.authorize_access_token(request)
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if not claims:
        raise OAuthError("missing_id_token", "the provider returned no ID token")
    return claims, str(token.get("id_token") or "")


@router.get("/sign-in/oidc/callback")
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: sign in a current staff member, or say why not."""
    client = oidc_client(request)
    settings: Settings = request.app.state.settings
    try:
        claims, id_token = await _claims(client, request)
    except OAuthError as exc:
        reason = f"The sign-in did not complete ({exc.error}). Please start again."
        return _refused(request, reason, 400)
    employee_id = claims.get(settings.oidc_employee_claim)
    if not isinstance(employee_id, str) or not employee_id:
        claim = settings.oidc_employee_claim
        return _refused(request, f"Your account carries no employee ID (claim {claim!r}).", 403)
    try:
        actor = await resolve_actor(request, settings, employee_id)
    except Forbidden as exc:
        return _refused(request, f"You cannot use this service: {exc.detail}.", 403)
    target = safe_next(request.session.get(NEXT_KEY))
    start_session(request, actor.employee_id)  # a fresh session: nothing of the sign-in kept
    if id_token:
        request.session[ID_TOKEN_KEY] = id_token
    return RedirectResponse(target, status_code=303)


async def provider_sign_out_url(request: Request, id_token: str) -> str | None:
    """Where the browser ends its session at the provider (RP-initiated logout), or None (a local
    sign-out) when that is turned off, or the provider has no ``end_session_endpoint`` or cannot
    be reached."""
    settings: Settings = request.app.state.settings
    if not settings.oidc_provider_sign_out:
        return None
    try:  # discovered at sign-in (cached); a provider unreachable now still lets us sign out
        metadata = await oidc_client(request).load_server_metadata()
    except (httpx.HTTPError, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = {
        "id_token_hint": id_token,
        "client_id": settings.oidc_client_id,
        "post_logout_redirect_uri": settings.public_url + SIGNED_OUT,
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


@router.get(SIGNED_OUT.removeprefix("/app"))
async def signed_out() -> RedirectResponse:
    """Back from the provider's sign-out: the sign-in page, saying so."""
    return RedirectResponse("/app/sign-in?reason=signed+out", status_code=303)
