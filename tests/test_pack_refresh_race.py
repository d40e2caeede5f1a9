"""Reading an unpublished pack refreshes it, but never over a publication committed meanwhile
(review finding: the refresh wrote case list, content and time unconditionally, so on PostgreSQL
a read racing the publish activity could overwrite the published pack)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import names
from domain.calendar import BusinessCalendar, calendar_for
from domain.packs import PACKS
from store.packs import create_pack, get_pack, publish, refresh
from tests.workflow_support import CALENDAR

SPEC = PACKS[names.PACK_WEEKLY]
ANCHOR = date(2026, 1, 5)
AT = datetime(2026, 12, 9, 10, tzinfo=UTC)


def _calendar() -> BusinessCalendar:
    return calendar_for(CALENDAR)


async def test_a_refresh_does_not_overwrite_a_publication_committed_meanwhile(
    postgres_url: str, sessions_for: Any
) -> None:
    """PostgreSQL: a read-committed UPDATE lands on the row version the publication wrote."""
    sessions: async_sessionmaker[AsyncSession] = sessions_for(postgres_url)
    calendar = _calendar()
    async with sessions() as s, s.begin():
        await create_pack(s, SPEC, "2026-W50", [], AT, calendar, ANCHOR)
    async with sessions() as reader, reader.begin():
        stale = await get_pack(reader, names.PACK_WEEKLY, "2026-W50")  # read: unpublished
        assert stale is not None and stale.published_at is None
        async with sessions() as publisher, publisher.begin():  # the publish activity commits
            pack = await get_pack(publisher, names.PACK_WEEKLY, "2026-W50")
            assert pack is not None
            await publish(publisher, SPEC, pack, ["case-1"], "E-DIRECTOR", AT, calendar, ANCHOR)
        await refresh(reader, SPEC, stale, AT + timedelta(hours=1), calendar, ANCHOR)
        assert (stale.published_by, stale.case_ids, stale.generated_at) == (
            "E-DIRECTOR",
            ["case-1"],
            AT,
        )
    async with sessions() as s:
        stored = await get_pack(s, names.PACK_WEEKLY, "2026-W50")
        assert stored is not None
        assert (stored.published_by, stored.case_ids, stored.generated_at) == (
            "E-DIRECTOR",
            ["case-1"],
            AT,
        )
