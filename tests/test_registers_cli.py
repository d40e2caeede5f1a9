"""`nearmiss registers verify [NAME]` as a reader runs it: a head copied from a checkpoint mail
or pack, the first bad entry named, exit 1 on a failure; `registers public-key` prints the key."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from store.anchors import signed_heads
from store.signing import public_key_hex, signing_key
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.mail import free_port
from tests.test_register_anchor import REGISTER, _append, _cut_back_to

NEARMISS = str(Path(sys.executable).parent / "nearmiss")


async def _run(url: str, *args: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "NEARMISS_ENV": "development",
        "NEARMISS_DATABASE_URL": url,
        "NEARMISS_SIGNING_KEY": TEST_SIGNING_KEY,
        "NEARMISS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing there
    }
    process = await asyncio.create_subprocess_exec(
        NEARMISS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_verify_command_with_a_head_from_a_checkpoint(sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    await _append(sessions, 4)
    async with sessions() as session:
        (head,) = (await signed_heads(session))[0]
    given = f"{head.seq}:{head.hash}:{head.signature}"
    public = public_key_hex(signing_key(TEST_SIGNING_KEY))
    code, out = await _run(sqlite_url, "registers", "public-key")
    assert (code, out.strip()) == (0, public)
    code, out = await _run(
        sqlite_url, "registers", "verify", "--head", given, "--public-key", public
    )
    assert code == 0 and f"{REGISTER}: ok, 4 entries, anchored to seq 4" in out, out
    await _cut_back_to(sessions, 2)
    code, out = await _run(sqlite_url, "registers", "verify", REGISTER, "--head", given)
    print(out)
    assert code == 1 and f"{REGISTER}: FAILS at entry 3: entries up to seq 4" in out, out
