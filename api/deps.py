"""Request dependencies: settings, database session, Temporal client, the authenticated actor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.clock import app_now
from api.errors import Forbidden
from config.settings import Settings
from domain.roles import Role
from infra.temporal import connect
from infra.tokens import InvalidToken, TokenVerifier
from store.db import transaction
from store.staff import get_staff

TEMPORAL_CONNECT_TIMEOUT = timedelta(seconds=2)


class Actor(BaseModel):
    """The authenticated caller, as the staff directory (or the bootstrap list) describes them."""

    model_config = ConfigDict(frozen=True)

    employee_id: str
    display_name: str
    email: str
    roles: frozenset[Role]


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session in one transaction per request, committed before the response is sent."""
    async with transaction(request.app.state.sessions) as session:
        yield session


# scope="function": commit (or roll back) before the response leaves, so a 200 means stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def temporal_client(app: FastAPI) -> Client:
    """The app's Temporal client, connected on first use and cached (tests may pre-set it)."""
    state = app.state
    client: Client | None = getattr(state, "temporal_client", None)
    if client is not None:
        return client
    async with state.temporal_lock:
        client = getattr(state, "temporal_client", None)
        if client is None:
            client = await asyncio.wait_for(
                connect(
                    state.settings,
                    connect_timeout=TEMPORAL_CONNECT_TIMEOUT,
                    plugins=getattr(state, "temporal_plugins", ()),
                ),
                TEMPORAL_CONNECT_TIMEOUT.total_seconds() + 1,
            )
            state.temporal_client = client
    return client


async def get_temporal(request: Request) -> Client:
    """The Temporal client; 503 when the server cannot be reached."""
    try:
        return await temporal_client(request.app)
    except (RuntimeError, TimeoutError) as exc:
        raise HTTPException(503, f"Temporal unreachable: {exc}") from exc


TemporalDep = Annotated[Client, Depends(get_temporal)]

bearer_scheme = HTTPBearer(auto_error=False, description="`nearmiss token EMPLOYEE_ID`, or OIDC")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def bearer_employee_id(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> str:
    """The employee ID of a valid bearer token; 401 (with WWW-Authenticate) otherwise."""
    if credentials is None:
        raise _unauthorized("missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.verify_async(credentials.credentials)
    except InvalidToken as exc:
        raise _unauthorized(f"invalid token: {exc}") from exc


async def resolve_actor(
    request: Request, settings: Settings, employee_id: str, session: AsyncSession | None = None
) -> Actor:
    """``employee_id`` as the staff directory describes them; 403 when unknown, inactive or left.

    Employee IDs in ``bootstrap_admins`` are administrators even before the directory is loaded;
    when the directory does list them, its active/left status still applies. The lookup has its
    own short transaction (or the caller's SESSION, e.g. ``api.authz.authorize``'s with the case):
    a route that waits on Temporal holds no pool connection for it. Bearer tokens and page
    sessions both end here, so both see the same roles.
    """
    bootstrap = employee_id in settings.bootstrap_admins
    if session is not None:
        member = await get_staff(session, employee_id)
    else:
        async with transaction(request.app.state.sessions) as own:
            member = await get_staff(own, employee_id)
    if member is None:
        if not bootstrap:
            raise Forbidden(f"{employee_id} is not in the staff directory")
        return Actor(
            employee_id=employee_id,
            display_name=employee_id,
            email="",
            roles=frozenset({Role.ADMINISTRATOR}),
        )
    today = (await app_now(request.app)).astimezone(ZoneInfo(settings.timezone)).date()
    if not member.is_current(today):
        raise Forbidden(f"{employee_id} is no longer active in the staff directory")
    roles = member.roles | {Role.ADMINISTRATOR} if bootstrap else member.roles
    return Actor(
        employee_id=member.employee_id,
        display_name=member.display_name,
        email=member.email,
        roles=frozenset(roles),
    )


async def current_actor(
    employee_id: Annotated[str, Depends(bearer_employee_id)],
    request: Request,
    settings: SettingsDep,
) -> Actor:
    """The bearer token's holder from the staff directory (see :func:`resolve_actor`)."""
    return await resolve_actor(request, settings, employee_id)


CurrentActor = Annotated[Actor, Depends(current_actor)]
