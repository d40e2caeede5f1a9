"""Example 3's typed activities alone, run by Temporal's ActivityEnvironment against a real
database (SQLite and PostgreSQL): the pinned baseline is a PinnedBaseline, pinned once in the
repair log exactly as it is returned, and a retry returns the pinned one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.credibility import CredibilityActivities
from activities.deps import ActivityDeps
from domain import names
from domain.cases import CaseInput
from domain.credibility import REPAIR_LOG, SPEAKING_UP, CredibilityStepRequest
from domain.credibility_measures import PinnedBaseline
from store.cases import seed_case
from store.credibility_values import BASELINE_KIND
from store.db import transaction
from store.register_reads import entries
from tests.factories import load
from tests.workflow_support import CALENDAR

ACTIVATED = datetime(2026, 11, 27, 10, tzinfo=UTC)
CASE_ID = "closure-case-CC-1"
BASELINE_AT = ACTIVATED - timedelta(days=2, minutes=30)  # the latest answer before activation


def _answer(response_id: str, score: int, at: datetime) -> dict[str, Any]:
    return {
        "response_id": response_id,
        "employee_id": "W-1",
        "service_line": "SL-A",
        "risk_domain": "medication",
        "score": score,
        "submitted_at": at.isoformat(),
    }


async def _seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    answers = [
        _answer("R1", 2, ACTIVATED - timedelta(days=10)),
        _answer("R2", 3, BASELINE_AT),
        _answer("R3", 5, ACTIVATED + timedelta(days=1)),  # after activation: not the baseline
    ]
    await load(sessions, SPEAKING_UP, answers)
    case = CaseInput(
        case_id=CASE_ID,
        example=names.EXAMPLE_CREDIBILITY,
        reference="NM-1",
        review_id="closure-review-2026-10",
        exposure="doubtful",
        service_line="SL-A",
        opened_at=ACTIVATED - timedelta(days=20),
        calendar=CALENDAR,
        policy_version="closure-policy-v1",
    )
    async with transaction(sessions) as session:
        await seed_case(session, case, "W-1")


async def test_the_baseline_is_pinned_once_as_returned(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessions)
    pin = CredibilityActivities(ActivityDeps(sessions=sessions)).compute_closure_baseline
    request = CredibilityStepRequest(
        case_id=CASE_ID,
        case_ref="CC-1",
        reference="NM-1",
        review_id="closure-review-2026-10",
        at=ACTIVATED,
        activated_at=ACTIVATED,
        rule_version="closure-policy-v1",
    )
    first = await ActivityEnvironment().run(pin, request)
    assert isinstance(first, PinnedBaseline)
    assert (first.baseline_score, first.baseline_at) == (
        3,
        ACTIVATED - timedelta(days=2, minutes=30),
    )
    # No rules saved under the version and no review: the default timer (21 days, asked 7 before).
    assert (first.validation_days, first.reconfirm_days_before) == (21, 7)
    assert (first.activated_at, first.reference) == (ACTIVATED, "NM-1")

    later = request.model_copy(update={"activated_at": ACTIVATED + timedelta(days=3)})
    again = await ActivityEnvironment().run(pin, later)  # a retry finds the pinned baseline
    assert again == first
    async with sessions() as session:
        pinned = list(await entries(session, REPAIR_LOG, subject=CASE_ID))
    assert [e.kind for e in pinned] == [BASELINE_KIND]
    # The repair log holds what the workflow got, instants as isoformat() writes them.
    assert pinned[0].payload == first.model_dump(mode="json")
    assert pinned[0].payload["activated_at"] == ACTIVATED.isoformat()
    assert pinned[0].payload["baseline_at"] == BASELINE_AT.isoformat()
