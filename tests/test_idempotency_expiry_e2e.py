"""An Idempotency-Key reused after its 24 h retention carries a new request end to end: over
HTTP, on a time-skipping Temporal server whose clock the API reads. Temporal keeps an Update ID
for the workflow run's life, so a key that were the Update ID alone would be answered with its
first request's receipt and the new step silently not applied (the review finding behind
``keyed_update_id``)."""

from __future__ import annotations

from datetime import timedelta

from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from tests.api_support import (
    TRIAGE_DOCS,
    attribution,
    entries,
    impact,
    open_case,
    open_docs,
    wait_stage,
)
from tests.workflow_support import running_worker, skip, wait_for


async def test_a_key_used_again_after_its_retention_applies_its_new_request(
    own_env, sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)  # the API reads the env's clock
        assert api.app.state.settings.idempotency_key_hours == 24
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        steps, key = f"/cases/{case_id}/steps", {"Idempotency-Key": "daily-1"}
        first = await api.post(
            f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view), headers=key
        )
        assert first.status_code == 200, first.text
        view = await wait_stage(api, case_id, "retention-impact")
        await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))
        body = impact(view, "low")

        # Within the retention the key is used up: another request under it is refused.
        early = await api.post(f"{steps}/retention-impact", "E-MANAGER", json=body, headers=key)
        assert early.status_code == 422, early.text
        assert early.json()["errors"][0]["field"] == "Idempotency-Key"

        await skip(own_env, timedelta(hours=24, minutes=5))
        later = await api.post(f"{steps}/retention-impact", "E-MANAGER", json=body, headers=key)
        assert later.status_code == 200, later.text
        assert later.json() != first.json()  # its own receipt, not the first request's
        assert later.json()["step"] == "retention-impact", later.json()

        async def closed() -> bool:
            return (await api.get(f"/cases/{case_id}", "E-BOARD")).json()["status"] == "closed"

        await wait_for(closed)  # low impact: the new request was applied and closed the case
        kinds = [kind for _, kind, _ in await entries(sessions, case_id)]
        assert kinds == ["triage_attribution", "retention_impact", "case_closed"], kinds
        again = await api.post(f"{steps}/retention-impact", "E-MANAGER", json=body, headers=key)
        assert again.status_code == 200 and again.json() == later.json()  # a retry: applied once
