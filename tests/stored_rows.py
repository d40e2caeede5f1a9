"""Rows of the service's own tables as tests store them directly (no workflow): reviews and
their items (examples 2 and 3 with the fields the packs read), cases, case events (an opened
obligation), breaches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import names
from store.tables import Breach, Case, CaseEvent, Review, ReviewItem


def review(
    example: str,
    period: str,
    as_of: datetime,
    reviewed: datetime | None = None,
    by: str = "E-ANALYST",
    **summary: Any,
) -> Review:
    prefix = {
        names.EXAMPLE_ACKNOWLEDGMENT: "ack-review",
        names.EXAMPLE_LEARNING: "learning-audit",
        names.EXAMPLE_CREDIBILITY: "closure-review",
    }[example]
    return Review(
        review_id=f"{prefix}-{period}",
        example=example,
        period=period,
        as_of=as_of,
        generated_at=as_of,
        status="reviewed" if reviewed else "generated",
        reviewed_by=by if reviewed else None,
        reviewed_at=reviewed,
        summary=summary,
    )


def item(review_id: str, reference: str, classification: str | None, **fields: Any) -> ReviewItem:
    reasons = [] if classification else ["missing in workforce-reporting-log"]
    return ReviewItem(
        review_id=review_id,
        reference=reference,
        classification=classification,
        reasons=reasons,
        stored_fields={"reference": reference, **fields},
        employee_id=fields.get("employee_id"),
    )


def case(
    example: str,
    case_id: str,
    reference: str,
    stage: str,
    opened: datetime,
    line: str = "HC-NORTH",
    exposure: str = "critical",
    review_id: str = "",
) -> Case:
    return Case(
        case_id=case_id,
        example=example,
        reference=reference,
        review_id=review_id,
        employee_id="W-100",
        service_line=line,
        exposure=exposure,
        stage=stage,
        status="open",
        escalation_level=0,
        opened_at=opened,
        updated_at=opened,
        detail={},
    )


def event(
    case_id: str, when: datetime, kind: str, actor: str = "system", **detail: Any
) -> CaseEvent:
    key = f"{case_id}:{kind}:{when.isoformat()}:{sorted(detail.items())}"
    return CaseEvent(
        case_id=case_id, at=when, kind=kind, actor=actor, detail=detail, dedupe_key=key
    )


def learning_item(
    review_id: str,
    reference: str,
    classification: str,
    line: str,
    domain: str,
    indicators: list[str],
    feedback: str,
    wider: bool,
    shared: str,
    recurred: bool,
    repeats: int,
) -> ReviewItem:
    """An item of example 2's audit, with the fields the packs read."""
    return item(
        review_id, reference, classification, service_line=line, risk_domain=domain,
        indicators=indicators, feedback_to_reporter_status=feedback, wider_relevance=wider,
        shared_learning_status=shared, recurrence_within_30_days=recurred,
        repeat_count_same_domain=repeats,
    )  # fmt: skip


def credibility_item(
    review_id: str,
    reference: str,
    classification: str,
    line: str,
    role: str,
    confirmed: bool | None,
    reopened: bool,
) -> ReviewItem:
    """An item of example 3's monthly review, with the fields the packs read."""
    return item(
        review_id, reference, classification, service_line=line, final_reviewing_role=role,
        confirmed=confirmed, reopened_within_30_days=reopened,
    )  # fmt: skip


def opened(
    case_id: str, when: datetime, obligation: str, deadline: datetime, rule: str
) -> CaseEvent:
    """The event of an obligation opening with its deadline and rule."""
    return event(
        case_id, when, "obligation_opened", obligation=obligation, deadline=deadline.isoformat(),
        rule=rule,
    )  # fmt: skip


def breach(
    case_id: str,
    step: str,
    deadline: datetime,
    level: int,
    escalated: datetime,
    resolved: datetime | None = None,
) -> Breach:
    return Breach(
        case_id=case_id,
        step=step,
        deadline=deadline,
        level=level,
        escalated_at=escalated,
        resolved_at=resolved,
    )
