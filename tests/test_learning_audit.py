"""Example 2 audit, step values, baseline/follow-up and documents (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from domain.calendar import BusinessCalendar, CalendarConfig
from domain.learning import LearningPolicy
from domain.learning_cycles import cycle_window
from domain.learning_steps import ATTRIBUTION_KIND, LEARNING_VISIBILITY_REGISTER
from store.db import transaction
from store.documents import build_document
from store.learning import generate_audit
from store.learning_values import attribution_values, follow_up, measures, pin_baseline
from store.registers import append_entry
from store.tables import RegisterEntry, ReviewItem
from tests.chronology_support import placed_by_feed_rule
from tests.factories import load
from tests.learning_factories import closed_report, confidence, load_closed

POLICY = LearningPolicy()
CYCLE = date(2026, 2, 16)  # 16 Feb - 1 Mar 2026; audit Monday 2 Mar 07:00 (GMT)
WINDOW = cycle_window(BusinessCalendar(CalendarConfig()), CYCLE, POLICY)
AS_OF = datetime(2026, 3, 2, 7, tzinfo=UTC)
RID = "learning-audit-2026-02-16"


async def _generate(sessions, rid=RID, as_of=AS_OF, cycle=CYCLE, window=WINDOW):
    async with transaction(sessions) as session:
        return await generate_audit(session, rid, cycle, window, as_of, POLICY)


async def test_audit_scope_classification_exceptions_and_idempotency(sessions):
    start, end = WINDOW
    reports = [
        closed_report("NM-START", closed_at=start),  # 00:00 on the first day: in
        closed_report("NM-END", closed_at=end),  # 00:00 after the last day: out
        closed_report("NM-LAST", closed_at=end - timedelta(seconds=1), feedback=False),
        closed_report("NM-CRIT", closed_at=start + timedelta(days=3), action=None, feedback=False),
        closed_report("NM-EXC", closed_at=start + timedelta(days=4)),
    ]
    del reports[-1]["learning-bulletin-log"]
    await load_closed(sessions, reports)
    result = await _generate(sessions)
    assert result.counts == {"visible_learning_closure": 1, "emerging": 1, "critical": 1}
    assert result.exceptions == 1
    assert result.exposed == ["NM-CRIT", "NM-LAST"]
    async with sessions() as session:
        exc = await session.get(ReviewItem, (RID, "NM-EXC"))
        assert exc.classification is None
        assert exc.reasons == ["missing in learning-bulletin-log"]
        assert await session.get(ReviewItem, (RID, "NM-END")) is None
    # Re-running finds the stored audit: same answer, nothing inserted twice.
    await load_closed(sessions, [closed_report("NM-LATE", closed_at=start + timedelta(days=1))])
    assert await _generate(sessions) == result
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ReviewItem))
    assert count == 4


async def test_overdue_action_of_another_ref_naming_the_report_counts(sessions):
    start, _ = WINDOW
    rows = closed_report("NM-1", closed_at=start + timedelta(days=2))
    await load_closed(sessions, [rows])
    extra = dict(
        rows["corrective-action-tracker"],
        corrective_action_ref="CA-EXTRA",
        status="open",
        due_at=(AS_OF - timedelta(days=1)).isoformat(),
        completed_at=None,
    )
    await load(sessions, "corrective-action-tracker", [extra])
    result = await _generate(sessions)
    assert result.counts["emerging"] == 1
    async with sessions() as session:
        item = await session.get(ReviewItem, (RID, "NM-1"))
    assert item.fields["indicators"] == ["corrective_action_overdue"]
    assert item.fields["overdue_corrective_actions"] == 1


async def test_attribution_flags_from_recent_audits(sessions):
    start, _ = WINDOW
    await load_closed(
        sessions,
        [
            closed_report("NM-A", closed_at=start + timedelta(days=1), feedback=False),
            closed_report("NM-B", closed_at=start + timedelta(days=2), recurrence=True, repeats=1),
            closed_report(
                "NM-C", closed_at=start + timedelta(days=2), domain="communication", action=None
            ),
        ],
    )
    await _generate(sessions)
    async with sessions() as session:
        b = await attribution_values(session, RID, "NM-B", AS_OF, POLICY)
        c = await attribution_values(session, RID, "NM-C", AS_OF, POLICY)
    assert b.indicators == ["recurrence_within_30_days"] and b.indicator_count == 1
    assert b.same_domain_repeated_failure  # NM-A: medication, emerging
    assert b.same_service_line_closes_without_feedback  # NM-A closed without feedback
    assert b.recurrence_after_resolved
    assert not c.same_domain_repeated_failure and not c.recurrence_after_resolved


async def test_baseline_pinned_once_and_follow_up_gate(sessions):
    start, _ = WINDOW
    activated = AS_OF + timedelta(days=1)
    # Baseline window [activated - 14 d, activated): 2 reports submitted, 1 of 2 fed back.
    await load_closed(
        sessions,
        [
            closed_report("NM-1", closed_at=start + timedelta(days=12), feedback=False),
            closed_report("NM-2", closed_at=start + timedelta(days=13)),
        ],
    )
    await _generate(sessions)
    async with transaction(sessions) as session:
        pinned = await pin_baseline(session, "learning-case-NM-1", RID, "NM-1", activated, POLICY)
    baseline = pinned.measures
    assert pinned.validation_after_days == POLICY.validation_after_days
    assert (baseline.recurrence_count, baseline.closed_reports) == (2, 2)
    assert baseline.reporter_feedback_completion_rate == 0.5
    async with transaction(sessions) as session:  # a retry keeps the first pin
        again = await pin_baseline(
            session, "learning-case-NM-1", RID, "NM-1", activated + timedelta(hours=1), POLICY
        )
    assert again == pinned
    window_end = activated + timedelta(days=14)
    async with sessions() as session:
        values = await follow_up(session, "learning-case-NM-1", window_end)
    assert values.revised_recurrence_count == 0 and values.recurrence_fell
    assert not values.visibility_improved  # nothing closed in the follow-up window
    assert values.responses_since_activation == 0 and not values.gate_passed
    # One closed report with feedback in the follow-up window, and a confidence response.
    await load_closed(sessions, [closed_report("NM-3", closed_at=activated + timedelta(days=12))])
    await load(sessions, "speaking-up-confidence-form", [confidence("R-1", activated, 4)])
    async with sessions() as session:
        values = await follow_up(session, "learning-case-NM-1", window_end)
        current = await measures(session, "medication", "HC-NORTH", window_end, POLICY)
    assert current.closed_reports == 1 and current.reporter_feedback_completion_rate == 1.0
    assert current.recurrence_count == 1  # NM-3 was submitted 10 days before its closure
    assert values.recurrence_fell and values.visibility_improved
    assert values.responses_since_activation == 1 and values.gate_passed
    # The recurrence tolerance is pinned with the rules: at 0, 2 -> 1 is not "below threshold".
    strict = POLICY.model_copy(update={"recurrence_tolerance": 0, "version": "learning-policy-v2"})
    async with transaction(sessions) as session:
        await pin_baseline(session, "learning-case-NM-2", RID, "NM-2", activated, strict)
    async with sessions() as session:
        values = await follow_up(session, "learning-case-NM-2", window_end)
    assert values.revised_recurrence_count == 1 and values.recurrence_tolerance == 0
    assert not values.recurrence_fell and not values.gate_passed


async def test_learning_documents(sessions):
    start, _ = WINDOW
    await load_closed(sessions, [closed_report("NM-1", closed_at=start, feedback=False)])
    await _generate(sessions)
    ctx = {"reference": "NM-1", "review_id": RID, "case_id": "learning-case-NM-1"}
    async with sessions() as session:
        audit = await build_document(session, "learning-visibility-audit", **ctx)
        chronology = await build_document(session, "corrective-action-chronology", **ctx)
        record = await build_document(session, "learning-communication-record", **ctx)
        pattern = await build_document(session, "recurrence-pattern-review", **ctx)
        sheet = await build_document(session, "learning-control-standards-sheet", **ctx)
        impact = await build_document(session, "frontline-impact-summary", **ctx)
        measures_doc = await build_document(session, "validation-measures", **ctx)
    assert audit["item"]["classification"] == "emerging"
    # each record at its own latest date: the action completed the day before the report closed
    assert [e["id"] for e in chronology["entries"]] == [
        "corrective-action-tracker:CA-NM-1:v1",
        "incident-platform:NM-1:v1",
    ]
    assert chronology["entries"][1]["at"] == start.isoformat()
    placed = placed_by_feed_rule(chronology["entries"])  # the rule of every chronology
    assert placed["incident-platform:NM-1:v1"] == (start.isoformat(), "closed_at")
    assert record["entries"][0]["content"]["feedback_to_reporter_at"] is None
    assert pattern["domain_reports_analysed"] == 1
    assert sheet["complete"] is False and sheet["case_indicators"] == ["no_feedback_to_reporter"]
    assert impact["available"] is True
    assert measures_doc == {
        "document": "validation-measures",
        "reference": "NM-1",
        "case_id": "learning-case-NM-1",
        "available": False,
    }
    async with transaction(sessions) as session:
        await append_entry(
            session,
            LEARNING_VISIBILITY_REGISTER,
            actor="E-REGIONAL",
            recorded_at=AS_OF,
            subject="learning-case-NM-1",
            kind=ATTRIBUTION_KIND,
            payload={"note": "no feedback"},
        )
    async with sessions() as session:
        sheet = await build_document(session, "learning-control-standards-sheet", **ctx)
        kinds = (await session.scalars(select(RegisterEntry.kind))).all()
    assert sheet["complete"] is True and sheet["attribution_note"]["actor"] == "E-REGIONAL"
    assert kinds == [ATTRIBUTION_KIND]
