"""The worker's own forms over HTTP (real database, no Temporal), and Temporal being down (503)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from domain.cases import ProjectionUpdate
from store.cases import upsert_projection
from store.db import transaction
from tests.factories import case_row, closed_register_row, load, staff_rows, stored_records
from tests.fixtures.mail import free_port

CONFIDENCE = "/forms/speaking-up-confidence"
CONFIRMATION = "/forms/employee-confirmation"


async def test_speaking_up_confidence_is_the_workers_own(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    answer = {"score": 4, "risk_domain": "medication", "comment": "Better since the huddle"}

    response = await api.post(CONFIDENCE, "W-100", json=answer)
    assert response.status_code == 200, response.text
    key = response.json()["key"]
    [record] = (await stored_records(sessions, "speaking-up-confidence-form")).values()
    assert record["employee_id"] == "W-100" and record["service_line"] == "HC-NORTH"
    assert record["response_id"] == key and record["score"] == 4

    too_high = await api.post(CONFIDENCE, "W-100", json={**answer, "score": 6})
    assert too_high.status_code == 422
    assert [e["field"] for e in too_high.json()["errors"]] == ["score"]
    domain = await api.post(CONFIDENCE, "W-100", json={**answer, "risk_domain": "weather"})
    assert [e["field"] for e in domain.json()["errors"]] == ["risk_domain"]
    naive = await api.post(CONFIDENCE, "W-100", json={**answer, "submitted_at": "2026-11-26T10:00"})
    assert [e["field"] for e in naive.json()["errors"]] == ["submitted_at"]
    someone_else = await api.post(CONFIDENCE, "W-100", json={**answer, "employee_id": "E-OWNER"})
    assert someone_else.status_code == 403
    assert (await api.post(CONFIDENCE, None, json=answer)).status_code == 401
    assert (await api.post(CONFIDENCE, "W-UNKNOWN", json=answer)).status_code == 403
    assert len(await stored_records(sessions, "speaking-up-confidence-form")) == 1


async def test_employee_confirmation_only_for_own_case(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await load(sessions, "closed-case-register", [closed_register_row("CASE-OLD-7", "E-OWNER")])
    async with sessions() as session, session.begin():
        session.add(case_row("ack-case-NM-LOW-1", "W-100"))
    api = await api_for(sqlite_url)

    mine = await api.post(
        CONFIRMATION, "W-100", json={"case_ref": "ack-case-NM-LOW-1", "confirmed": True}
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["record"]["employee_id"] == "W-100"
    theirs = await api.post(
        CONFIRMATION, "E-OWNER", json={"case_ref": "ack-case-NM-LOW-1", "confirmed": False}
    )
    assert theirs.status_code == 403
    old = await api.post(
        CONFIRMATION,
        "E-OWNER",
        json={"case_ref": "CASE-OLD-7", "confirmed": False, "comment": "no"},
    )
    assert old.status_code == 200, old.text
    unknown = await api.post(
        CONFIRMATION, "W-100", json={"case_ref": "CASE-NOPE", "confirmed": True}
    )
    assert unknown.status_code == 404
    invalid = await api.post(
        CONFIRMATION, "W-100", json={"case_ref": "ack-case-NM-LOW-1", "confirmed": "maybe"}
    )
    assert [e["field"] for e in invalid.json()["errors"]] == ["confirmed"]
    confirmations = await stored_records(sessions, "employee-confirmation-form")
    assert sorted(confirmations) == ["CASE-OLD-7", "ack-case-NM-LOW-1"]
    assert confirmations["ack-case-NM-LOW-1"]["confirmed"] is True


async def test_temporal_unreachable_is_503(sqlite_url, api_for):
    api = await api_for(
        sqlite_url, temporal_address=f"127.0.0.1:{free_port()}", bootstrap_admins=["E-ADMIN"]
    )
    response = await api.post("/reviews/acknowledgment/2026-11-26", "E-ADMIN")
    assert response.status_code == 503, response.text
    assert "Temporal unreachable" in response.json()["detail"]


async def test_case_detail_still_answers_when_temporal_is_down(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await _project_case(sessions)
    api = await api_for(sqlite_url, temporal_address=f"127.0.0.1:{free_port()}")
    response = await api.get("/cases/ack-case-NM-X", "E-SUPERVISOR")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["live"] is None and "Temporal unreachable" in body["live_unavailable"]
    assert body["stage"] == "triage-attribution"


async def test_case_detail_answers_quickly_when_no_worker_runs(
    own_env, sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await _project_case(sessions)
    # The case's workflow exists, but no worker polls its queue: the query waits for nobody.
    await own_env.client.start_workflow(
        "AcknowledgmentCaseWorkflow", id="ack-case-NM-X", task_queue="no-worker-polls-this"
    )
    api = await api_for(sqlite_url, temporal=own_env.client)
    began = time.monotonic()
    response = await api.get("/cases/ack-case-NM-X", "E-SUPERVISOR")
    waited = time.monotonic() - began
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["live"] is None and "did not answer in time" in body["live_unavailable"]
    assert body["stage"] == "triage-attribution"
    assert waited < 8  # the live view gives up after 2 s, not the 10 s of other calls


async def _project_case(sessions) -> None:
    """The projection of an open case at triage attribution (no workflow needed to read it)."""
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        await upsert_projection(
            session,
            ProjectionUpdate(
                case_id="ack-case-NM-X",
                example="acknowledgment",
                reference="NM-X",
                review_id="ack-review-2026-11-27",
                service_line="HC-NORTH",
                exposure="critical",
                stage="triage-attribution",
                status="open",
                assigned_role=None,
                assignee=None,
                deadline=None,
                escalation_level=0,
                opened_at=now,
                at=now,
            ),
        )


async def test_dashboard_serves_its_own_scripts_and_nothing_else(sqlite_url, api_for):
    api = await api_for(sqlite_url)
    page = await api.get("/dashboard", None)
    sources = re.findall(r'<script src="([^"]+)"', page.text)
    assert "/dashboard/trends_outcomes.js" in sources and "/dashboard/trends_tables.js" in sources
    assert all(src.startswith("/dashboard/") for src in sources)  # nothing from elsewhere
    for script in (src.removeprefix("/dashboard/") for src in sources):
        response = await api.get(f"/dashboard/{script}", None)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.text.startswith('"use strict";')
    for other in ("dashboard.html", "main.py", "..%2Fapp.py"):
        assert (await api.get(f"/dashboard/{other}", None)).status_code == 404


async def test_a_worker_cannot_overwrite_another_workers_answer(sqlite_url, sessions_for, api_for):
    """Issue 10, item 2: response IDs are the server's; only one's own answer is amended."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    answer = {"score": 4, "risk_domain": "medication"}
    theirs = await api.post(CONFIDENCE, "W-100", json=answer)
    assert theirs.status_code == 200, theirs.text
    key = theirs.json()["key"]

    hijack = await api.post(CONFIDENCE, "E-OWNER", json={**answer, "score": 1, "response_id": key})
    assert hijack.status_code == 404, hijack.text
    made_up = await api.post(CONFIDENCE, "E-OWNER", json={**answer, "response_id": "SU-000001"})
    assert made_up.status_code == 404, made_up.text
    records = await stored_records(sessions, "speaking-up-confidence-form")
    assert records == {key: theirs.json()["record"]}

    amended = await api.post(CONFIDENCE, "W-100", json={**answer, "score": 2, "response_id": key})
    assert amended.status_code == 200, amended.text
    assert (await stored_records(sessions, "speaking-up-confidence-form"))[key]["score"] == 2


async def test_booleans_are_not_scores_nor_numbers_confirmations(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    for score in (True, "4", 4.0):
        response = await api.post(
            CONFIDENCE, "W-100", json={"score": score, "risk_domain": "medication"}
        )
        assert response.status_code == 422, (score, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["score"]
    assert await stored_records(sessions, "speaking-up-confidence-form") == {}
