"""Example 3 cross-checks of steps 2 to 4 against the values computed when the step opened."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.credibility import RANK, Credibility
from domain.steps import FieldError, deadlines_in_order


def adjudication_checks(model: Any, computed: dict[str, Any]) -> list[FieldError]:
    """Not confirmed below what the review's rules say today; a finding names its sources."""
    errors = []
    current = computed.get("current_classification")
    if (
        current is not None
        and RANK[Credibility(model.confirmed_status)] < RANK[Credibility(current)]
    ):
        errors.append(
            FieldError(
                field="confirmed_status",
                message=f"the review's rules classify it {current!r} today "
                f"({', '.join(computed.get('current_reasons', []))}); it cannot be confirmed lower",
            )
        )
    if model.confirmed_status != Credibility.CREDIBLE and not model.confirmed_sources:
        errors.append(
            FieldError(
                field="confirmed_sources",
                message="a doubtful or failed finding needs at least one evidenced source",
            )
        )
    return errors


def pathway_checks(model: Any, computed: dict[str, Any], today: date) -> list[FieldError]:
    """The adjudication note exists; deadlines not past; the follow-up review after them."""
    errors = []
    if not computed.get("complete", False):
        errors.append(
            FieldError(
                field="documents.adjudication-note",
                message="no adjudication note in the reporting-closure credibility register",
            )
        )
    return errors + deadlines_in_order(
        model,
        ("final_corrective_deadline", "worker_reconnection_deadline"),
        "follow_up_review_date",
        today,
    )


def validation_checks(model: Any, computed: dict[str, Any], minuted: bool) -> list[FieldError]:
    """The worker's answer as confirmed; an escalation minuted; the close gate."""
    errors = []
    if model.worker_regards_resolved and computed.get("revised_confirmation_status") != "confirmed":
        errors.append(
            FieldError(
                field="worker_regards_resolved",
                message="the worker's latest confirmation does not say resolved",
            )
        )
    if model.decision == "escalate" and not model.escalation_minute:
        errors.append(FieldError(field="escalation_minute", message="an escalation is minuted"))
    improved = bool(computed.get("measurable_improvement"))
    if model.decision == "close" and not (improved or minuted or model.escalation_minute):
        errors.append(
            FieldError(
                field="decision",
                message="close needs measurable improvement (confirmed, no reopen since "
                "activation, confidence not below baseline) or a formal escalation minuted in "
                "the board workforce experience record; choose continue or escalate",
            )
        )
    return errors
