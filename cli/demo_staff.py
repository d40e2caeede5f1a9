"""The demo's staff directory: governance staff with fixed IDs, two team leads per service line,
frontline workers (the reports' authors), a leaver of some months and the recent leavers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from cli.demo_common import MANAGER_LINES, SERVICE_LINES, Row
from domain.roles import Role

_FIRST = "Amira Ben Chloe Dev Elena Femi Grace Hassan Isla Jamal Kasia Liam Maya Nadia Owen Priya"
_FIRST += " Quinn Rosa Sam Tariq Uma Victor Wen Yusuf Zara Aled Bronwen Ciaran Daria Eilidh"
_LAST = "Shah Okafor Jones Patel Novak Adeyemi Hughes Khan Murray Ahmed Kowalski Evans Clarke"
_LAST += " Nguyen Reid Campbell Mensah Rossi Taylor Hussain Walsh Price Lewis Byrne Fraser Wright"
FIRST_NAMES, LAST_NAMES = tuple(_FIRST.split()), tuple(_LAST.split())
_GOVERNANCE_ROLES = [r for r in Role if r is not Role.WORKER]
DEMO_STAFF: dict[str, str] = {r.value: f"E{i + 1:04d}" for i, r in enumerate(_GOVERNANCE_ROLES)}
"""Role slug -> the demo employee ID holding it (governance, administrator, inspector)."""


@dataclass(frozen=True, slots=True)
class Person:
    employee_id: str
    name: tuple[str, str]
    roles: tuple[str, ...]
    service_line: str | None = None
    active: bool = True
    left_at: date | None = None
    started_at: date | None = None


@dataclass(slots=True)
class Staff:
    people: list[Person]
    workers: list[Person]  # active frontline workers: report authors
    leads: dict[str, tuple[str, str]]  # service line -> its two triage owners
    leaver: Person
    leavers: list[Person]  # the recent leavers of LEAVER_SPECS, in its order


# Workers who left in the last weeks, each with one report of the last month (ID, name, service
# line, left and started days before as_of, report submitted days before as_of, minutes to
# acknowledge): the first two were acknowledged late (about 25 and 50 hours: the daily reviews
# class the reports emerging and critical while they are open, so both workers were exposed to
# weak response before leaving); the third was acknowledged within the hour (not exposed).
LEAVER_SPECS: tuple[tuple[str, tuple[str, str], str, int, int, int, int], ...] = (
    ("E0092", ("Nia", "Barker"), "HC-SOUTH", 6, 1100, 25, 1500),
    ("E0093", ("Tomasz", "Wood"), "DN-CITY", 3, 420, 20, 3000),
    ("E0094", ("Ruth", "Ellis"), "SL-EAST", 10, 900, 22, 40),
)
RECENT_LEAVERS = {spec[0]: f"NM-{9801 + i}" for i, spec in enumerate(LEAVER_SPECS)}
"""Recent leaver's employee ID -> the reference of their report (one each)."""


def make_staff(rng: Random, n_workers: int, today: date) -> Staff:
    """Governance staff with fixed IDs, two team leads per service line, workers, a leaver."""
    people = [
        Person(DEMO_STAFF[r.value], (FIRST_NAMES[i], LAST_NAMES[i]), (r.value,))
        for i, r in enumerate(_GOVERNANCE_ROLES)
    ]
    leads: dict[str, tuple[str, str]] = {}
    for i, line in enumerate(SERVICE_LINES):
        leads[line] = (f"E01{i}1", f"E01{i}2")  # last digit 1/2: see _other_owner
        for k, lead in enumerate(leads[line]):
            name = (FIRST_NAMES[-1 - 2 * i - k], LAST_NAMES[-1 - 2 * i - k])
            people.append(Person(lead, name, (Role.WORKER.value,), line))
    leaver = Person(
        "E0091", ("Leah", "Morgan"), ("worker",), "HC-NORTH", False, today - timedelta(days=12),
        today - timedelta(days=700),
    )  # fmt: skip
    leavers = [
        Person(eid, name, ("worker",), line, False, today - timedelta(days=left),
                today - timedelta(days=started))
        for eid, name, line, left, started, *_report in LEAVER_SPECS
    ]  # fmt: skip
    people += [
        leaver,
        *leavers,
        Person("E0090", ("Iris", "Doyle"), (_GOVERNANCE_ROLES[0].value,), active=False),
    ]
    workers = [
        Person(
            f"E{1001 + i}",
            (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)),
            (Role.WORKER.value,),
            SERVICE_LINES[i % len(SERVICE_LINES)],
            # Joining dates spread over three years; every ninth worker joined this month.
            started_at=today - timedelta(days=(5 + i % 20) if i % 9 == 8 else 60 + (i * 37) % 1000),
        )
        for i in range(n_workers)
    ]
    return Staff(people + workers, workers, leads, leaver, leavers)


def staff_rows(staff: Staff) -> list[Row]:
    """Staff-directory rows; emails are first.last, numbered when two people share a name."""
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for p in staff.people:
        local = f"{p.name[0]}.{p.name[1]}".lower()
        seen[local] = seen.get(local, 0) + 1
        suffix = "" if seen[local] == 1 else str(seen[local])
        rows.append(
            {
                "employee_id": p.employee_id,
                "display_name": f"{p.name[0]} {p.name[1]}",
                "email": f"{local}{suffix}@example-care.org.uk",
                "roles": list(p.roles),
                "service_line": p.service_line,
                "manager_line": MANAGER_LINES.get(p.service_line or ""),
                "active": p.active,
                "started_at": None if p.started_at is None else p.started_at.isoformat(),
                "left_at": None if p.left_at is None else p.left_at.isoformat(),
            }
        )
    return rows
