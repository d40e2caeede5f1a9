"""Temporal remote codec endpoints, so an authorised operator can read payloads in the Web UI.

Development: loopback callers only, and CORS admits the dev UI's port on ``localhost`` and
``127.0.0.1``. Elsewhere: a bearer token (the Web UI passes the signed-in user's access token)
of an ``operator`` or a role that may read case data, and CORS admits ``NEARMISS_UI_ORIGIN``.

Protocol: ``POST /codec/encode`` and ``/codec/decode`` with ``{"payloads": [{"metadata": {k:
base64}, "data": base64}]}`` (the protobuf JSON of ``Payloads``) and an ``X-Namespace`` header.
"""

from __future__ import annotations

from ipaddress import ip_address
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from api.authz import authorize
from api.deps import Actor, SettingsDep, bearer_scheme
from api.errors import Forbidden, Unprocessable
from api.guard import GuardedRoute
from config.settings import Settings
from infra.codec import DecryptionError, EncryptionCodec
from infra.temporal import make_codec

router = APIRouter(prefix="/codec", tags=["codec"], route_class=GuardedRoute)

_PAYLOADS_EXAMPLE = {"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "e30="}]}


def allowed_origins(settings: Settings) -> list[str]:
    """``NEARMISS_UI_ORIGIN`` (comma-separated), plus the dev UI's port on both loopback names."""
    origins = [o.strip().rstrip("/") for o in settings.ui_origin.split(",") if o.strip()]
    if settings.env == "development":
        port = settings.temporal_ui_port
        origins += [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    return list(dict.fromkeys(origins))


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Let the Temporal Web UI call the codec with the operator's token."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=allowed_origins(settings),
        allow_credentials=True,
        allow_methods=["POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
    )


async def codec_access(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor | None:
    """Development: loopback callers only (403 otherwise); elsewhere a token of a role that
    ``api.policy`` admits to the codec."""
    if settings.env == "development":
        if not _is_loopback(request):
            raise Forbidden("in development the codec answers loopback callers only")
        return None
    return (await authorize(request, credentials)).actor


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ip_address(host.removeprefix("::ffff:")).is_loopback
    except ValueError:
        return host == "localhost"


def _codec(request: Request) -> EncryptionCodec:
    codec: EncryptionCodec | None = getattr(request.app.state, "codec", None)
    if codec is None:
        codec = request.app.state.codec = make_codec(request.app.state.settings)
    return codec


def _parse(body: dict[str, Any]) -> Payloads:
    try:
        return json_format.ParseDict(body, Payloads())
    except json_format.ParseError as exc:
        raise Unprocessable(
            "not a Payloads JSON object", [{"field": "payloads", "message": str(exc)}]
        ) from exc


def _answer(payloads: Payloads) -> Response:
    return Response(json_format.MessageToJson(payloads), media_type="application/json")


Access = Annotated[Actor | None, Depends(codec_access)]
PayloadsBody = Annotated[dict[str, Any], Body(examples=[_PAYLOADS_EXAMPLE])]
Namespace = Annotated[str | None, Header(alias="X-Namespace")]


@router.post("/encode")
async def encode(
    request: Request, body: PayloadsBody, _actor: Access, _ns: Namespace = None
) -> Response:
    """Encrypt the given payloads with the current key."""
    payloads = _parse(body)
    return _answer(Payloads(payloads=await _codec(request).encode(payloads.payloads)))


@router.post("/decode")
async def decode(
    request: Request, body: PayloadsBody, _actor: Access, _ns: Namespace = None
) -> Response:
    """Decrypt the given payloads (unencrypted ones come back unchanged); 422 for an unknown key."""
    payloads = _parse(body)
    try:
        decoded = await _codec(request).decode(payloads.payloads)
    except DecryptionError as exc:
        raise Unprocessable(str(exc)) from exc
    return _answer(Payloads(payloads=decoded))
