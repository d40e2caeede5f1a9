"""The evidence pack's register verification relies on the recorded full verification
(``store.register_checks``), SQLite and PostgreSQL: a later pack checks only the entries added
since and counts them; an entry altered before the last full verification is not claimed as
checked now, and once a full verification finds it the pack shows the failure. The pack never
verifies in full itself: a register never verified in full is "never", and the pack starts a
full verification workflow (real time-skipping server) that the next pack relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from domain.pack_periods import long_date
from domain.report import local_minute
from store.db import transaction
from store.register_verify import ChainVerification
from store.registers import append_entry
from store.tables import RegisterEntry
from tests.evidence_support import blocks, get, seeded, verified_in_full
from tests.pack_seed import at
from tests.pack_support import section
from tests.workflow_support import running_worker, wait_for

LOG = "learning-stabilization-log"  # one entry in the seeded set
FULL_AT = "Tue 1 Dec 2026, 09:00"  # the evidence clock, provider local time (London, GMT)


async def rows(api: Any) -> dict[str, list[Any]]:
    """Each register's row: entries, in range, last full verification, checked now, result."""
    found = blocks(section((await get(api)).json(), "Register verification"), "table")[0]
    return {r[0]: r[1:] for r in found["rows"]}


async def append(sessions: Any, n: int) -> None:
    async with transaction(sessions) as session:
        for i in range(n):
            await append_entry(
                session, LOG, actor="E-SUPERVISOR", recorded_at=at(30, 10 + i),
                subject=f"learning-case-L-{i}", kind="stabilization_pathway", payload={"n": i},
            )  # fmt: skip


async def verify_in_full(sessions: Any) -> ChainVerification:
    """LOG verified in full as the workflow's activity does it (the API only starts one)."""
    return (await verified_in_full(sessions, LOG))[LOG]


async def test_after_a_full_verification_a_pack_checks_only_new_entries(
    database_url, sessions, api_for
):
    api = await seeded(database_url, sessions, api_for)
    assert (await verify_in_full(sessions)).ok is True  # entry 1, recorded at the clock's time
    await append(sessions, 3)
    first = await rows(api)
    passed = f"{FULL_AT}: passed, entry 1"
    assert first[LOG] == [
        4,
        4,
        passed,
        3,
        "ok: entry 1 by the full verification; entries 2 to 4 now",
    ]
    # the other registers: never verified in full, and this pack does not run one (no
    # Temporal here to start one in: it says so) nor read the entries
    assert first["acknowledgment-recovery-log"][2:] == [
        "never: none could be started (Temporal unavailable)",
        0,
        "not verified: no check of this register has been recorded",
    ]
    again = await rows(api)  # nothing added since: nothing read again
    assert again[LOG] == [
        4, 4, passed, 0, "ok: entry 1 by the full verification; entries 2 to 4 as they were added",
    ]  # fmt: skip
    assert [r[3] for r in again.values()] == [0, 0, 0]
    await append(sessions, 2)
    assert (await rows(api))[LOG][3:] == [
        2, "ok: entry 1 by the full verification; entries 2 to 4 as they were added; "
        "entries 5 to 6 now",
    ]  # fmt: skip


async def test_an_entry_altered_before_the_full_verification_is_not_claimed_as_checked_now(
    database_url, sessions, api_for
):
    api = await seeded(database_url, sessions, api_for)
    await verify_in_full(sessions)
    await append(sessions, 2)
    assert (await rows(api))[LOG][3] == 2  # entries 2 and 3 checked now, recorded
    async with transaction(sessions) as session:  # a database writer edits entry 1's payload
        await session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.register == LOG, RegisterEntry.seq == 1)
            .values(payload={"altered": True})
        )
    after = (await rows(api))[LOG]
    # Not read again: the pack says entry 1 rests on the full verification of 09:00, not now.
    assert after == [
        3, 3, f"{FULL_AT}: passed, entry 1", 0,
        "ok: entry 1 by the full verification; entries 2 to 3 as they were added",
    ]  # fmt: skip
    full = await verify_in_full(sessions)
    assert (full.ok, full.first_bad_seq) == (False, 1)
    failed = (await rows(api))[LOG]
    assert failed == [
        3, 3, f"{FULL_AT}: FAILED at entry 1", 0,
        f"FAILS at entry 1: payload does not match its digest; found by the full "
        f"verification of {FULL_AT}",
    ]  # fmt: skip
    assert (await rows(api))[LOG] == failed  # the failure stands; nothing is re-read


