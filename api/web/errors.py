"""Errors on pages render as pages: the JSON handlers stay for the API, pages get HTML.

The same typed errors (403, 404, 409, 422) that the API maps to JSON are shown to a person as a
readable page; a missing or idle session redirects to sign-in and back.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from api.authz import has_session
from api.errors import (
    ApiError,
    CaseRoleRequired,
    FieldError,
    RoleRequired,
    validation_field_errors,
)
from api.web.analytics_refused import refused_range
from api.web.evidence_refused import refused_evidence
from api.web.render import render
from api.web.session import SignInRequired, sign_in_url
from api.web.words import governance_titles, roles_in_words
from domain.mail_words import ids_in_words

Handler = Callable[[Request, Exception], Awaitable[Response]]
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    422: "Please correct the form",
    503: "Temporarily unavailable",
}


def is_page(request: Request) -> bool:
    """True for the web application's paths (``/app`` and below)."""
    path = request.url.path
    return path == "/app" or path.startswith("/app/")


def is_browser_rendering(request: Request) -> bool:
    """True for an API route's ``?format=html`` rendering (the evidence pack, a pack's
    printable page) opened by a signed-in person in the browser, with no bearer token: refused,
    they get the pages' error page rather than the API's JSON. API clients keep JSON."""
    if request.query_params.get("format") != "html" or "authorization" in request.headers:
        return False
    return has_session(request)


def is_browser(request: Request) -> bool:
    """A signed-in person's browser opening an API route (it asks for ``text/html``, as every
    navigation does, a ``?format=pdf`` link included), with no bearer token: refused, it gets
    the pages' error page. API clients (a token, or no ``text/html``: scripts, ``fetch``) keep
    the JSON."""
    if "authorization" in request.headers or "text/html" not in request.headers.get("accept", ""):
        return False
    return has_session(request)


def is_signed_out_browser(request: Request) -> bool:
    """A browser with no session and no bearer token opening an API route's page (``?format=
    html``: the evidence pack, a pack's printable page; an analytics page): refused 401, it is
    told to sign in, with a link back. API clients (no ``text/html``, or a token) keep JSON."""
    if "authorization" in request.headers or "text/html" not in request.headers.get("accept", ""):
        return False
    page = request.query_params.get("format") == "html" or request.url.path.startswith(
        "/analytics/"
    )
    return page and not has_session(request)


def sign_in_page(request: Request) -> Response:
    """401 as a page: sign in, then back to the page asked for."""
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = {
        "title": "Please sign in",
        "detail": "This page is for signed-in staff. Sign in, and it opens again.",
        "sign_in": sign_in_url(asked),
    }
    return render(request, "error.html", context | {"errors": []}, status=401)


# A framework's bare reason phrase ("Not Found") says nothing the title has not: in words.
PHRASES = {
    "not found": "There is no page at this address. Check the link, or go back to your work.",
    "method not allowed": "This address cannot be used that way. Go back and try again.",
}
NO_CASE = re.compile(r"^no (case|report) '?([^' ]+)'?(?: that you may see)?$")


def plain_detail(detail: str) -> str:
    """An error's detail as a sentence a person reads: IDs in words, no quoted codes, capital
    first letter, a full stop ("no case 'CC-9999'" → "There is no report or case CC-9999 that
    you can open."; whether it exists for someone else is not said)."""
    words = PHRASES.get(detail.strip().lower()) or ids_in_words(detail).strip()
    if match := NO_CASE.match(words):
        what = "report" if match.group(1) == "report" else "report or case"  # an ID: a report
        words = f"There is no {what} {match.group(2)} that you can open"
    words = re.sub(r"'([^'\s]+)'", r"\1", words)
    if not words:
        return "Something went wrong."
    words = words[:1].upper() + words[1:]
    return words if words.endswith((".", "?", "!")) else words + "."


def error_page(
    request: Request,
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    roles: list[str] | None = None,
) -> Response:
    """A readable error page with the same status code the API would answer; ``roles``: the
    job titles a refusal's "a governance role" stands for (listed only when asked for)."""
    title = TITLES.get(status, "Something went wrong")
    context = {"title": title, "detail": plain_detail(detail), "roles": roles or []}
    return render(request, "error.html", context | {"errors": errors or []}, status=status)


def _wrap(json_handler: Any, to_page: Callable[[Request, Exception], Response]) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page(request):
            if isinstance(exc, ApiError) and (again := await _form_again(request, exc)):
                return again
            return to_page(request, exc)
        # A refused range (an analytics page, the evidence pack): its form again, as asked.
        if refused := await refused_range(request, exc) or await refused_evidence(request, exc):
            return refused
        if is_browser_rendering(request):
            return to_page(request, exc)
        if getattr(exc, "status_code", None) == 401 and is_signed_out_browser(request):
            return sign_in_page(request)
        if is_browser(request):
            return to_page(request, exc)
        response: Response = await json_handler(request, exc)
        return response

    return handler


async def _form_again(request: Request, exc: ApiError) -> Response | None:
    """A refused step, acceptance or action submission (403: not the step's role or the named
    owner, an expired form) shows its page again with the reason, rather than an error page;
    None for any other error."""
    # Imported here: the step pages import the modules this one is imported by.
    from api.web.pathway import refused_pathway  # noqa: PLC0415
    from api.web.steps import refused_step  # noqa: PLC0415

    return await refused_step(request, exc) or await refused_pathway(request, exc)


def _api_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if isinstance(exc, RoleRequired):  # the API's role identifiers, in the pages' words
        who, titles = roles_in_words(exc.roles, short=True), governance_titles(exc.roles)
        return error_page(request, 403, f"Only {who} may see this page.", roles=titles)
    if isinstance(exc, CaseRoleRequired):  # the same for a case's page, and the case by report
        who = roles_in_words(exc.roles, exc.relationships, short=True)
        detail = f"Only {who} may see this page of report {exc.reference}."
        return error_page(request, 403, detail, roles=governance_titles(exc.roles))
    return error_page(request, exc.status_code, exc.detail, exc.errors)


def _http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code, str(exc.detail))


def _validation_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_page(request, 422, "invalid request", validation_field_errors(exc))


async def _sign_in(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(sign_in_url(exc.next_path, exc.reason), status_code=303)


def install_page_errors(app: FastAPI) -> None:
    """Page paths get HTML errors; every other path keeps the API's JSON handlers."""
    for exc_type, to_page in (
        (ApiError, _api_error_page),
        (HTTPException, _http_error_page),
        (RequestValidationError, _validation_page),
    ):
        json_handler = app.exception_handlers[exc_type]
        app.add_exception_handler(exc_type, _wrap(json_handler, to_page))
    app.add_exception_handler(SignInRequired, _sign_in)
