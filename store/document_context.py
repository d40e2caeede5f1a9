"""What a prerequisite document is built for (a case of a review), and the builder signature
every example's document module registers under its slugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class UnknownDocument(KeyError):
    """No document with that slug."""


@dataclass(frozen=True)
class DocumentContext:
    reference: str
    review_id: str
    case_id: str


Builder = Callable[[AsyncSession, DocumentContext], Awaitable[dict[str, Any]]]
