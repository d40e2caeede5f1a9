"""Example 1 cross-checks of step 4 against the values computed when the step opened."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.steps import FieldError, deadlines_in_order


def pathway_checks(model: Any, computed: dict[str, Any], today: date) -> list[FieldError]:
    """A complete authorization sheet; deadlines not past; the review date after them."""
    errors = []
    sheet = computed.get("authorization_sheet", {})
    if not sheet.get("complete", False):
        errors.append(
            FieldError(
                field="documents.reporting-control-authorization-sheet",
                message=f"the authorization sheet is incomplete: {sheet.get('missing')}",
            )
        )
    return errors + deadlines_in_order(
        model,
        ("triage_control_implementation_deadline", "worker_communication_deadline"),
        "mandatory_review_date",
        today,
    )