async def test_a_new_entry_altered_before_the_pack_checks_it_fails_the_pack(
    database_url, sessions, api_for
):
    api = await seeded(database_url, sessions, api_for)
    await verify_in_full(sessions)
    await append(sessions, 2)
    async with transaction(sessions) as session:  # entry 2, added after the full verification
        await session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.register == LOG, RegisterEntry.seq == 2)
            .values(payload={"altered": True})
        )
    failed = (await rows(api))[LOG]
    assert failed == [
        3, 3, f"{FULL_AT}: passed, entry 1", 1,
        "FAILS at entry 2: payload does not match its digest; found by this pack's check of "
        "the new entries",
    ]  # fmt: skip
    later = (await rows(api))[LOG]  # recorded: the next pack says what found it, and when
    assert later[3:] == [
        0, "FAILS at entry 2: payload does not match its digest; found by the check of new "
        f"entries of {FULL_AT}",
    ]  # fmt: skip


async def test_a_register_never_verified_in_full_is_said_so_and_one_is_started(
    own_env, database_url, sessions, api_for, task_queue
):
    api = await seeded(
        database_url, sessions, api_for, temporal=own_env.client, temporal_task_queue=task_queue
    )
    asked = (
        f"never: one was asked for at {FULL_AT}; it runs in the background, the next pack shows it"
    )
    unread = [0, "not verified: no check of this register has been recorded"]
    first = await rows(api)  # no worker yet: nothing can have been verified inline
    assert first == {name: [1, 1, asked, *unread] for name in first} and len(first) == 3
    assert await rows(api) == first  # a second pack joins the runs under way
    async with running_worker(own_env, sessions, task_queue=task_queue):

        async def done() -> bool:
            for name in first:
                run = await api.get(f"/registers/{name}/verifications/current", "E-INSPECTOR")
                if run.json()["running"] or run.json()["recorded"] is None:
                    return False
            return True

        await wait_for(done)
    records = {
        r["name"]: r["verification"] for r in (await api.get("/registers", "E-INSPECTOR")).json()
    }
    after = await rows(api)
    for name, row in after.items():
        when = local_minute(records[name]["full_verified_at"], "Europe/London")
        assert row == [1, 1, f"{when}: passed, entry 1", 0, "ok: entry 1 by the full verification"]


async def test_a_range_ending_after_today_is_refused_and_starts_nothing(
    own_env, database_url, sessions, api_for, task_queue
):
    """`to` after today, on the one clock (the app's: here the time-skipping server's, a month
    ahead of the wall clock): a 422 naming `to`, and no verification is started; `to` today is
    the pack (which starts them), though that day is still to come by the wall clock."""
    api = await seeded(
        database_url, sessions, api_for, temporal=own_env.client, temporal_task_queue=task_queue
    )
    api.app.state.clock = own_env.get_current_time
    await own_env.sleep(timedelta(days=30))
    today = (await own_env.get_current_time()).astimezone(ZoneInfo("Europe/London")).date()
    assert today > datetime.now(UTC).date() + timedelta(days=25)
    registers = [r["name"] for r in (await api.get("/registers", "E-INSPECTOR")).json()]

    async def started() -> list[bool]:
        runs = [
            (await api.get(f"/registers/{name}/verifications/current", "E-INSPECTOR")).json()
            for name in registers
        ]
        return [bool(run["running"]) for run in runs]

    ahead = {"from": str(today - timedelta(days=7)), "to": str(today + timedelta(days=1))}
    for fmt in ("json", "pdf"):
        refused = await api.get("/evidence", "E-INSPECTOR", params={**ahead, "format": fmt})
        assert refused.status_code == 422, refused.text
        message = f"after today ({long_date(today)}): the pack covers days that have ended"
        assert refused.json()["errors"] == [{"field": "to", "message": message}]
    assert await started() == [False] * len(registers) and registers  # nothing changed
    pack = await api.get("/evidence", "E-INSPECTOR", params={**ahead, "to": str(today)})
    assert pack.status_code == 200, pack.text
    assert await started() == [True] * len(registers)  # what a pack does, the refusal did not
