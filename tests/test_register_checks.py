"""Recorded register verifications (``store.register_checks``) on SQLite and PostgreSQL: a check
on view reads only the entries added since the last one (at most its limit, and says so), a
cut-back chain fails it, a record not signed by the service counts as none, a failure stands;
migration 0016 adds the table to a database holding registers."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import update
from sqlalchemy.pool import NullPool

from store.db import make_engine, make_sessionmaker, transaction
from store.migrate import upgrade
from store.register_checks import check_new_entries, recorded, verify_in_full
from store.tables import RegisterEntry, RegisterVerification
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.migration_support import downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture
from tests.register_support import REGISTER, append_entries, cut_back_to

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def _check(sessions, limit: int = 5_000) -> RegisterVerification:  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        before = (await recorded(session)).get(REGISTER)
        return await check_new_entries(session, REGISTER, at=NOW, before=before, limit=limit)


async def test_a_view_checks_only_new_entries_up_to_its_limit(sessions) -> None:  # type: ignore[no-untyped-def]
    await append_entries(sessions, 5)
    first = await _check(sessions, limit=3)
    assert (first.verified_seq, first.first_bad_seq, first.full_at) == (3, None, None)
    second = await _check(sessions, limit=3)
    assert (second.verified_seq, second.first_bad_seq) == (5, None)
    async with sessions() as session:
        stored = (await recorded(session))[REGISTER]
    assert (stored.verified_seq, stored.verified_hash) == (5, second.verified_hash)
    async with transaction(sessions) as session:  # an entry verified already is altered
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 2).values(payload={"n": 99})
        )
    assert (await _check(sessions)).first_bad_seq is None  # not re-read on view: by design
    async with transaction(sessions) as session:
        full = await verify_in_full(session, REGISTER, at=NOW, before=stored)
    assert (full.ok, full.first_bad_seq, full.reason) == (
        False, 2, "payload does not match its digest",
    )  # fmt: skip
    assert (await _check(sessions)).first_bad_seq == 2  # the failure stands


async def test_a_view_finds_a_chain_cut_back_below_what_it_verified(sessions) -> None:  # type: ignore[no-untyped-def]
    await append_entries(sessions, 4)
    assert (await _check(sessions)).verified_seq == 4
    await cut_back_to(sessions, 2)
    cut = await _check(sessions)
    assert (cut.first_bad_seq, cut.reason, cut.found_by) == (
        4, "entry is missing since it was verified", "view",
    )  # fmt: skip


async def test_a_record_not_signed_by_the_service_counts_as_none(sessions) -> None:  # type: ignore[no-untyped-def]
    await append_entries(sessions, 2)
    async with transaction(sessions) as session:
        await verify_in_full(session, REGISTER, at=NOW)
    async with transaction(sessions) as session:  # a database writer makes it read as passed
        await session.execute(
            update(RegisterVerification).values(full_seq=1_000, first_bad_seq=None)
        )
    async with sessions() as session:
        assert await recorded(session) == {}


async def test_migration_0016_adds_the_table_to_a_database_with_registers(empty_url: str) -> None:
    await upgrade(empty_url, "0015")
    engine = make_engine(empty_url, poolclass=NullPool)
    sessions = make_sessionmaker(engine, TEST_SIGNING_KEY)
    try:
        await append_entries(sessions, 3)  # the 0015 tables hold a register
        await upgrade(empty_url)
        checked = await _check(sessions)
        assert (checked.verified_seq, checked.first_bad_seq) == (3, None)
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT count(*) FROM register_verifications"))
            assert rows.scalar_one() == 1
        await downgrade_to(empty_url, "0015")
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        assert "register_verifications" not in names and "register_entries" in names
    finally:
        await engine.dispose()


async def test_a_view_racing_a_failed_full_verification_returns_the_failure(sessions) -> None:  # type: ignore[no-untyped-def]
    """A page view that read the record before the nightly run recorded a failure does not
    write over it, and shows the failure, not its own pass."""
    await append_entries(sessions, 3)
    await _check(sessions)
    async with sessions() as session:
        stale = (await recorded(session))[REGISTER]  # what the page view read
    async with transaction(sessions) as session:  # meanwhile: an old entry altered, found
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 1).values(payload={"n": 99})
        )
        failed = await verify_in_full(session, REGISTER, at=NOW, before=stale)
    assert (failed.ok, failed.first_bad_seq) == (False, 1)
    async with transaction(sessions) as session:
        shown = await check_new_entries(session, REGISTER, at=NOW, before=stale)
    assert (shown.first_bad_seq, shown.found_by, shown.full_ok) == (1, "full", False)
