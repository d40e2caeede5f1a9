"""The people a pathway's owner field offers, as a director chooses among them: by name, each
with the roles the staff directory gives and their service line, the case's service line first."""

from __future__ import annotations

from collections.abc import Iterable

from api.web.words import role_label
from domain.roles import GOVERNANCE_ROLES, PATHWAY_OWNER_ROLES, Role
from store.staff import StaffMember

Groups = list[tuple[str, list[tuple[str, str]]]]  # (<optgroup> label, (employee ID, words))
GOVERNANCE = "Governance roles"


def person_option(member: StaffMember) -> str:
    """ "Eilidh Wright — staff member, HC-NORTH (E0101)"; governance roles by their names."""
    roles = sorted(role_label(r) for r in member.roles if r != Role.WORKER) or ["staff member"]
    where = f", {member.service_line}" if member.service_line else ""
    return f"{member.display_name} — {', '.join(roles)}{where} ({member.employee_id})"


def _by_name(member: StaffMember) -> tuple[str, str]:
    return member.display_name.casefold(), member.employee_id


def owner_groups(
    staff: Iterable[StaffMember], service_line: str | None, reporter: str | None = None
) -> Groups:
    """The people who may own a pathway (current staff in ``PATHWAY_OWNER_ROLES``, never the
    case's reporting worker ``reporter``: the submission refuses anyone else) in labelled
    groups, each by name: the case's service line first (its team leads are there), then the
    governance roles, then the other service lines."""
    here = f"{service_line} — this case's service line" if service_line else ""
    others = "Other service lines" if here else "Staff"
    groups: dict[str, list[tuple[str, str]]] = {here: [], GOVERNANCE: [], others: []}
    for m in sorted(staff, key=_by_name):
        if not m.is_current() or not m.roles & PATHWAY_OWNER_ROLES or m.employee_id == reporter:
            continue
        if here and m.service_line == service_line:
            label = here
        else:
            label = GOVERNANCE if m.roles & GOVERNANCE_ROLES else others
        groups[label].append((m.employee_id, person_option(m)))
    return [(label, options) for label, options in groups.items() if options]
