"""Text no store can keep (NUL, lone surrogates) is refused at the door, naming the field.

Every router uses ``GuardedRoute``: path and query parameters and a JSON body are checked before
the endpoint runs, so such a character never reaches the database or a workflow. The caller is
authorized first (401/403/404 before 422); ``/sources`` batches check their rows one by one instead
(a bad row is rejected inside the batch answer and its valid neighbours are stored).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api.authz import authorize, authorize_route
from api.deps import bearer_scheme
from api.errors import FieldError, Unprocessable
from api.policy import rule_for
from domain.text import unstorable, unstorable_fields


class GuardedRoute(APIRoute):
    """A route refusing unstorable text in its parameters (and, by default, its JSON body)."""

    check_body = True

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        check_body = self.check_body

        async def handle(request: Request) -> Response:
            errors = _parameter_errors(request)
            if check_body and not errors:
                errors = await _body_errors(request)
            if errors:
                await _authorize_first(request)
                raise Unprocessable("invalid text", errors)
            return await handler(request)

        return handle


class ParametersGuardedRoute(GuardedRoute):
    """Parameters only: the endpoint judges its body's text itself."""

    check_body = False


async def _authorize_first(request: Request) -> None:
    """The route's access rule before any word about the text (issue 10: a caller without the
    role gets 401/403 whatever the body). A case named in the path is looked up (404, then the
    relationship's 403) only when its ID can be stored at all; otherwise the 422 names it."""
    route = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", ""))
    if rule is not None and rule.public:
        return
    credentials = await bearer_scheme(request)
    case_id = request.path_params.get("case_id")
    if rule is not None and rule.case_scoped and unstorable(str(case_id)) is None:
        await authorize(request, credentials)
    else:
        await authorize_route(request, credentials)


def _parameter_errors(request: Request) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, value in request.path_params.items():
        reason = unstorable(str(value))
        if reason is not None:
            errors.append(FieldError(field=name, message=reason))
    for name, value in request.query_params.multi_items():
        reason = unstorable(name) or unstorable(value)
        if reason is not None:
            errors.append(FieldError(field=name, message=reason))
    return errors


async def _body_errors(request: Request) -> list[FieldError]:
    if "json" not in request.headers.get("content-type", ""):
        return []
    body = await request.body()
    if b"\\u" not in body and b"\x00" not in body:  # neither can occur without one of these
        return []
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return []  # FastAPI answers the malformed (or too deeply nested) body itself
    return [FieldError(field=f, message=m) for f, m in unstorable_fields(value)]


class BodyFieldsRoute(GuardedRoute):
    """Body validation errors name the field as the workflow does (``note``, not ``body.note``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise Unprocessable("invalid fields", [_field(e) for e in exc.errors()]) from exc

        return handle


def _field(error: Any) -> FieldError:
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] == "body":
        loc = loc[1:]
    return FieldError(field=".".join(loc) or "body", message=str(error["msg"]))
