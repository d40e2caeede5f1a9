"""What activities need from the outside world, built once by the worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from domain.acknowledgment import AckPolicy
from domain.calendar import CalendarConfig
from domain.learning import DEFAULT_ANCHOR
from domain.names import TASK_QUEUE
from infra.mail import MailSettings


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
