"""Reviews through the HTTP API (real database, time-skipping Temporal, real worker): started and
read, the case views they open, examples 2 and 3 started by business key, and a review run again
after its run was terminated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import names
from tests.api_support import (
    CRITICAL,
    EMERGING,
    reviewed,
    wait_stage,
)
from tests.factories import load, staff_rows
from tests.workflow_support import running_worker


async def test_review_start_read_and_case_views(own_env, sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        for url, who, status in [
            ("/reviews/acknowledgment/2026-11-26", None, 401),
            ("/reviews/acknowledgment/2026-13-01", "E-ADMIN", 403),  # no directory loaded yet
        ]:
            assert (await api.post(url, who)).status_code == status
        rid = await reviewed(api, own_env, sessions)
        for url, status in [
            ("/reviews/acknowledgment/2026-13-01", 422),
            ("/reviews/acknowledgment/26-11-2026", 422),
            ("/reviews/closure-credibility/2026-11-26", 422),
            ("/reviews/no-such-example/2026-11-26", 404),
        ]:
            response = await api.post(url, "E-ADMIN")
            assert response.status_code == status, (url, response.text)
        day = rid.removeprefix("ack-review-")
        # The example's step-1 role may start (or find) its review; another role may not.
        assert (await api.post(f"/reviews/acknowledgment/{day}", "E-SUPERVISOR")).status_code == 403
        other = await api.post("/reviews/closure-credibility/2026-10", "E-ANALYST")
        assert other.status_code == 403, other.text
        for who in ("E-ADMIN", "E-ANALYST"):
            again = await api.post(f"/reviews/acknowledgment/{day}", who)
            assert again.status_code == 200 and again.json()["workflow_id"] == rid

        await _review_read_filtered_and_marked_once(api, rid)
        case_id = await _cases_opened_and_listed_by_exposure(api)
        minimal = await api.get(f"/cases/{case_id}", "W-100")
        assert minimal.status_code == 200, minimal.text
        assert set(minimal.json()) == {
            "case_id",
            "reference",
            "stage",
            "status",
            "opened_at",
            "closed_at",
        }
        assert (
            await api.get(f"/cases/{case_id}", "E-OWNER")
        ).status_code == 404  # not (yet) theirs
        assert (await api.get("/cases/ack-case-NOPE", "E-DIRECTOR")).status_code == 404
        assert (await api.get(f"/cases/{case_id}", None)).status_code == 401


async def _review_read_filtered_and_marked_once(api: Any, rid: str) -> None:
    """Readers see the review, filtered and paged; a worker does not; marked once only."""
    review = (await api.get(f"/reviews/{rid}", "E-INSPECTOR")).json()
    assert review["total"] == 3 and review["summary"]["counts"]["critical"] == 1
    critical = (await api.get(f"/reviews/{rid}?classification=critical", "E-BOARD")).json()
    assert [i["reference"] for i in critical["items"]] == [CRITICAL]
    page = (await api.get(f"/reviews/{rid}?limit=1&offset=1", "E-ANALYST")).json()
    assert [i["reference"] for i in page["items"]] == [EMERGING] and page["total"] == 3
    assert (await api.get(f"/reviews/{rid}", "W-100")).status_code == 403
    assert (await api.get("/reviews/ack-review-1999-01-01", "E-ANALYST")).status_code == 404
    # Marked already (409), wrong role (the stage is judged first: 409 too), unknown (404).
    assert (await api.post(f"/reviews/{rid}/reviewed", "E-ANALYST")).status_code == 409
    missing = await api.post("/reviews/ack-review-1999-01-01/reviewed", "E-ANALYST")
    assert missing.status_code == 404, missing.text


async def _cases_opened_and_listed_by_exposure(api: Any) -> str:
    """Both cases at step 2, listed (and filtered) for the director only; the critical case's ID."""
    case_id = names.ack_case_id(CRITICAL)
    view = await wait_stage(api, case_id, "triage-attribution")
    await wait_stage(api, names.ack_case_id(EMERGING), "triage-attribution")
    assert view["live"]["obligations"]["triage-attribution"]["level"] == 0
    assert view["employee_id"] == "W-100" and view["timeline"]

    async def listed(**query: str) -> list[str]:
        response = await api.get("/cases", "E-DIRECTOR", params=query)
        assert response.status_code == 200, response.text
        return sorted(c["reference"] for c in response.json())

    assert await listed() == [CRITICAL, EMERGING]
    assert await listed(exposure="critical") == [CRITICAL]
    assert await listed(exposure="emerging") == [EMERGING]
    assert await listed(exposure="within_tolerance") == []
    assert await listed(example="acknowledgment", stage="triage-attribution") == [
        CRITICAL,
        EMERGING,
    ]
    assert (await api.get("/cases", "W-100")).status_code == 403
    return case_id


async def test_reviews_of_examples_two_and_three_start_by_business_key(
    own_env, sqlite_url, sessions_for, api_for, smtp_server
):
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        learning = await api.post("/reviews/learning-visibility/2026-11-26", "E-ADMIN")
        assert learning.status_code == 202, learning.text
        # Cycles of 14 days from 2026-01-05: the last one ended on or before 26 Nov began 9 Nov.
        assert learning.json()["review_id"] == "learning-audit-2026-11-09"
        again = await api.post("/reviews/learning-visibility/2026-11-23", "E-ADMIN")
        assert again.status_code == 200 and again.json()["review_id"] == "learning-audit-2026-11-09"
        closure = await api.post("/reviews/closure-credibility/2026-10", "E-ADMIN")
        assert (
            closure.status_code == 202 and closure.json()["review_id"] == "closure-review-2026-10"
        )
        bad = await api.post("/reviews/closure-credibility/2026-13", "E-ADMIN")
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"


async def test_the_analyst_runs_a_review_again_when_its_run_was_terminated(
    own_env, sqlite_url, sessions_for, api_for
):
    """Seed: the analyst "must generate" the daily review: a run that ended unfinished is run
    again by them (the generation is idempotent); a running or completed one is only found."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        day = (await own_env.get_current_time()).date() - timedelta(days=7)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        url = f"/reviews/acknowledgment/{day.isoformat()}"
        first = await api.post(url, "E-ANALYST")
        assert first.status_code == 202, first.text
        handle = own_env.client.get_workflow_handle(first.json()["workflow_id"])
        assert (await api.post(url, "E-ANALYST")).status_code == 200  # running: found
        first_run = (await handle.describe()).run_id
        await handle.terminate()
        rerun = await api.post(url, "E-ANALYST")
        assert rerun.status_code == 202, rerun.text
        latest = await own_env.client.get_workflow_handle(handle.id).describe()
        assert latest.run_id != first_run and latest.status.name == "RUNNING"
