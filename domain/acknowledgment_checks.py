"""Example 1 cross-checks of step 4 against the values computed when the step opened."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.steps import FieldError


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
    for name in ("triage_control_implementation_deadline", "worker_communication_deadline"):
        value = getattr(model, name)
        day = value.date() if isinstance(value, datetime) else value
        if day < today:
            errors.append(FieldError(field=name, message="must not be in the past"))
        elif model.mandatory_review_date < day:
            errors.append(
                FieldError(field="mandatory_review_date", message=f"must not be before {name}")
            )
    return errors
