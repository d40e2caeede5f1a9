"""HEAD answers wherever GET does (pages, the API, static files): FastAPI routes a GET route's
HEAD to "405 Method Not Allowed", so a HEAD is served as its GET and the body is left out, the
headers (Content-Type, Content-Length) kept as GET's."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    """Serve ``HEAD`` as ``GET`` without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a streamed body's chunks: none sent; its last one ends the answer
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_headers_only)
        finally:  # the route the router found, for the request log (which logs the HEAD)
            for key in ("route", "path_params"):
                if key in as_get:
                    scope[key] = as_get[key]
