"""``GET /metrics`` checks register chains against the heads anchored in Temporal, as the
registers pages do: a register cut back below its anchored head (its head moved back to a
signed entry, which the database alone cannot tell from a shorter register) reads 0."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.register_support import REGISTER, append_entries, cut_back_to, start_anchor
from tests.workflow_support import running_worker


def _chain_ok(text: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "nearmiss_register_chain_ok" and s.labels == {"register": REGISTER}:
                return s.value
    return None


async def test_a_register_cut_back_below_its_temporal_anchor_reads_zero(
    own_env, database_url, sessions_for, api_for
):
    sessions = sessions_for(database_url)
    await append_entries(sessions, 4)
    async with running_worker(own_env, sessions) as queue:
        handle, state = await start_anchor(own_env, queue)
        assert [(h.name, h.seq) for h in state.anchored] == [(REGISTER, 4)]
        # Cut back before any scrape recorded the last entries as verified: only the anchor
        # in Temporal still knows the register reached seq 4.
        await cut_back_to(sessions, 2)
        api = await api_for(database_url, temporal=own_env.client)
        assert _chain_ok((await api.get("/metrics", None)).text) == 0
        await handle.terminate()
