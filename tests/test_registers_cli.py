"""`nearmiss registers verify [NAME]` as a reader runs it: a head copied from a checkpoint mail
or pack, the first bad entry named, exit 1 on a failure; `registers public-key` prints the key."""

from __future__ import annotations

from store.anchors import signed_heads
from store.signing import public_key_hex, signing_key
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.register_support import REGISTER, append_entries, cut_back_to, run_nearmiss


async def test_verify_command_with_a_head_from_a_checkpoint(sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    await append_entries(sessions, 4)
    async with sessions() as session:
        (head,) = (await signed_heads(session))[0]
    given = f"{head.seq}:{head.hash}:{head.signature}"
    public = public_key_hex(signing_key(TEST_SIGNING_KEY))
    code, out = await run_nearmiss(sqlite_url, "registers", "public-key")
    assert (code, out.strip()) == (0, public)
    code, out = await run_nearmiss(
        sqlite_url, "registers", "verify", "--head", given, "--public-key", public
    )
    assert code == 0 and f"{REGISTER}: ok, 4 entries, anchored to seq 4" in out, out
    await cut_back_to(sessions, 2)
    code, out = await run_nearmiss(sqlite_url, "registers", "verify", REGISTER, "--head", given)
    print(out)
    assert code == 1 and f"{REGISTER}: FAILS at entry 3: entries up to seq 4" in out, out
