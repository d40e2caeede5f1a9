"""Example 1 prerequisite documents built from feeds' versions, the review, case and registers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.web.document_view import to_node
from api.web.entry_labels import entry_label
from domain.acknowledgment import ATTRIBUTION_KIND, RETENTION_IMPACT_KIND
from domain.acknowledgment_steps import NEAR_MISS_RELIABILITY_CASE_REGISTER, RETENTION_FILE
from store.documents import UnknownDocument, build_document
from store.tables import Case, CaseEvent
from tests.chronology_support import placed_by_feed_rule
from tests.review_support import (
    AS_OF,
    RECEIVED,
    Sessions,
    add_entry,
    companions,
    generate,
    put,
    put_reports,
    report,
)

CASE = "ack-case-NM-1"
REVIEW = "ack-review-2026-11-26"
LATER = AS_OF + timedelta(hours=1)
SUBMITTED = AS_OF - timedelta(days=3)
TRACKER = "manager-response-tracker"


async def scenario(sessions: Sessions) -> None:
    """NM-1 unacknowledged at the review, acknowledged an hour later; its case has two events."""
    first = report("NM-1", SUBMITTED, first_acknowledged_at=None, triage_completed_at=None)
    first["triage_status"] = "pending"
    async with sessions() as s, s.begin():
        await put_reports(s, [first], manager_response_tracker=True)
        await put(s, TRACKER, [{**companions(first)[TRACKER], "manager_reviewed": False}])
    await generate(sessions, REVIEW)
    acked = {**first, "first_acknowledged_at": LATER.isoformat(), "triage_status": "in_triage"}
    async with sessions() as s, s.begin():
        await put_reports(s, [acked], at=LATER)
        add_case(s)
        for n, at in enumerate((AS_OF + timedelta(minutes=30), LATER)):
            s.add(
                CaseEvent(
                    case_id=CASE, at=at, kind=f"k{n}", actor="A", detail={}, dedupe_key=f"e{n}"
                )
            )


def add_case(session: AsyncSession) -> None:
    session.add(
        Case(
            case_id=CASE,
            example="acknowledgment",
            reference="NM-1",
            review_id=REVIEW,
            employee_id="E1",
            service_line="SL-A",
            exposure="critical",
            stage="triage-attribution",
            status="open",
            opened_at=AS_OF,
            updated_at=AS_OF,
            detail={},
        )
    )


async def doc(sessions: Sessions, slug: str) -> dict[str, Any]:
    async with sessions() as s:
        return await build_document(s, slug, reference="NM-1", review_id=REVIEW, case_id=CASE)


async def test_daily_review_and_classification_source(sessions: Sessions) -> None:
    await scenario(sessions)
    daily = await doc(sessions, "daily-review")
    assert daily["document"] == "daily-review" and daily["case_id"] == CASE
    assert daily["review"]["summary"]["counts"]["critical"] == 1
    assert daily["item"]["classification"] == "critical"
    source = await doc(sessions, "risk-classification-source")
    assert source["policy"]["version"] == "ack-policy-v1"
    assert source["policy"]["ack_critical_min"] == 2880
    assert source["classification"] == "critical"
    # Triage elapsed is exactly 4320 min (not over); ack is over; the manager had not reviewed.
    assert source["indicators"] == ["ack_over_threshold", "manager_not_reviewed"]
    assert source["indicator_count"] == 2
    assert source["inputs_at_review"]["first_acknowledged_at"] is None
    assert source["live_record"]["first_acknowledged_at"] == LATER.isoformat().replace(
        "+00:00", "Z"
    )


async def test_report_chronology_merges_versions_and_events(sessions: Sessions) -> None:
    """Each record version at its own date (the report submitted 3 days before the service
    received it is placed then, its received time beside: the walk of 7 December saw a report of
    2 December dated at the demo's loading), a record with no date of its own at its receipt,
    and the case's events among them by time."""
    await scenario(sessions)
    chronology = await doc(sessions, "report-chronology")
    entries = chronology["entries"]
    ids = [entry["id"] for entry in entries]
    assert ids[:3] == [  # submitted (and the tracker updated) three days before the receipt
        "incident-platform:NM-1:v1",
        "manager-response-tracker:NM-1:v1",
        "workforce-reporting-log:NM-1:v1",
    ]
    assert [e["at"] for e in entries[:3]] == [SUBMITTED.isoformat()] * 3
    assert [e["received_at"] for e in entries[:3]] == [RECEIVED.isoformat()] * 3
    at = {e["id"]: e["at"] for e in entries}
    assert at["service-line-governance-register:NM-1:v1"] == RECEIVED.isoformat()  # no own date
    assert at["incident-platform:NM-1:v2"] == LATER.isoformat()  # acknowledged then
    # the tracker's second version says it was updated when first sent: placed there
    assert at["manager-response-tracker:NM-1:v2"] == SUBMITTED.isoformat()
    events = [e for e in entries if e["id"].startswith("event:")]
    assert [e["at"] for e in events] == [
        (AS_OF + timedelta(minutes=30)).isoformat(),
        LATER.isoformat(),
    ]
    assert ids[-1].startswith("event:") and len(ids) == 9  # records first at a tie
    times = [e["at"] for e in entries]
    assert times == sorted(times), times
    placed = placed_by_feed_rule(entries)  # the one rule of every example's chronology
    assert placed["incident-platform:NM-1:v2"][1] == "first_acknowledged_at"
    assert placed["service-line-governance-register:NM-1:v1"][1] is None


async def test_triage_note_history(sessions: Sessions) -> None:
    await scenario(sessions)
    history = await doc(sessions, "triage-note-history")
    assert [
        (e["version"], e["triage_status"], e["manager_reviewed"]) for e in history["entries"]
    ] == [
        (1, "pending", False),
        (2, "in_triage", True),
    ]


async def test_authorization_sheet_completeness(sessions: Sessions) -> None:
    await scenario(sessions)
    sheet = await doc(sessions, "reporting-control-authorization-sheet")
    assert sheet["exposure"] == "critical" and sheet["policy_version"] == "ack-policy-v1"
    assert sheet["complete"] is False
    assert sheet["missing"] == [ATTRIBUTION_KIND, RETENTION_IMPACT_KIND]
    async with sessions() as s, s.begin():
        await add_entry(
            s, NEAR_MISS_RELIABILITY_CASE_REGISTER, CASE, ATTRIBUTION_KIND, LATER, {"n": 1}
        )
    assert (await doc(sessions, "reporting-control-authorization-sheet"))["missing"] == [
        RETENTION_IMPACT_KIND
    ]
    async with sessions() as s, s.begin():
        await add_entry(
            s, RETENTION_FILE, CASE, RETENTION_IMPACT_KIND, LATER, {"impact_level": "high"}
        )
    sheet = await doc(sessions, "reporting-control-authorization-sheet")
    assert sheet["complete"] is True and sheet["missing"] == []
    assert sheet["retention_impact"]["payload"] == {"impact_level": "high"}
    assert sheet["attribution"]["register"] == NEAR_MISS_RELIABILITY_CASE_REGISTER


async def test_unknown_document(sessions: Sessions) -> None:
    with pytest.raises(UnknownDocument):
        await doc(sessions, "no-such-document")
    assert issubclass(UnknownDocument, KeyError)


async def test_concern_register_reads_in_words_without_ids(sessions: Sessions) -> None:
    """The workforce concern register as step 3 reads it (walk of 7 December: its columns came
    in alphabetical order with the concern's raw ID): what, status, opened, closed, no ID."""
    await scenario(sessions)
    concerns = [
        {"concern_id": "C-7", "employee_id": "E1", "concern_type": "workload", "status": "open",
         "opened_at": (AS_OF - timedelta(days=9)).isoformat()},
        {"concern_id": "C-3", "employee_id": "E1", "concern_type": "fairness", "status": "closed",
         "opened_at": (AS_OF - timedelta(days=40)).isoformat(),
         "closed_at": (AS_OF - timedelta(days=20)).isoformat()},
    ]  # fmt: skip
    async with sessions() as s, s.begin():
        await put(s, "workforce-concern-register", concerns)
        await add_entry(
            s, NEAR_MISS_RELIABILITY_CASE_REGISTER, CASE, ATTRIBUTION_KIND, LATER, {"n": 1}
        )
    register = await doc(sessions, "workforce-concern-register")
    table = dict(to_node(register, "Europe/London", top=True).facts)["Concerns"]
    assert table.headers == ["Concern type", "Status", "Opened", "Closed"]
    cells = [[cell.text for cell in row] for row in table.rows]
    assert [row[:2] for row in cells] == [["Workload", "Open"], ["Fairness", "Closed"]]
    assert not any("C-7" in c or "C-3" in c or c == "E1" for row in cells for c in row)
    assert cells[0][3] == "None recorded" or cells[0][3] in ("—", "")
    # Each concern stays citable, by what and when (the evidence form's label), not its ID.
    assert [r["id"] for r in register["concerns"]] == [
        "workforce-concern-register:C-7",
        "workforce-concern-register:C-3",
    ]
    label = entry_label(register["concerns"][0], "Europe/London")
    assert label.endswith("— Workload concern, open")


async def test_triage_owners_are_those_of_the_latest_daily_review(sessions: Sessions) -> None:
    """Who the pathway owner choice reads as "triage owner" (store.staff.triage_owners), on
    SQLite and PostgreSQL: the owners named in the latest daily review's items."""
    from store.staff import triage_owners

    async with sessions() as s:
        assert await triage_owners(s) == set()
    await scenario(sessions)
    async with sessions() as s:
        assert await triage_owners(s) == {"OWN-1"}
