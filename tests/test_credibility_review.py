"""Example 3 review generation, step values and documents (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.credibility import CredibilityPolicy
from store.credibility import generate_closure_review
from store.credibility_values import adjudication_values
from store.db import transaction
from store.documents import build_document
from store.tables import ReviewItem
from tests.chronology_support import placed_by_feed_rule
from tests.credibility_support import add_own_closed_case
from tests.factories import load, report_rows

Sessions = async_sessionmaker[AsyncSession]
POLICY = CredibilityPolicy()
ZONE = "Europe/London"
AS_OF = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # first working day of December 2026
REVIEW = "closure-review-2026-11"


def closed_row(case_ref: str, closed_at: datetime, **over: Any) -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "reference": f"NM-{case_ref}",
        "employee_id": "W-1",
        "service_line": "SL-A",
        "manager_line": "ML-1",
        "closed_at": closed_at.isoformat(),
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": "near_miss_governance_supervisor",
        "flags": ["weak_triage"],
        **over,
    }


def answer(case_ref: str, confirmed: bool, employee: str = "W-1") -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "employee_id": employee,
        "confirmed": confirmed,
        "responded_at": "2026-11-20T10:00:00+00:00",
        "comment": None if confirmed else "Still unsafe on my round",
    }


def proof(case_ref: str, kind: str = "photo") -> dict[str, Any]:
    return {"case_ref": case_ref, "evidence_type": kind, "recorded_at": "2026-11-01T10:00:00Z"}


async def own_closed_case(sessions: Sessions, case_id: str, closed_at: datetime) -> None:
    """A case the service closed itself (as the case workflows leave it)."""
    async with transaction(sessions) as s:
        await add_own_closed_case(
            s,
            case_id,
            closed_at,
            reference="NM-OWN",
            final_reviewing_role="workforce_retention_safety_culture_manager",
        )


async def seed(sessions: Sessions) -> None:
    nov = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    await load(
        sessions,
        "closed-case-register",
        [
            closed_row("CC-OK", nov),
            closed_row("CC-REOPEN", nov),
            closed_row("CC-NOANSWER", nov),
            closed_row("CC-NONE", nov),
            closed_row("CC-MISMATCH", nov),
            closed_row("CC-OCT", datetime(2026, 10, 31, 23, 59, tzinfo=UTC)),
            # 00:00 local on 1 Dec is outside November.
            closed_row("CC-DEC", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
            # 1 Nov 00:00 GMT is inside.
            closed_row("CC-FIRST", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),
        ],
    )
    await load(
        sessions,
        "employee-confirmation-form",
        [
            answer("CC-OK", True),
            answer("CC-REOPEN", True),
            answer("CC-NONE", True),
            answer("CC-FIRST", True),
            answer("CC-MISMATCH", True, employee="W-2"),
        ],
    )
    await load(
        sessions,
        "final-action-evidence-library",
        [proof("CC-OK"), proof("CC-REOPEN"), proof("CC-NOANSWER"), proof("CC-NONE", "none")]
        + [proof("CC-FIRST"), proof("CC-MISMATCH")],
    )
    await load(
        sessions,
        "reopened-risk-tracker",
        [
            {
                "case_ref": "CC-REOPEN",
                "reopened_at": (nov + timedelta(days=30)).isoformat(),
                "reason": "again",
            }
        ],
    )
    await own_closed_case(sessions, "ack-case-NM-OWN", datetime(2026, 11, 10, 12, tzinfo=UTC))


async def generate(sessions: Sessions) -> None:
    async with transaction(sessions) as s:
        await generate_closure_review(s, REVIEW, "2026-11", AS_OF, ZONE, POLICY)


async def items(sessions: Sessions) -> dict[str, ReviewItem]:
    async with sessions() as s:
        rows = await s.scalars(select(ReviewItem).where(ReviewItem.review_id == REVIEW))
        return {r.reference: r for r in rows}


async def test_month_scope_classification_and_idempotence(sessions: Sessions) -> None:
    await seed(sessions)
    await generate(sessions)
    got = {ref: (i.classification, i.reasons) for ref, i in (await items(sessions)).items()}
    assert got == {
        "CC-OK": ("credible", []),
        "CC-FIRST": ("credible", []),
        "CC-REOPEN": ("failed", []),
        "CC-NOANSWER": ("doubtful", []),
        "CC-NONE": ("doubtful", []),
        "CC-MISMATCH": (None, ["employee_id disagrees with employee-confirmation-form"]),
        # The service's own closure, with no answer yet and no evidence row.
        "ack-case-NM-OWN": ("doubtful", []),
    }
    own = (await items(sessions))["ack-case-NM-OWN"].fields
    assert own["source"] == "service" and own["employee_id"] == "W-9"
    assert own["final_reviewing_role"] == "workforce_retention_safety_culture_manager"
    reopened = (await items(sessions))["CC-REOPEN"].fields
    assert reopened["days_to_reopen"] == 30 and reopened["reopened_within_30_days"]
    await generate(sessions)  # again: the stored review is kept as is
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ReviewItem)) == 7


async def test_worker_answer_through_the_feed_fails_the_services_own_closure(
    sessions: Sessions,
) -> None:
    await own_closed_case(sessions, "ack-case-NM-OWN", datetime(2026, 11, 10, 12, tzinfo=UTC))
    # What POST /forms/employee-confirmation writes: the feed row keyed by the case ID.
    await load(sessions, "employee-confirmation-form", [answer("ack-case-NM-OWN", False, "W-9")])
    await generate(sessions)
    item = (await items(sessions))["ack-case-NM-OWN"]
    assert item.classification == "failed"
    assert item.fields["credibility_reasons"] == [
        "employee_answered_not_resolved",
        "no_final_action_evidence",
    ]
    assert "disputed_closure" in item.fields["flags"]


async def test_adjudication_values_and_documents(sessions: Sessions) -> None:
    await seed(sessions)
    await generate(sessions)
    submitted = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # acknowledged, then closed on 2 Nov
    report = report_rows("NM-CC-REOPEN", submitted_at=submitted, ack_minutes=60)
    closed = {**report["incident-platform"], "closed_at": "2026-11-02T15:00:00+00:00"}
    await load(sessions, "incident-platform", [{**closed, "triage_status": "closed"}])
    async with sessions() as s:
        values = await adjudication_values(s, REVIEW, "CC-REOPEN", ZONE, POLICY)
    assert values.days_closure_to_reopen == 30
    assert values.current_classification == "failed"
    # CC-REOPEN, CC-NOANSWER and CC-NONE share the reviewing role and the manager line.
    assert values.repeated_doubtful_same_reviewing_role is True
    assert values.repeated_doubtful_same_manager_line is True
    async with sessions() as s:
        solo = await adjudication_values(s, REVIEW, "ack-case-NM-OWN", ZONE, POLICY)
        assert solo.repeated_doubtful_same_reviewing_role is False
        assert solo.days_closure_to_reopen is None
        docs = {
            slug: await build_document(
                s,
                slug,
                reference="NM-CC-REOPEN",
                review_id=REVIEW,
                case_id="closure-case-CC-REOPEN",
            )
            for slug in (
                "closure-review",
                "case-chronology",
                "final-action-evidence",
                "employee-narrative-feedback",
                "reviewer-accountability-sheet",
                "service-impact-summary",
            )
        }
    assert docs["closure-review"]["item"]["classification"] == "failed"
    ids = [e["id"] for e in docs["case-chronology"]["entries"]]
    assert "reopened-risk-tracker:CC-REOPEN:v1" in ids
    # Each record at its own date (closed, answered, reopened, evidence recorded), in that
    # order, not when the service received it (all at once here, as the demo loads them).
    own = [
        (e["id"].removesuffix(":CC-REOPEN:v1"), e["at"])
        for e in docs["case-chronology"]["entries"]
        if e["id"].endswith(":CC-REOPEN:v1")
    ]
    assert own == [
        ("final-action-evidence-library", "2026-11-01T10:00:00+00:00"),
        ("closed-case-register", "2026-11-02T15:00:00+00:00"),
        ("employee-confirmation-form", "2026-11-20T10:00:00+00:00"),
        ("reopened-risk-tracker", "2026-12-02T15:00:00+00:00"),
    ]
    received = {e["received_at"] for e in docs["case-chronology"]["entries"] if "content" in e}
    # The same per-feed rule as examples 1 and 2: the report at the latest event it carries.
    placed = placed_by_feed_rule(docs["case-chronology"]["entries"])
    assert placed["incident-platform:NM-CC-REOPEN:v1"] == ("2026-11-02T15:00:00+00:00", "closed_at")
    assert received and not received & {at for _, at in own}
    assert docs["final-action-evidence"]["current"]["evidence_type"] == "photo"
    assert docs["reviewer-accountability-sheet"]["complete"] is False
    assert len(docs["reviewer-accountability-sheet"]["same_reviewing_role"]) == 3
