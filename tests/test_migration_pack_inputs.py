"""0017 adds ``packs.inputs`` (what a pack was built from) and an index on ``cases.updated_at``
to a database holding packs, on SQLite and PostgreSQL: a stored pack keeps its content with no
fingerprint, its next view rebuilds it once and the view after that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import packs as pack_store
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from tests.migration_support import downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture
from tests.pack_support import CALENDAR

AT = datetime(2026, 11, 27, 15, tzinfo=UTC)


async def test_packs_stored_before_0017_are_rebuilt_once_then_kept(empty_url: str) -> None:
    await upgrade(empty_url, "0016")
    generated = AT.replace(tzinfo=None) if empty_url.startswith("sqlite") else AT
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO packs (kind, period, status, generated_at, case_ids, content) "
                    "VALUES (:kind, '2026-W48', 'generated', :at, '[]', '{\"sections\": []}')"
                ),
                {"kind": names.PACK_WEEKLY, "at": generated},
            )
        await upgrade(empty_url)
        sessions = make_sessionmaker(engine)
        spec = PACKS[names.PACK_WEEKLY]
        seen = []
        for minute in (5, 6):
            async with sessions() as session, session.begin():
                pack = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W48")
                assert pack is not None
                if minute == 5:
                    assert pack.inputs is None and pack.content == {"sections": []}
                when = AT.replace(minute=minute)
                seen.append(await pack_store.view(session, spec, pack, when, CALENDAR,
                                                  DEFAULT_ANCHOR))  # fmt: skip
        assert seen == [True, False]
        async with sessions() as session:
            pack = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W48")
            assert pack is not None and pack.inputs is not None
            assert pack.content["kind"] == names.PACK_WEEKLY
        await downgrade_to(empty_url, "0016")
        async with engine.connect() as connection:
            kept = await connection.scalar(sa.text("SELECT count(*) FROM packs"))
        assert kept == 1
    finally:
        await engine.dispose()
