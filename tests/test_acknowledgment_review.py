"""Example 1 review generation, storage, marking, and step 2/3 values (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.acknowledgment import RETENTION_IMPACT_KIND, Exposure
from domain.acknowledgment_steps import RETENTION_FILE
from store.acknowledgment import (
    ReviewNotFound,
    attribution_values,
    load_review,
    mark_review_reviewed,
    retention_values,
)
from store.review_items import set_review_case_ids
from store.tables import ReviewItem
from tests.review_support import (
    AS_OF,
    RECEIVED,
    Sessions,
    add_entry,
    generate,
    put,
    put_reports,
    report,
)


async def test_scope_boundaries(sessions: Sessions) -> None:
    start = AS_OF - timedelta(days=30)
    minus_ten = start.astimezone(timezone(timedelta(hours=-10)))
    async with sessions() as s, s.begin():
        await put_reports(
            s,
            [
                report("IN-START", start),
                report(
                    "IN-OFFSET", minus_ten.isoformat()
                ),  # same instant, local date a day earlier
                report("OUT-BEFORE", start - timedelta(seconds=1)),
                report("OUT-AS-OF", AS_OF),
                report("IN-LAST", AS_OF - timedelta(seconds=1)),
                report("OUT-CLOSED", AS_OF - timedelta(days=1), triage_status="closed"),
            ],
        )
    result = await generate(sessions)
    async with sessions() as s:
        view = await load_review(s, result.review_id)
    assert view is not None
    assert [item.reference for item in view.items] == ["IN-LAST", "IN-OFFSET", "IN-START"]


async def test_generate_classifies_and_stores(sessions: Sessions) -> None:
    day = AS_OF - timedelta(days=3)
    late = report("NM-LATE", day, first_acknowledged_at=(day + timedelta(minutes=1441)).isoformat())
    async with sessions() as s, s.begin():
        await put_reports(
            s, [report("NM-OK", day), late, report("NM-CRIT", day, first_acknowledged_at=None)]
        )
        await put_reports(s, [report("NM-EXC", day)], manager_response_tracker=True)
    result = await generate(sessions)
    assert result.counts == {"within_tolerance": 1, "emerging": 1, "critical": 1}
    assert result.exceptions == 1
    assert result.exposed == 2
    async with sessions() as s:
        view = await load_review(s, result.review_id)
    exposed = [i for i in view.items if i.classification in {"emerging", "critical"}]
    assert [(i.reference, i.classification) for i in exposed] == [
        ("NM-CRIT", Exposure.CRITICAL),
        ("NM-LATE", Exposure.EMERGING),
    ]
    assert exposed[1].fields["manager_line"] == "ML-1"
    assert exposed[1].fields["indicators"] == ["ack_over_threshold"]
    assert view is not None and view.status == "generated" and view.period == "2026-11-26"
    assert view.as_of == AS_OF and view.summary["policy"]["version"] == "ack-policy-v1"
    exception = next(i for i in view.items if i.reference == "NM-EXC")
    assert exception.classification is None
    assert exception.reasons == ["missing in manager-response-tracker"]


async def test_generate_is_idempotent(sessions: Sessions) -> None:
    day = AS_OF - timedelta(days=2)
    async with sessions() as s, s.begin():
        await put_reports(s, [report("NM-1", day, first_acknowledged_at=None)])
    first = await generate(sessions)
    async with sessions() as s, s.begin():
        await put_reports(s, [report("NM-2", day)], at=RECEIVED + timedelta(minutes=5))
    second = await generate(sessions)
    assert second == first
    async with sessions() as s:
        count = await s.scalar(select(func.count()).select_from(ReviewItem))
    assert count == 1


async def test_case_ids_and_marking(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        await put_reports(s, [report("NM-1", AS_OF - timedelta(days=1), triage_owner_id=None)])
    result = await generate(sessions)
    at = AS_OF + timedelta(hours=1)
    async with sessions() as s, s.begin():
        await set_review_case_ids(s, result.review_id, {"NM-1": "ack-case-NM-1", "NM-X": "x"})
        assert await mark_review_reviewed(s, result.review_id, "E-ANALYST", at) is True
        assert await mark_review_reviewed(s, result.review_id, "E-OTHER", at) is False
        with pytest.raises(ReviewNotFound):
            await mark_review_reviewed(s, "nope", "E-ANALYST", at)
    async with sessions() as s:
        view = await load_review(s, result.review_id)
        assert await load_review(s, "nope") is None
    assert view is not None and view.items[0].case_id == "ack-case-NM-1"
    assert (view.status, view.reviewed_by, view.reviewed_at) == ("reviewed", "E-ANALYST", at)


async def test_generate_many_reports(sessions: Sessions) -> None:
    """Every in-scope report stored once."""
    day = AS_OF - timedelta(days=5)
    reports = [report(f"NM-{n:03d}", day + timedelta(minutes=n)) for n in range(30)]
    async with sessions() as s, s.begin():
        await put_reports(s, reports)
    result = await generate(sessions)
    assert result.counts["within_tolerance"] == 30 and result.exceptions == 0
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ReviewItem)) == 30


async def test_retention_values(sessions: Sessions) -> None:
    submitted = AS_OF - timedelta(days=2)
    edge = submitted - timedelta(days=180)
    this = report("NM-THIS", submitted)
    async with sessions() as s, s.begin():
        await put_reports(
            s,
            [
                this,
                report("P-EDGE", edge),  # exactly 180 days before: counted
                report("P-OUT", edge - timedelta(seconds=1)),
                report(
                    "P-OTHER-DOMAIN", submitted - timedelta(days=10), risk_domain="documentation"
                ),
                report("P-SAME", submitted - timedelta(days=1)),
                report("P-OTHER-WORKER", submitted - timedelta(days=1), employee_id="E2"),
                report("P-AFTER", submitted + timedelta(minutes=1)),
            ],
        )
        await put(
            s,
            "workforce-concern-register",
            [
                concern("C1", "E1", "workload", "open"),
                concern("C2", "E1", "safety", "closed"),
                concern("C3", "E1", "fairness", "open"),
                concern("C4", "E2", "wellbeing", "open"),
            ],
        )
        for days_ago, level, worker in [
            (10, "medium", "E1"),
            (89, "low", "E1"),
            (91, "high", "E1"),
            (5, "high", "E2"),
        ]:
            await add_entry(
                s,
                RETENTION_FILE,
                f"case-{days_ago}",
                RETENTION_IMPACT_KIND,
                AS_OF - timedelta(days=days_ago),
                {"employee_id": worker, "impact_level": level},
            )
    async with sessions() as s:
        values = await retention_values(s, "NM-THIS", "E1", submitted, "medication", AS_OF)
    assert values.prior_reports_180d == 3  # P-EDGE, P-OTHER-DOMAIN, P-SAME
    assert values.repeated_exposures_same_domain_180d == 2  # P-EDGE, P-SAME
    assert values.open_concern is True and values.open_concern_types == ["fairness", "workload"]
    assert values.prior_90d_retention_risk == "medium"
    async with sessions() as s:
        none = await retention_values(s, "NM-X", "E9", submitted, "medication", AS_OF)
    assert none.model_dump() == {
        "prior_reports_180d": 0,
        "repeated_exposures_same_domain_180d": 0,
        "open_concern": False,
        "open_concern_types": [],
        "prior_90d_retention_risk": "none",
    }


def concern(cid: str, worker: str, kind: str, status: str) -> dict[str, Any]:
    return {
        "concern_id": cid,
        "employee_id": worker,
        "concern_type": kind,
        "status": status,
        "opened_at": "2026-09-01T09:00:00+01:00",
    }


async def test_attribution_values(sessions: Sessions) -> None:
    day = AS_OF - timedelta(days=3)
    unacked = {"first_acknowledged_at": None}
    async with sessions() as s, s.begin():
        await put_reports(
            s,
            [
                report("NM-THIS", day, unsafe_condition_active=True, **unacked),
                report("NM-SAME-WORKER", day, category_code="OTHER", **unacked),
                report("NM-CAT-1", day, employee_id="E2", **unacked),
                report("NM-CAT-2", day, employee_id="E3"),  # within tolerance: not counted
            ],
        )
    await generate(sessions)
    async with sessions() as s, s.begin():
        # The report was later acknowledged and triaged: the flag still remembers it pending.
        await put_reports(s, [report("NM-THIS", day, unsafe_condition_active=True)], at=AS_OF)
    async with sessions() as s:
        values = await attribution_values(s, "NM-THIS", "E1", "MED-01", AS_OF + timedelta(hours=2))
        other = await attribution_values(s, "NM-CAT-2", "E3", "MED-01", AS_OF + timedelta(hours=2))
    # From the review item (as reviewed), not the later record: only the ack was over.
    assert (values.indicator_count, values.indicators) == (1, ["ack_over_threshold"])
    assert values.repeated_worker_exposure is True
    assert values.repeated_category_under_triage is False  # only NM-CAT-1 besides itself
    assert values.unsafe_condition_active_while_pending is True
    assert other.repeated_worker_exposure is False
    assert other.repeated_category_under_triage is True  # NM-THIS and NM-CAT-1
    assert other.unsafe_condition_active_while_pending is False
