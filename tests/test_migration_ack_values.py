"""Migration 0022 on SQLite and PostgreSQL holding example-1 reviews: it values every item of
the reviews stored before it (by the settings' calendar), so the first analytics read values
nothing and gives the item-by-item figures; its downgrade drops the tables."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from config.settings import Settings
from domain.calendar import calendar_for
from store.analytics import acknowledgment_trends
from store.analytics_values import ensure_values
from store.db import make_engine, make_sessionmaker, transaction
from store.migrate import upgrade
from tests.analytics_oracle_support import (
    DAYS,
    FIRST_DAY,
    acknowledgment_oracle,
    random_items,
    rows_of,
)
from tests.migration_support import add_to_older_schema, downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture


async def test_items_stored_before_are_valued_and_read_as_before(empty_url: str) -> None:
    await upgrade(empty_url, "0021")
    items = random_items(seed=21, count=400)
    calendar = calendar_for(Settings().calendar_config())
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            await add_to_older_schema(session, rows_of(items))
        await upgrade(empty_url)
        start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
        async with transaction(make_sessionmaker(engine)) as session:
            count = sa.text("SELECT count(*) FROM ack_item_values")
            assert (await session.execute(count)).scalar_one() == len(items)
            assert await ensure_values(session, start, end, calendar) == 0  # all valued
            got = await acknowledgment_trends(session, "service_line", start, end, calendar)
        assert got == acknowledgment_oracle(items, "service_line", calendar)
        await downgrade_to(empty_url, "0021")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert "ack_item_values" not in tables and "ack_values_reviews" not in tables
    finally:
        await engine.dispose()
