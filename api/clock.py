"""The API's one clock: every route reads governance time from ``app.state.clock``.

Production uses the wall clock; tests install the time-skipping server's time
(``WorkflowEnvironment.get_current_time``) so a page or route sees the same instant as the
workflows it talks to, across 14- and 21-day skips.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

Clock = Callable[[], Awaitable[datetime]]


async def wall_clock() -> datetime:
    """The current UTC instant."""
    return datetime.now(UTC)


async def app_now(app: FastAPI) -> datetime:
    """The app's current instant (aware, UTC)."""
    clock: Clock = getattr(app.state, "clock", wall_clock)
    return (await clock()).astimezone(UTC)


async def request_now(request: Request) -> datetime:
    """The current instant for this request, from the app's clock."""
    return await app_now(request.app)


Now = Annotated[datetime, Depends(request_now)]
