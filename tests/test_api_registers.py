"""Inspectors read registers and verify their hash chains over HTTP; tampering is detected. (A
full verification, a workflow, is tested in tests/test_api_register_verifications.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from store.db import transaction
from store.registers import append_entry
from store.tables import RegisterEntry
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port


async def test_inspector_reads_and_verifies_a_register(database_url, sessions, api_for):
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        for n in range(3):
            await append_entry(
                session,
                "near-miss-reliability-case-register",
                actor="E-SUPERVISOR",
                recorded_at=datetime(2026, 11, 26, 10, n, tzinfo=UTC),
                subject="ack-case-NM-1",
                kind="triage_attribution",
                payload={"n": n},
            )
    api = await api_for(database_url, temporal_address=f"127.0.0.1:{free_port()}")
    listed = (await api.get("/registers", "E-INSPECTOR")).json()
    assert listed == [
        {
            "name": "near-miss-reliability-case-register",
            "entries": 3,
            "head_hash": listed[0]["head_hash"],
            "verification": None,  # never verified yet: the listing does not verify
        }
    ]
    rows = (
        await api.get("/registers/near-miss-reliability-case-register/entries", "E-INSPECTOR")
    ).json()
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    verified = await api.get("/registers/near-miss-reliability-case-register/verify", "E-INSPECTOR")
    assert verified.json() == {
        "name": "near-miss-reliability-case-register",
        "entries": 3,
        "ok": True,
        "first_bad_seq": None,
        "reason": None,
        "anchored_seq": None,
        "anchor": "temporal anchor unavailable (RuntimeError)",
    }

    async with transaction(sessions) as session:  # someone edits history behind our back
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 2).values(payload={"n": 99})
        )
    tampered = await api.get("/registers/near-miss-reliability-case-register/verify", "E-BOARD")
    assert tampered.json()["ok"] is False and tampered.json()["first_bad_seq"] == 2
    full = await api.post(
        "/registers/near-miss-reliability-case-register/verifications", "E-INSPECTOR"
    )  # a full verification is a workflow: with Temporal unreachable none starts, none runs
    assert full.status_code == 503, full.text
    [record] = [r["verification"] for r in (await api.get("/registers", "E-INSPECTOR")).json()]
    assert record is None  # nothing verified inline, nothing recorded
    assert (await api.get("/registers/nope/verify", "E-INSPECTOR")).status_code == 404
    assert (await api.get("/registers", "W-100")).status_code == 403
