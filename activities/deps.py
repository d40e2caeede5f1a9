"""What activities need from the outside world, built once by the worker."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from domain.acknowledgment import AckPolicy
from domain.names import TASK_QUEUE
from infra.mail import MailSettings


@dataclass
class ActivityDeps:
    sessions: async_sessionmaker[AsyncSession]
    client: Client | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    task_queue: str = TASK_QUEUE
    ack_policy: AckPolicy = field(default_factory=AckPolicy)
