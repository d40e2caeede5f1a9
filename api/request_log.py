"""One JSON-ready log line per request, with a request ID (``X-Request-ID``, taken from the
caller when it is a plain token, else generated) bound for every line logged meanwhile.

Logged: method, route template, status, duration, and the case ID and step from the path;
never the caller, the query string or the body.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_log = logging.getLogger("nearmiss.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = b"x-request-id"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == HEADER:
            given = str(value.decode("latin-1"))
            if _SAFE_ID.match(given):
                return given
    return uuid.uuid4().hex


def _path_fields(scope: Scope) -> dict[str, Any]:
    """Route template, and the case and step the path names (set by the router)."""
    route = scope.get("route")
    params = scope.get("path_params") or {}
    template = getattr(route, "path", None)
    fields: dict[str, Any] = {"route": template or "unmatched"}
    if "case_id" in params:
        fields["case_id"] = params["case_id"]
    step = params.get("step")
    if step is None and template and "/steps/" in template:
        step = template.rsplit("/", 1)[-1]
    if step is not None:
        fields["step"] = step
    return fields


class RequestLogMiddleware:
    """Binds ``request_id`` for the request's lines and logs the request when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                _log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        **_path_fields(scope),
                    },
                )
