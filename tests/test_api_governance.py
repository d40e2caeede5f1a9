"""Example 1's steps through the HTTP API: a real database, a time-skipping Temporal server, a real
worker (reviews: test_api_reviews.py).

Everything the test does goes through HTTP; the database is read only to assert what changed.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from store.tables import Case, DocumentOpening
from tests.api_support import (
    TRIAGE_DOCS,
    attribution,
    entries,
    impact,
    impact_like,
    live,
    open_case,
    open_docs,
    to_pathway_acceptance,
    wait_stage,
)
from tests.workflow_support import running_worker, skip, wait_for


async def test_step_rejections_change_nothing_and_retry_is_idempotent(
    own_env, sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        url = f"/cases/{case_id}/steps/triage-attribution"
        await _refused_by_who_where_what_and_prerequisites(api, case_id, url, attribution(view))
        await _documents_opened_only_by_the_steps_role(api, sessions, case_id)
        fields, classification = await _fields_checked_against_the_case(api, case_id, url, view)

        assert await entries(sessions, case_id) == []
        assert (await live(api, case_id))["live"]["stage"] == "triage-attribution"
        async with sessions() as session:
            assert (await session.get(Case, case_id)).stage == "triage-attribution"

        key = {"Idempotency-Key": "retry-1"}
        # A refused request leaves its key reusable (the workflow's validator said 422)...
        refused = await api.post(
            url, "E-SUPERVISOR", json=_source(view, classification), headers=key
        )
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


async def _rejected(api, who, body, status, path, headers=None):
    """POST BODY to PATH as WHO: answered STATUS; the answer's JSON."""
    response = await api.post(path, who, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def _refused_by_who_where_what_and_prerequisites(api, case_id, url, fields) -> None:
    """No or a bad token, an unknown case or step, bad fields, the wrong role, unopened
    documents, a step not yet open: each its own status, in that order."""
    await _rejected(api, None, fields, 401, url)
    await _rejected(api, None, fields, 401, url, headers={"Authorization": "Bearer nope"})
    await _rejected(api, "E-SUPERVISOR", fields, 404, url.replace(case_id, "ack-case-NOPE"))
    await _rejected(api, "E-SUPERVISOR", fields, 404, f"/cases/{case_id}/steps/no-such-step")
    invalid = await _rejected(api, "E-SUPERVISOR", {**fields, "note": "", "surprise": 1}, 422, url)
    assert {e["field"] for e in invalid["errors"]} == {"note", "surprise"}
    await _rejected(api, "E-MANAGER", fields, 403, url)
    missing = await _rejected(api, "E-SUPERVISOR", fields, 409, url)
    assert {e["field"] for e in missing["errors"]} == {f"documents.{d}" for d in TRIAGE_DOCS}
    await _rejected(
        api, "E-MANAGER", impact_like(), 409, f"/cases/{case_id}/steps/retention-impact"
    )


async def _documents_opened_only_by_the_steps_role(api, sessions, case_id) -> None:
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


def _source(view, *evidence):
    """Attribution fields confirming one source on EVIDENCE."""
    return attribution(
        view, confirmed_sources=[{"source": "manager_non_review", "evidence": evidence}]
    )


async def _fields_checked_against_the_case(api, case_id, url, view):
    """A computed value typed over, unopened or one-kind evidence, a cited entry not in its
    document: each a 422 on its field. Fields citing a real chronology entry, and the
    classification-source evidence."""
    computed = attribution(view)["indicators_above_threshold"]
    wrong = await _rejected(
        api, "E-SUPERVISOR", attribution(view, indicators_above_threshold=computed + 1), 422, url
    )
    assert wrong["errors"][0]["field"] == "indicators_above_threshold"
    assert f"computed value is {computed}" in wrong["errors"][0]["message"]
    unopened = attribution(
        view,
        confirmed_sources=[
            {"source": "routing_failure", "evidence": [{"document": "retention-file"}]}
        ],
    )
    bad_evidence = await _rejected(api, "E-SUPERVISOR", unopened, 422, url)
    assert bad_evidence["errors"][0]["field"] == "confirmed_sources.0.evidence.0.document"

    # Seed: "each confirmed source is supported by chronology and classification-source
    # evidence" — both kinds, and a cited chronology entry must be in the cited document.
    chronology_only = _source(view, {"document": "report-chronology"})
    one_kind = await _rejected(api, "E-SUPERVISOR", chronology_only, 422, url)
    assert one_kind["errors"][0]["field"] == "confirmed_sources.0.evidence"
    assert "classification-source" in one_kind["errors"][0]["message"]
    classification = {"document": "risk-classification-source"}
    ghost = {"document": "report-chronology", "entry": "event:999999"}
    no_entry = await _rejected(api, "E-SUPERVISOR", _source(view, ghost, classification), 422, url)
    assert no_entry["errors"][0]["field"] == "confirmed_sources.0.evidence.0.entry"
    chronology = await api.post(
        f"/cases/{case_id}/documents/report-chronology/open", "E-SUPERVISOR"
    )
    entries = chronology.json()["entries"]
    # The service's own events (the case opened, the step reached, a document opened) are shown
    # in the chronology but are no evidence: each refused on its field (the walk of 8 December).
    own = [e for e in entries if e["kind"] in ("stage", "obligation_opened", "document_opened")]
    assert {e["kind"] for e in own} == {"stage", "obligation_opened", "document_opened"}
    for event in own:
        bookkeeping = {"document": "report-chronology", "entry": event["id"]}
        refused = await _rejected(
            api, "E-SUPERVISOR", _source(view, bookkeeping, classification), 422, url
        )
        [error] = refused["errors"]
        assert error["field"] == "confirmed_sources.0.evidence.0.entry", refused
        assert "not a citable entry" in error["message"], refused
    entry = entries[0]["id"]
    assert entries[0]["kind"] == "record_received"
    cited = {"document": "report-chronology", "entry": entry}
    return _source(view, cited, classification), classification


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
        printed = "".join(page.extract_text() for page in pages)
        reference = case_id.removeprefix("ack-case-")  # by its report reference, not its ID
        assert reference in printed and case_id not in printed, printed

        assert (await api.post(f"{url}/publish", "E-ANALYST")).status_code == 403
        published = await api.post(f"{url}/publish", "E-DIRECTOR")
        assert published.status_code == 200, published.text
        assert published.json()["case_ids"] == [case_id]
        await wait_stage(api, case_id, "active-recovery")
        assert (await api.post(f"{url}/publish", "E-DIRECTOR")).status_code == 409
        assert (await api.get(url, "E-INSPECTOR")).json()["status"] == "published"

        done = f"{pathway}/actions/worker-communication/done"
        note = {"note": "Spoke to the worker"}
        assert (await api.post(done, "E-SUPERVISOR", json=note)).status_code == 403
        for blank in (None, {}, {"note": ""}, {"note": "   "}):  # what was done must be said
            refused = await api.post(done, "E-OWNER", json=blank)
            assert refused.status_code == 422, refused.text
            assert any(e["field"] in ("note", "body") for e in refused.json()["errors"])
        live = (await api.get(f"/cases/{case_id}", "E-OWNER")).json()["live"]
        assert live["obligations"]["action:worker-communication"]["done_at"] is None
        keyed = {"Idempotency-Key": "done-once"}
        answer = await api.post(done, "E-OWNER", json=note, headers=keyed)
        assert answer.status_code == 200, answer.text
        assert answer.json()["obligations"]["action:worker-communication"]["done_by"] == "E-OWNER"
        retried = await api.post(done, "E-OWNER", json=note, headers=keyed)  # the same answer
        assert retried.status_code == 200 and retried.json() == answer.json(), retried.text
        assert (await api.post(done, "E-OWNER", json=note)).status_code == 409
        unknown = await api.post(f"{pathway}/actions/no-such-action/done", "E-OWNER", json=note)
        assert unknown.status_code == 409
