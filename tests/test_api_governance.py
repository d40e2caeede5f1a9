"""Example 1 through the HTTP API: a real database, a time-skipping Temporal server, a real worker.

Everything the test does goes through HTTP; the database is read only to assert what changed.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from store.tables import Case, DocumentOpening
from tests.api_support import (
    CRITICAL,
    EMERGING,
    TRIAGE_DOCS,
    attribution,
    entries,
    impact,
    impact_like,
    live,
    open_case,
    open_docs,
    reviewed,
    to_pathway_acceptance,
    wait_stage,
)
from tests.factories import load, staff_rows
from tests.workflow_support import running_worker, skip, wait_for


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


async def test_step_rejections_change_nothing_and_retry_is_idempotent(
    own_env, sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        url = f"/cases/{case_id}/steps/triage-attribution"
        fields = attribution(view)
        computed = fields["indicators_above_threshold"]

        async def rejected(who, body, status, path=url, headers=None):
            response = await api.post(path, who, json=body, headers=headers)
            assert response.status_code == status, response.text
            return response.json()

        await rejected(None, fields, 401)
        await rejected(None, fields, 401, headers={"Authorization": "Bearer nope"})
        await rejected("E-SUPERVISOR", fields, 404, path=url.replace(case_id, "ack-case-NOPE"))
        await rejected("E-SUPERVISOR", fields, 404, path=f"/cases/{case_id}/steps/no-such-step")
        invalid = await rejected("E-SUPERVISOR", {**fields, "note": "", "surprise": 1}, 422)
        assert {e["field"] for e in invalid["errors"]} == {"note", "surprise"}
        await rejected("E-MANAGER", fields, 403)
        missing = await rejected("E-SUPERVISOR", fields, 409)
        assert {e["field"] for e in missing["errors"]} == {f"documents.{d}" for d in TRIAGE_DOCS}
        await rejected(
            "E-MANAGER", impact_like(), 409, path=f"/cases/{case_id}/steps/retention-impact"
        )

        assert (
            await api.post(f"/cases/{case_id}/documents/daily-review/open", "W-100")
        ).status_code == 403
        assert (
            await api.post(f"/cases/{case_id}/documents/no-such-doc/open", "E-SUPERVISOR")
        ).status_code == 404
        other_example = f"/cases/{case_id}/documents/learning-visibility-audit/open"
        assert (await api.post(other_example, "E-SUPERVISOR")).status_code == 404
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        async with sessions() as session:
            openings = (await session.scalars(select(DocumentOpening.document))).all()
        assert sorted(openings) == sorted(TRIAGE_DOCS)

        wrong = await rejected(
            "E-SUPERVISOR", attribution(view, indicators_above_threshold=computed + 1), 422
        )
        assert wrong["errors"][0]["field"] == "indicators_above_threshold"
        assert f"computed value is {computed}" in wrong["errors"][0]["message"]
        unopened = attribution(
            view,
            confirmed_sources=[
                {"source": "routing_failure", "evidence": [{"document": "retention-file"}]}
            ],
        )
        bad_evidence = await rejected("E-SUPERVISOR", unopened, 422)
        assert bad_evidence["errors"][0]["field"] == "confirmed_sources.0.evidence.0.document"

        # Seed: "each confirmed source is supported by chronology and classification-source
        # evidence" — both kinds, and a cited chronology entry must be in the cited document.
        def source(*evidence):  # type: ignore[no-untyped-def]
            return attribution(
                view, confirmed_sources=[{"source": "manager_non_review", "evidence": evidence}]
            )

        one_kind = await rejected("E-SUPERVISOR", source({"document": "report-chronology"}), 422)
        assert one_kind["errors"][0]["field"] == "confirmed_sources.0.evidence"
        assert "classification-source" in one_kind["errors"][0]["message"]
        classification = {"document": "risk-classification-source"}
        ghost = {"document": "report-chronology", "entry": "event:999999"}
        no_entry = await rejected("E-SUPERVISOR", source(ghost, classification), 422)
        assert no_entry["errors"][0]["field"] == "confirmed_sources.0.evidence.0.entry"
        chronology = await api.post(
            f"/cases/{case_id}/documents/report-chronology/open", "E-SUPERVISOR"
        )
        entry = chronology.json()["entries"][0]["id"]
        fields = source({"document": "report-chronology", "entry": entry}, classification)

        assert await entries(sessions, case_id) == []
        assert (await live(api, case_id))["live"]["stage"] == "triage-attribution"
        async with sessions() as session:
            assert (await session.get(Case, case_id)).stage == "triage-attribution"

        key = {"Idempotency-Key": "retry-1"}
        # A refused request leaves its key reusable (the workflow's validator said 422)...
        refused = await api.post(url, "E-SUPERVISOR", json=source(classification), headers=key)
        assert refused.status_code == 422, refused.text
        first = await api.post(url, "E-SUPERVISOR", json=fields, headers=key)
        second = await api.post(url, "E-SUPERVISOR", json=fields, headers=key)
        assert first.status_code == second.status_code == 200, first.text
        assert first.json() == second.json()
        # ... an accepted one uses it up: the same key with another body is a 422 naming it.
        changed = await api.post(url, "E-SUPERVISOR", json={**fields, "note": "x"}, headers=key)
        assert changed.status_code == 422, changed.text
        [error] = changed.json()["errors"]
        assert error["field"] == "Idempotency-Key" and "'retry-1'" in error["message"]
        assert first.json()["register_name"] == "near-miss-reliability-case-register"
        await wait_stage(api, case_id, "retention-impact")
        assert await entries(sessions, case_id) == [
            ("near-miss-reliability-case-register", "triage_attribution", "E-SUPERVISOR")
        ]
        fresh = await api.post(url, "E-SUPERVISOR", json=fields)  # a new key: judged again
        assert fresh.status_code == 409


async def test_a_retry_of_the_submission_that_closed_the_case_gets_the_same_receipt(
    own_env, sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        steps = f"/cases/{case_id}/steps"
        attributed = await api.post(
            f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view)
        )
        assert attributed.status_code == 200, attributed.text
        view = await wait_stage(api, case_id, "retention-impact")
        await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))

        url, body, key = (
            f"{steps}/retention-impact",
            impact(view, "low"),
            {"Idempotency-Key": "close-1"},
        )
        first = await api.post(url, "E-MANAGER", json=body, headers=key)
        assert first.status_code == 200, first.text

        async def closed() -> bool:
            return (await api.get(f"/cases/{case_id}", "E-BOARD")).json()["status"] == "closed"

        await wait_for(closed)  # low impact: the workflow has completed
        retried = await api.post(url, "E-MANAGER", json=body, headers=key)
        assert retried.status_code == 200, retried.text
        assert retried.json() == first.json()
        other_key = await api.post(url, "E-MANAGER", json=body, headers={"Idempotency-Key": "x"})
        assert other_key.status_code == 409
        someone_else = await api.post(url, "E-SUPERVISOR", json=body, headers=key)
        assert someone_else.status_code == 403  # not the step's role: refused before the key
        other_step = await api.post(
            f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view), headers=key
        )
        assert other_step.status_code == 422  # a key used up by another step's request
        assert other_step.json()["errors"][0]["field"] == "Idempotency-Key"
        assert [kind for _, kind, _ in await entries(sessions, case_id)].count(
            "retention_impact"
        ) == 1


async def test_missed_deadline_shows_in_escalations(
    own_env, sqlite_url, sessions_for, api_for, smtp_server
):
    _inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        case_id, view = await open_case(api, own_env, sessions)
        assert (await api.get("/escalations", "E-BOARD")).json() == []
        assert (await api.get("/cases", "E-DIRECTOR", params={"overdue": "true"})).json() == []
        assert (await api.get("/escalations", "W-100")).status_code == 403
        deadline = view["live"]["obligations"]["triage-attribution"]["deadline"]
        now = await own_env.get_current_time()
        await skip(own_env, datetime.fromisoformat(deadline) - now + timedelta(minutes=30))

        async def breached() -> list[dict[str, Any]]:
            rows = (await api.get("/escalations", "E-BOARD")).json()
            return [r for r in rows if r["case_id"] == case_id]

        [breach] = await wait_for(breached)
        assert breach["step"] == "triage-attribution" and breach["level"] == 1
        assert breach["deadline"].startswith(deadline[:16])
        # "Overdue" is judged on the API's one clock (here the server's, past the deadline),
        # not on the wall clock (still before it).
        overdue = (await api.get("/cases", "E-DIRECTOR", params={"overdue": "true"})).json()
        assert case_id in [c["case_id"] for c in overdue]
        listed = (await api.get("/cases", "E-DIRECTOR", params={"exposure": "critical"})).json()
        assert listed[0]["escalation_level"] == 1


async def test_pathway_and_pack_publication_activate_the_case(
    own_env, postgres_url, sessions_for, api_for
):
    sessions = sessions_for(postgres_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(postgres_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id = await to_pathway_acceptance(api, own_env, sessions)
        pathway = f"/cases/{case_id}/pathway"
        assert (await api.post(f"{pathway}/accept", "E-SUPERVISOR")).status_code == 403
        assert (await api.post(f"{pathway}/accept", "E-OWNER")).status_code == 200
        await wait_stage(api, case_id, "awaiting-visibility")

        year, week, _ = (await own_env.get_current_time()).isocalendar()
        url = f"/packs/weekly-sustainability/{year}-W{week:02d}"
        for bad, status in [
            ("/packs/weekly-sustainability/2026-W60", 422),
            ("/packs/weekly-sustainability/2026-11", 422),
            ("/packs/monthly-board/2026-13", 422),
            ("/packs/no-such-pack/2026-W10", 404),
        ]:
            assert (await api.get(bad, "E-INSPECTOR")).status_code == status, bad
        assert (await api.get(url, "W-100")).status_code == 403
        pack = await api.get(url, "E-INSPECTOR")
        assert pack.status_code == 200, pack.text
        assert pack.json()["status"] == "generated" and pack.json()["case_ids"] == [case_id]
        csv_lines = (await api.get(url, "E-BOARD", params={"format": "csv"})).text.splitlines()
        assert csv_lines[0].startswith("case_id,reference") and csv_lines[1].startswith(case_id)
        page = await api.get(url, "E-BOARD", params={"format": "html"})
        assert page.headers["content-type"].startswith("text/html") and case_id in page.text
        pdf = await api.get(url, "E-BOARD", params={"format": "pdf"})
        assert pdf.headers["content-type"] == "application/pdf", pdf.text
        pages = PdfReader(io.BytesIO(pdf.content)).pages
        assert case_id in "".join(page.extract_text() for page in pages)

        assert (await api.post(f"{url}/publish", "E-ANALYST")).status_code == 403
        published = await api.post(f"{url}/publish", "E-DIRECTOR")
        assert published.status_code == 200, published.text
        assert published.json()["case_ids"] == [case_id]
        await wait_stage(api, case_id, "active-recovery")
        assert (await api.post(f"{url}/publish", "E-DIRECTOR")).status_code == 409
        assert (await api.get(url, "E-INSPECTOR")).json()["status"] == "published"

        done = f"{pathway}/actions/worker-communication/done"
        assert (await api.post(done, "E-SUPERVISOR")).status_code == 403
        answer = await api.post(done, "E-OWNER", json={"note": "Spoke to the worker"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["obligations"]["action:worker-communication"]["done_by"] == "E-OWNER"
        assert (await api.post(done, "E-OWNER")).status_code == 409
        unknown = await api.post(f"{pathway}/actions/no-such-action/done", "E-OWNER")
        assert unknown.status_code == 409


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
