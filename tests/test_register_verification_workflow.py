"""The nightly full verification on a real (time-skipping) Temporal server with the real
activities: an old entry altered after the pages verified it is found, recorded for the pages as
found by the full verification, and the inspectors are mailed an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from domain import names
from domain.anchors import RegistersVerified
from store.db import transaction
from store.register_checks import check_new_entries, recorded
from store.tables import RegisterEntry
from tests.factories import email, load, staff_rows
from tests.register_support import REGISTER, append_entries
from tests.workflow_support import running_worker, skip, wait_for


async def test_the_nightly_run_finds_an_old_entry_altered_since_it_was_verified(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_entries(sessions, 4)
    async with transaction(sessions) as session:  # a page view verified all four
        viewed = await check_new_entries(session, REGISTER, at=datetime.now(UTC))
    assert (viewed.verified_seq, viewed.first_bad_seq) == (4, None)
    async with transaction(sessions) as session:
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 2).values(payload={"n": 99})
        )
    await skip(own_env, timedelta(days=2))  # the server's clock now runs ahead of the machine's
    server_then = await own_env.get_current_time()
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        result = await own_env.client.execute_workflow(
            names.WF_REGISTER_VERIFICATION,
            id="register-verification-test",
            task_queue=queue,
            result_type=RegistersVerified,
            run_timeout=timedelta(minutes=2),
        )
    assert (result.registers, result.entries) == (1, 2)
    assert result.failed == [f"{REGISTER}: entry 2 payload does not match its digest"]
    async with sessions() as session:
        record = (await recorded(session))[REGISTER]
    assert (record.first_bad_seq, record.found_by, record.full_ok, record.full_seq) == (
        2, "full", False, 2,
    )  # fmt: skip
    assert record.full_at is not None and record.full_at >= server_then  # Temporal's clock
    await wait_for(lambda: _mailed(inbox))
    [alert] = inbox.to(email("E-INSPECTOR"))
    assert alert["Subject"].startswith("ALERT: register tampering detected")
    assert f"full verification: {REGISTER}: entry 2" in alert.get_payload()


async def _mailed(inbox) -> bool:  # type: ignore[no-untyped-def]
    return bool(inbox.messages)
