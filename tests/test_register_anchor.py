"""The register anchor on a real (time-skipping) Temporal server: heads recorded in Temporal's
history, a cut-back register found by the API's verification through that anchor, the anchor
workflow itself flags it, and inspectors get the signed checkpoint and the alert by mail."""

from __future__ import annotations

import re
from datetime import timedelta

from domain import names
from domain.anchors import AnchorState
from store.signing import public_key_hex, signing_key
from tests.bounds_support import sleep_within
from tests.factories import email, load, staff_rows
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.register_support import REGISTER, append_entries, cut_back_to, start_anchor
from tests.workflow_support import running_worker, wait_for


async def test_anchor_in_temporal_catches_a_cut_back_register(
    own_env, sqlite_url, sessions_for, smtp_server, api_for
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_entries(sessions, 4)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        handle, state = await start_anchor(own_env, queue)
        assert [(h.name, h.seq) for h in state.anchored] == [(REGISTER, 4)]
        api = await api_for(sqlite_url, temporal=own_env.client)
        good = (await api.get(f"/registers/{REGISTER}/verify", "E-INSPECTOR")).json()
        assert good["ok"] and good["anchored_seq"] == 4, good
        assert good["anchor"] == "temporal anchor checked"

        await cut_back_to(sessions, 2)
        bad = (await api.get(f"/registers/{REGISTER}/verify", "E-INSPECTOR")).json()
        print(f"cut back to 2 of 4: first bad seq {bad['first_bad_seq']} ({bad['reason']})")
        assert not bad["ok"] and bad["first_bad_seq"] == 3
        assert "anchored in temporal" in bad["reason"]

        await sleep_within(own_env, timedelta(seconds=61))  # the anchor's next check

        async def flagged() -> AnchorState | None:
            state = await handle.query(names.QUERY_ANCHORS, result_type=AnchorState)
            return state if state.violations else None

        state = await wait_for(flagged)
        assert state.violations == [f"{REGISTER}: anchored entry seq 4 is missing"]
        assert [h.seq for h in state.anchored] == [4]  # a head never moves back once anchored
        await wait_for(lambda: _mails(inbox, 2))
        await handle.terminate()
    checkpoint, alert = inbox.to(email("E-INSPECTOR"))[:2]
    public = public_key_hex(signing_key(TEST_SIGNING_KEY))
    assert (
        public in checkpoint.get_payload() and f"{REGISTER} seq 4 hash" in checkpoint.get_payload()
    )
    assert alert["Subject"].startswith("ALERT: register tampering detected")
    # The day in words, as the pages write it ("Register checkpoint, Mon 7 Dec 2026"), not ISO.
    assert re.fullmatch(r"Register checkpoint, \w{3} \d{1,2} \w{3} \d{4}", checkpoint["Subject"])


async def _mails(inbox, n: int) -> bool:
    return len(inbox.messages) >= n
