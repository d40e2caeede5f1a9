"""Pages name people where people expect names (walk defects): a pathway's owner is chosen from
the staff directory by name, role and ID (a labelled select, not a typed ID), and a review
exception shows an owner as "Name (ID)", not "Triage owner id E0131"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.web.review_view import exception_rows
from api.web.step_form import FormContext, build_controls
from domain.acknowledgment_steps import RECOVERY_PATHWAY
from domain.roles import Role
from store.acknowledgment import ReviewItemView
from store.db import transaction
from tests.factories import load, report_rows, staff_rows

AT = datetime(2026, 11, 26, 8, tzinfo=UTC)


def test_the_owner_field_is_a_labelled_choice_of_people() -> None:
    people = [("E0101", "Eilidh Wright — staff member, HC-NORTH (E0101)")]
    controls = build_controls(RECOVERY_PATHWAY.fields, FormContext(people=people))
    owner = next(c for c in controls if c.name == "responsible_owner_id")
    assert owner.kind == "select" and owner.label == "Responsible owner"
    assert owner.options == people and "staff directory" in owner.hint


async def test_a_review_exception_names_the_owners(sqlite_url: str, sessions_for: Any) -> None:
    sessions = sessions_for(sqlite_url)
    lead = {"E0131": [Role.WORKER], "E0132": [Role.WORKER]}
    names = {"E0131": "Wen Taylor", "E0132": "Ola Price"}
    staff = [r | {"display_name": names.get(r["employee_id"], r["display_name"])}
             for r in staff_rows(lead)]  # fmt: skip
    await load(sessions, "staff-directory", staff)
    rows = report_rows("NM-9", submitted_at=AT, ack_minutes=5, owner="E0131")
    tracker = {**rows["manager-response-tracker"], "triage_owner_id": "E0132"}
    await load(sessions, "manager-response-tracker", [tracker])
    item = ReviewItemView(
        reference="NM-9",
        classification=None,
        reasons=["triage_owner_id disagrees with manager-response-tracker"],
        fields=rows["incident-platform"],
        case_id=None,
    )
    async with transaction(sessions) as session:
        (row,) = await exception_rows(session, "acknowledgment", [item], "Europe/London")
    (conflict,) = row.conflicts
    assert conflict.reason == "Triage owner disagrees with manager response tracker"
    assert conflict.field == "Triage owner"
    assert (conflict.base_value, conflict.other_value) == (
        "Wen Taylor (E0131)",
        "Ola Price (E0132)",
    )
