"""Example 2 cross-checks of steps 3 and 4 against the values computed when the step opened."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.learning_measures import STANDARDS, unsupported_indicators
from domain.learning_steps import PATHWAY_REQUIREMENTS
from domain.steps import FieldError, deadlines_in_order


def pathway_checks(model: Any, computed: dict[str, Any], today: date) -> list[FieldError]:
    """The standards sheet is complete and supports the pathway; deadlines are coherent."""
    sheet = computed.get("standards_sheet", {})
    errors = []
    if not sheet.get("complete", False):
        errors.append(
            FieldError(
                field="documents.learning-control-standards-sheet",
                message="no validated attribution note in the learning-visibility register",
            )
        )
    chosen = {name: bool(getattr(model, name)) for name in PATHWAY_REQUIREMENTS}
    for indicator in unsupported_indicators(list(sheet.get("case_indicators", [])), chosen):
        needs = " or ".join(STANDARDS[indicator][1])
        errors.append(
            FieldError(
                field="pathway_requirements",
                message=f"the learning-control standards sheet requires {needs} "
                f"for the case's indicator {indicator!r}",
            )
        )
    return errors + deadlines_in_order(
        model,
        ("learning_control_implementation_deadline", "worker_feedback_deadline"),
        "review_date",
        today,
    )


def _gate_reason(computed: dict[str, Any]) -> str:
    baseline, follow_up = computed.get("baseline", {}), computed.get("follow_up", {})
    return (
        f"recurrence {follow_up.get('recurrence_count')} vs baseline "
        f"{baseline.get('recurrence_count')}, tolerance {computed.get('recurrence_tolerance')} "
        f"(below threshold: {computed.get('recurrence_fell')}); "
        f"visibility improved: {computed.get('visibility_improved')}; "
        f"same rules: {computed.get('same_rules')}"
    )


def validation_checks(
    model: Any, computed: dict[str, Any], open_actions: list[str]
) -> list[FieldError]:
    """Close only through the gate or with a minuted escalation; escalation needs a minute."""
    errors = []
    gate = bool(computed.get("gate_passed"))
    minuted = model.escalation_minute_ref is not None
    if model.decision == "close":
        if not gate and not minuted:
            errors.append(
                FieldError(
                    field="decision",
                    message="close needs measured reduction in recurrence and improved learning "
                    f"visibility ({_gate_reason(computed)}); otherwise record a formal escalation "
                    "with its minute reference (escalation_minute_ref)",
                )
            )
        errors += [
            FieldError(field=f"actions.{a}", message="pathway action not done")
            for a in open_actions
        ]
    if model.decision == "executive_escalation" and not minuted:
        errors.append(
            FieldError(
                field="escalation_minute_ref",
                message="an executive escalation is minuted in the workforce governance record: "
                "give its minute reference",
            )
        )
    if model.final_learning_visibility_status == "visible_learning_closure" and not gate:
        errors.append(
            FieldError(
                field="final_learning_visibility_status",
                message="visible learning closure needs the gate passed "
                f"({_gate_reason(computed)})",
            )
        )
    return errors
