"""What activities need from the outside world, built once by the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from domain.acknowledgment import AckPolicy
from domain.calendar import CalendarConfig
from domain.learning import DEFAULT_ANCHOR
from domain.names import TASK_QUEUE
from infra.mail import MailSettings
from store.review_build import DEFAULT_PARTS

# The session of a step's opening (``activities.opening``) while it computes the step's values.
_OPENING: ContextVar[AsyncSession | None] = ContextVar("opening_session", default=None)


@dataclass
class ActivityDeps:
    sessions: async_sessionmaker[AsyncSession]
    client: Client | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    task_queue: str = TASK_QUEUE
    ack_policy: AckPolicy = field(default_factory=AckPolicy)
    # Packs read their period in the provider's calendar (cycles counted from the anchor).
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    cycle_anchor: date = DEFAULT_ANCHOR
    # Connections a review's items are built on at once (``store.review_build``; PostgreSQL).
    review_parts: int = DEFAULT_PARTS

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for computing a step's values: the opening's own (inside its transaction,
        which it commits) while one runs in this task, else a new one."""
        shared = _OPENING.get()
        if shared is not None:
            yield shared
            return
        async with self.sessions() as session:
            yield session

    @contextmanager
    def sharing(self, session: AsyncSession) -> Iterator[None]:
        """Within the block, ``reading`` in this task yields SESSION."""
        token = _OPENING.set(session)
        try:
            yield
        finally:
            _OPENING.reset(token)
