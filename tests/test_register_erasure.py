"""Erasure on request: a person's data leaves the register payloads, every chain still verifies,
the erasure is itself a signed register entry, and a payload removed any other way is caught."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update

from store import tables
from store.db import transaction
from store.register_reads import entries
from store.register_verify import verify_chain
from store.registers import ERASURES, append_entry
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def _seed(sessions) -> None:
    rows = [
        ("triage-attribution", {"owner": "W-100", "note": "W-100's shift"}),
        ("triage-attribution", {"owner": "E-SUPERVISOR"}),
        ("retention-impact-file", {"employee_id": "W-100", "impact": ["W-100", "x"]}),
        ("retention-impact-file", {"employee_id": "W-1000"}),  # a longer ID is someone else
    ]
    async with transaction(sessions) as session:
        for register, payload in rows:
            await append_entry(
                session,
                register,
                actor="E-SUPERVISOR",
                recorded_at=AT,
                subject="S",
                kind="k",
                payload=payload,
            )


async def test_a_person_is_erased_and_every_chain_still_verifies(database_url, sessions, api_for):
    await load(sessions, "staff-directory", staff_rows())
    await _seed(sessions)
    api = await api_for(database_url, temporal_address=f"127.0.0.1:{free_port()}")
    body = {"person": "W-100", "request_ref": "SAR-2026-014"}
    assert (await api.post("/registers/erasures", "E-INSPECTOR", json=body)).status_code == 403
    answer = await api.post("/registers/erasures", "E-ADMIN", json=body)
    assert answer.status_code == 200, answer.text
    staff = {"source_records": 1, "source_record_versions": 1}  # their staff-directory record
    assert answer.json() == {"erased": 2, "erasure_seq": 1, "rows": staff}
    async with sessions() as session:
        triage = await entries(session, "triage-attribution")
        retention = await entries(session, "retention-impact-file")
        (erasure,) = await entries(session, ERASURES)
        checks = [
            await verify_chain(session, r)
            for r in ("triage-attribution", "retention-impact-file", ERASURES)
        ]
    assert [e.payload for e in triage] == [{}, {"owner": "E-SUPERVISOR"}]
    assert [e.payload for e in retention] == [{}, {"employee_id": "W-1000"}]
    assert triage[0].erased_by == 1 and triage[0].payload_salt == ""
    assert "W-100" not in str(erasure.payload) and erasure.subject == "SAR-2026-014"
    assert erasure.payload["entries"] == [
        {"register": "retention-impact-file", "seq": 1},
        {"register": "triage-attribution", "seq": 1},
    ]
    assert all(c.ok for c in checks), checks
    verified = await api.get("/registers/triage-attribution/verify", "E-INSPECTOR")
    assert verified.json()["ok"] is True
    again = await api.post("/registers/erasures", "E-ADMIN", json=body)
    assert again.json() == {"erased": 0, "erasure_seq": None, "rows": {}}


async def test_a_payload_removed_without_an_erasure_entry_is_caught(database_url, sessions):
    await _seed(sessions)
    async with transaction(sessions) as session:
        await session.execute(
            update(tables.RegisterEntry)
            .where(
                tables.RegisterEntry.register == "triage-attribution", tables.RegisterEntry.seq == 2
            )
            .values(payload={}, payload_salt="", erased_by=1)  # pretends an erasure that never was
        )
    async with sessions() as session:
        result = await verify_chain(session, "triage-attribution")
    assert not result.ok and result.first_bad_seq == 2
    assert result.reason == "payload erased without an erasure entry"


async def test_the_evidence_pack_prints_signed_heads_a_reader_can_verify_later(
    database_url, sessions, api_for
):
    await load(sessions, "staff-directory", staff_rows())
    await _seed(sessions)
    api = await api_for(database_url, temporal_address=f"127.0.0.1:{free_port()}")
    pack = await api.get("/evidence?from=2026-11-01&to=2026-11-30", "E-INSPECTOR")
    assert pack.status_code == 200, pack.text
    [registers] = [s for s in pack.json()["sections"] if s["title"] == "Register verification"]
    texts = " ".join(b["text"] for b in registers["blocks"] if b["type"] == "text")
    public = (await api.get("/registers/public-key", "E-INSPECTOR")).json()["public_key"]
    assert public in texts
    signed = dict(next(b for b in registers["blocks"] if b.get("title") == "Signed heads")["rows"])
    head = signed["triage-attribution"]
    url = "/registers/triage-attribution/verify"
    ok = (await api.get(url, "E-INSPECTOR", params={"head": head})).json()
    assert ok["ok"] and ok["anchored_seq"] == 2 and "1 given head" in ok["anchor"]
    forged = head[:-4] + ("0000" if not head.endswith("0000") else "1111")
    refused = await api.get(url, "E-INSPECTOR", params={"head": forged})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "head.0"
    async with transaction(sessions) as session:  # cut back behind the pack's head
        await session.execute(
            update(tables.RegisterHead)
            .where(tables.RegisterHead.register == "triage-attribution")
            .values(seq=1)
        )
        await session.execute(
            delete(tables.RegisterEntry).where(
                tables.RegisterEntry.register == "triage-attribution", tables.RegisterEntry.seq == 2
            )
        )
    cut = (await api.get(url, "E-INSPECTOR", params={"head": head})).json()
    assert not cut["ok"] and cut["first_bad_seq"] == 2, cut
