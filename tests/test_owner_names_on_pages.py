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


def test_the_owner_choices_put_the_case_service_line_first() -> None:
    """A director choosing an owner for an HC-NORTH case sees that line's people (its team
    leads) first, then the governance roles, then the other lines; leavers are not offered."""
    from api.web.owner_options import owner_groups
    from store.staff import StaffMember

    def member(eid: str, name: str, line: str | None, *roles: Role, active: bool = True):  # type: ignore[no-untyped-def]
        return StaffMember(employee_id=eid, display_name=name, email=f"{eid}@x.org",
                           roles=frozenset(roles or (Role.WORKER,)), service_line=line,
                           active=active)  # fmt: skip

    staff = [
        member("E1003", "Zara Hughes", "DN-CITY"),
        member("E0102", "Bronwen Ellis", "HC-NORTH"),
        member("E0001", "Ann Analyst", None, Role.SAFETY_LEARNING_ASSURANCE_ANALYST),
        member("E0101", "Eilidh Wright", "HC-NORTH"),
        member("E0091", "Leah Morgan", "HC-NORTH", active=False),
    ]
    groups = owner_groups(staff, "HC-NORTH")
    assert groups == [
        ("HC-NORTH — this case's service line", [
            ("E0102", "Bronwen Ellis — staff member, HC-NORTH (E0102)"),
            ("E0101", "Eilidh Wright — staff member, HC-NORTH (E0101)"),
        ]),
        ("Governance roles", [
            ("E0001", "Ann Analyst — Safety Learning Assurance Analyst (E0001)"),
        ]),
        ("Other service lines", [("E1003", "Zara Hughes — staff member, DN-CITY (E1003)")]),
    ]  # fmt: skip


def test_triage_owners_read_as_such_and_come_first() -> None:
    """The staff directory has no job title (nor has its feed a field for one): someone the
    latest daily review names to triage reports reads "triage owner" (a team lead), before the
    line's other staff; the walk of 7 December read "staff member" for both."""
    from api.web.owner_options import owner_groups
    from store.staff import StaffMember

    staff = [
        StaffMember(employee_id=eid, display_name=name, email=f"{eid}@x.org",
                    roles=frozenset({Role.WORKER}), service_line="HC-NORTH", active=True)
        for eid, name in (("E1001", "Aled Brown"), ("E0101", "Eilidh Wright"))
    ]  # fmt: skip
    [(_, options)] = owner_groups(staff, "HC-NORTH", triagers={"E0101"})
    assert options == [
        ("E0101", "Eilidh Wright — triage owner, HC-NORTH (E0101)"),
        ("E1001", "Aled Brown — staff member, HC-NORTH (E1001)"),
    ]


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


def test_only_people_who_may_own_a_pathway_are_offered_and_accepted() -> None:
    """Walk defect: the owner picker listed everyone, the reporting worker herself, the
    administrator, inspector and operator among them. The picker and the submission's check
    (``owner_refusal``) agree on who may own the pathway."""
    from datetime import date

    from api.case_actions import owner_refusal
    from api.web.owner_options import owner_groups
    from store.staff import StaffMember
    from store.tables import Case

    def member(eid: str, *roles: Role) -> StaffMember:
        return StaffMember(employee_id=eid, display_name=eid, email=f"{eid}@x.org",
                           roles=frozenset(roles), service_line="SL-EAST", active=True)  # fmt: skip

    staff = [
        member("E0101", Role.WORKER),  # a team lead
        member("E1009", Role.WORKER),  # reported the near miss
        member("E0013", Role.ADMINISTRATOR),
        member("E0014", Role.INSPECTOR),
        member("E0015", Role.OPERATOR),
        member("E0004", Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE),
    ]
    offered = [eid for _, options in owner_groups(staff, "SL-EAST", "E1009") for eid, _ in options]
    assert offered == ["E0004", "E0101"]
    case = Case(case_id="c", employee_id="E1009")
    today = date(2026, 12, 7)
    accepted = [m.employee_id for m in staff if not owner_refusal(m, m.employee_id, today, case)]
    assert accepted == ["E0101", "E0004"]
    assert "reported this near miss" in owner_refusal(staff[1], "E1009", today, case)
    assert "holds no role" in owner_refusal(staff[3], "E0014", today, case)
