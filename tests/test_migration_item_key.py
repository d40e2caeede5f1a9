"""Migration 0029 on SQLite and PostgreSQL holding review items: it drops ``review_items``'
foreign key to ``reviews`` (the review's build holds the row instead) and keeps every item; its
downgrade puts the key back."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import upgrade
from tests.migration_support import downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture

_REVIEW = sa.text(
    "INSERT INTO reviews (review_id, example, period, as_of, generated_at, status, summary, "
    "back_run) VALUES ('r-1', 'credibility', '2026-11', :at, :at, 'generated', '{}', false)"
)
_ITEM = sa.text(
    "INSERT INTO review_items (review_id, reference, classification, reasons, fields) "
    "VALUES ('r-1', :ref, 'credible', '[]', '{}')"
)


def _keys(connection: Connection) -> list[tuple[list[str], str]]:
    return [
        (key["constrained_columns"], key["referred_table"])
        for key in sa.inspect(connection).get_foreign_keys("review_items")
    ]


async def _state(url: str) -> tuple[list[tuple[list[str], str]], int]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            keys = await connection.run_sync(_keys)
            count = await connection.scalar(sa.text("SELECT count(*) FROM review_items"))
    finally:
        await engine.dispose()
    return keys, int(count or 0)


async def test_the_items_key_goes_and_comes_back_with_every_item(empty_url: str) -> None:
    await upgrade(empty_url, "0028")
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(_REVIEW, {"at": datetime(2026, 12, 1, tzinfo=UTC)})
            await connection.execute(_ITEM, [{"ref": f"C-{n}"} for n in range(3)])
    finally:
        await engine.dispose()
    assert await _state(empty_url) == ([(["review_id"], "reviews")], 3)
    await upgrade(empty_url)
    assert await _state(empty_url) == ([], 3)
    await downgrade_to(empty_url, "0028")
    assert await _state(empty_url) == ([(["review_id"], "reviews")], 3)
