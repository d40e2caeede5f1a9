"""Bench data for register verification (not demo data): ``total`` register entries, of which one
register of ``verified`` entries is a real chain (hashes, payload digests and Ed25519 signatures
made as ``store.registers.append_entry`` makes them, with the development key) and its head; the
rest are other registers' entries (filler that makes the table its full size). Loaded by COPY.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import admin
from bench.read_data import NOW, SPAN
from config.settings import DEV_SIGNING_KEY
from store.registers import GENESIS, RegisterEntry, entry_hash, hashed_fields, payload_digest
from store.signing import sign_head, signing_key

VERIFIED = "bench-verified-register"
_COLUMNS = (
    "register", "seq", "actor", "recorded_at", "subject", "kind", "payload", "payload_salt",
    "payload_digest", "erased_by", "prev_hash", "hash", "signature",
)  # fmt: skip
_BATCH = 50_000
_OTHER_REGISTERS = 1_000


async def generate(schema: str, total: int, verified: int) -> float:
    """COPY ``total`` entries into ``schema`` (``verified`` of them in ``VERIFIED``); seconds."""
    started = datetime.now(UTC)
    key = signing_key(DEV_SIGNING_KEY)
    connection = await admin()
    try:
        rows: list[tuple[Any, ...]] = []
        prev = GENESIS
        step = SPAN / max(1, verified)
        for seq in range(1, verified + 1):
            at = (NOW - SPAN + step * seq).astimezone(UTC)
            payload = {"case_id": f"case-{seq:08d}", "decision": "recorded", "n": seq}
            salt = f"{seq:032x}"
            entry = RegisterEntry(
                register=VERIFIED, seq=seq, actor="E-BENCH", recorded_at=at,
                subject=f"case-{seq:08d}", kind="step", payload=payload, prev_hash=prev, hash="",
                payload_salt=salt, payload_digest=payload_digest(salt, payload),
            )  # fmt: skip
            hash_ = entry_hash(prev, hashed_fields(entry))
            signature = sign_head(key, VERIFIED, seq, hash_)
            rows.append(_row(entry, hash_, signature))
            prev = hash_
            if len(rows) >= _BATCH:
                await _copy(connection, schema, rows)
                rows = []
        head = (VERIFIED, verified, prev, sign_head(key, VERIFIED, verified, prev))
        await connection.copy_records_to_table(
            "register_heads", schema_name=schema, records=[head],
            columns=("register", "seq", "hash", "signature"),
        )  # fmt: skip
        seqs = [0] * _OTHER_REGISTERS
        for n in range(total - verified):
            register = n % _OTHER_REGISTERS
            seqs[register] += 1
            at = NOW - SPAN + timedelta(seconds=n)
            rows.append(
                (
                    f"case-log-{register:04d}", seqs[register], "E-BENCH", at, f"case-{n:08d}",
                    "step", '{"n": 1}', "", "", None, GENESIS, GENESIS, "",
                )
            )  # fmt: skip
            if len(rows) >= _BATCH:
                await _copy(connection, schema, rows)
                rows = []
        await _copy(connection, schema, rows)
        await connection.execute(f'ANALYZE "{schema}".register_entries')
    finally:
        await connection.close()
    return (datetime.now(UTC) - started).total_seconds()


def _row(entry: RegisterEntry, hash_: str, signature: str) -> tuple[Any, ...]:
    return (
        entry.register, entry.seq, entry.actor, entry.recorded_at, entry.subject, entry.kind,
        json.dumps(entry.payload), entry.payload_salt, entry.payload_digest, None,
        entry.prev_hash, hash_, signature,
    )  # fmt: skip


async def _copy(connection: Any, schema: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await connection.copy_records_to_table(
            "register_entries", schema_name=schema, records=rows, columns=_COLUMNS
        )
