"""The people a pathway's owner field offers, as a director chooses among them: by name, each
with the roles the staff directory gives and their service line, the case's service line first."""

from __future__ import annotations

from collections.abc import Iterable

from api.web.words import role_label
from domain.roles import GOVERNANCE_ROLES, PATHWAY_OWNER_ROLES, Role
from store.staff import StaffMember

Groups = list[tuple[str, list[tuple[str, str]]]]  # (<optgroup> label, (employee ID, words))
GOVERNANCE = "Governance roles"


TRIAGE_OWNER = "triage owner"  # named to triage reports in the latest daily review
STAFF_MEMBER = "staff member"


def person_option(member: StaffMember, triages: bool = False) -> str:
    """ "Eilidh Wright — triage owner, HC-NORTH (E0101)" for someone the latest daily review
    names to triage reports (a team lead), "Zara Ahmed — staff member, HC-NORTH (E1001)" for
    other frontline staff; governance roles by their names."""
    roles = sorted(role_label(r) for r in member.roles if r != Role.WORKER)
    if not roles:
        roles = [TRIAGE_OWNER if triages else STAFF_MEMBER]
    where = f", {member.service_line}" if member.service_line else ""
    return f"{member.display_name} — {', '.join(roles)}{where} ({member.employee_id})"


def _in_group(member: StaffMember, triagers: set[str]) -> tuple[bool, str, str]:
    """Triage owners first (whom a pathway usually names), then by name."""
    return (member.employee_id not in triagers, *_by_name(member))


def _by_name(member: StaffMember) -> tuple[str, str]:
    return member.display_name.casefold(), member.employee_id


def owner_groups(
    staff: Iterable[StaffMember],
    service_line: str | None,
    reporter: str | None = None,
    triagers: set[str] | None = None,
) -> Groups:
    """The people who may own a pathway (current staff in ``PATHWAY_OWNER_ROLES``, never the
    case's reporting worker ``reporter``: the submission refuses anyone else) in labelled
    groups: the case's service line first (its team leads are there), then the governance
    roles, then the other service lines; in each, the ``triagers`` (triage owners) first, then
    by name."""
    triagers = triagers or set()
    here = f"{service_line} — this case's service line" if service_line else ""
    others = "Other service lines" if here else "Staff"
    groups: dict[str, list[tuple[str, str]]] = {here: [], GOVERNANCE: [], others: []}
    for m in sorted(staff, key=lambda member: _in_group(member, triagers)):
        if not m.is_current() or not m.roles & PATHWAY_OWNER_ROLES or m.employee_id == reporter:
            continue
        if here and m.service_line == service_line:
            label = here
        else:
            label = GOVERNANCE if m.roles & GOVERNANCE_ROLES else others
        groups[label].append((m.employee_id, person_option(m, m.employee_id in triagers)))
    return [(label, options) for label, options in groups.items() if options]
