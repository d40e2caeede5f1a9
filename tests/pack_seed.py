"""A small, hand-countable seeded set for the packs and the evidence pack (November 2026, when
London is on GMT, so local and UTC times coincide).

Week 2026-W48 is 23-29 November; the fortnightly cycle 2026-11-23 runs 23 November to 6
December; the monthly board pack 2026-12 shows the review of November's closures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain import names
from domain.feeds import FEEDS
from store.registers import append_entry
from store.sources import upsert_records
from tests.stored_rows import (
    breach,
    case,
    credibility_item,
    event,
    item,
    learning_item,
    opened,
    review,
)

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


async def fixed_clock() -> datetime:
    """The app clock of these tests: Friday 27 November 2026, 15:00."""
    return NOW


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


ACK = names.EXAMPLE_ACKNOWLEDGMENT
NM1, NM2, NM9 = "ack-case-NM-1", "ack-case-NM-2", "ack-case-NM-9"


def weekly_rows() -> list[Any]:
    """Example 1 in week 48: two daily reviews (and one each side), three cases, breaches."""
    r24 = review(ACK, "2026-11-24", at(24, 7), reviewed=at(24, 9, 10))
    r25 = review(ACK, "2026-11-25", at(25, 7))
    r20 = review(ACK, "2026-11-20", at(20, 7), reviewed=at(20, 9))
    r30 = review(ACK, "2026-11-30", at(30, 7))
    north, south = {"service_line": "HC-NORTH"}, {"service_line": "HC-SOUTH"}
    slow = {"ack_elapsed_min": 3000, "triage_elapsed_min": 5000, "triage_owner_id": None}
    quick = {"ack_elapsed_min": 30, "triage_elapsed_min": 100, "triage_owner_id": "E-OWNER"}
    return [
        r24,
        r25,
        r20,
        r30,
        item(r24.review_id, "NM-1", "critical", **north, **slow),
        item(r24.review_id, "NM-2", "emerging", **north, **slow),
        item(r24.review_id, "NM-3", "within_tolerance", **south, **quick),
        item(r24.review_id, "NM-4", None, **south),
        item(r25.review_id, "NM-1", "critical", **north, **slow),
        item(r25.review_id, "NM-2", "critical", **north, **slow),
        item(r25.review_id, "NM-3", "within_tolerance", **south, **quick),
        item(r20.review_id, "NM-0", "critical", **north, **slow),
        item(r30.review_id, "NM-9", "critical", **north, **slow),
        case(ACK, NM1, "NM-1", "awaiting-visibility", at(24, 9, 10), review_id=r24.review_id),
        case(ACK, NM2, "NM-2", "retention-impact", at(24, 9, 10), exposure="emerging"),
        case(ACK, NM9, "NM-9", "awaiting-visibility", at(30, 9, 10)),
        breach(NM1, "triage-attribution", at(24, 17), 1, at(24, 17), resolved=at(25, 10)),
        breach(NM2, "retention-impact", at(26, 13), 1, at(26, 13)),
        breach(NM2, "retention-impact", at(26, 13), 2, at(26, 17)),
        breach(NM2, "retention-impact", at(26, 13), 3, at(27, 13)),
        breach(NM9, "triage-attribution", at(30, 17), 1, at(30, 17)),
        opened(NM1, at(24, 9, 10), "triage-attribution", at(24, 17), "close of business"),
        event(
            NM1, at(25, 10), "step_submitted", "E-SUPERVISOR", step="triage-attribution", late=True
        ),
        opened(NM1, at(25, 12), "pathway-acceptance", at(25, 17), "1 working day"),
        event(NM1, at(26, 10), "pathway_accepted", "E-OWNER", late=True),
        opened(NM1, at(26, 10), "action:worker-communication", at(27, 17), "close of business"),
        event(
            NM2, at(25, 11), "step_submitted", "E-SUPERVISOR", step="triage-attribution", late=False
        ),
    ]


# The people the packs name, as the staff directory knows them (packs show "Name (ID)").
PEOPLE = {
    "E-ANALYST": "Aled Price",
    "E-SUPERVISOR": "Nia Hughes",
    "E-OWNER": "Tomasz Nowak",
}


async def seed_people(session: Any) -> None:
    model = FEEDS["staff-directory"].model
    rows = [
        model(
            employee_id=eid,
            display_name=name,
            email=f"{eid.lower()}@example-care.org.uk",
            roles=["worker"],
            active=True,
        )
        for eid, name in PEOPLE.items()
    ]
    await upsert_records(session, "staff-directory", rows, NOW)


async def seed(session: Any, rows: list[Any], entries: list[tuple[Any, ...]]) -> None:
    """The people, ROWS, and ENTRIES appended to their registers: (register, actor, recorded
    at, subject, kind, payload) each."""
    await seed_people(session)
    session.add_all(rows)
    await session.flush()
    for register, actor, recorded_at, subject, kind, payload in entries:
        await append_entry(
            session, register, actor=actor, recorded_at=recorded_at, subject=subject, kind=kind,
            payload=payload,
        )  # fmt: skip


async def seed_weekly(session: Any) -> None:
    pathway = {
        "pathway_type": "senior_acknowledgment",
        "responsible_owner_id": "E-OWNER",
        "worker_communication_deadline": "2026-11-27",
        "mandatory_review_date": "2026-12-11",
    }
    entry = ("acknowledgment-recovery-log", "E-DIRECTOR", at(25, 12), NM1, "recovery_pathway")
    await seed(session, weekly_rows(), [(*entry, pathway)])


LEARN, CLOSE = names.EXAMPLE_LEARNING, names.EXAMPLE_CREDIBILITY
L2, C3, C9 = "learning-case-L-2", "closure-case-C-3", "closure-case-C-9"


def learning_closure_rows() -> list[Any]:
    """Example 2's audit of the cycle 9-22 November (run 23 November) and example 3's review of
    October's closures (run 2 November), with their cases."""
    audit = review(LEARN, "2026-11-09", at(23, 7), reviewed=at(23, 9), by="E-AUDITOR")
    monthly = review(CLOSE, "2026-10", at(2, 7), reviewed=at(2, 10), by="E-WXANALYST")
    a, m = audit.review_id, monthly.review_id
    learning = [
        learning_item(a, "L-1", "emerging", "HC-NORTH", "medication", ["no_feedback_to_reporter"],
                      "not_given", False, "not_required", False, 0),
        learning_item(a, "L-2", "critical", "HC-NORTH", "route_travel",
                      ["corrective_action_incomplete_at_closure", "recurrence_within_30_days"],
                      "given", True, "not_issued", True, 2),
        learning_item(a, "L-3", "visible_learning_closure", "HC-SOUTH", "medication", [],
                      "given", True, "issued", False, 0),
    ]  # fmt: skip
    credibility = [
        credibility_item(m, "C-1", "credible", "HC-NORTH", "role_a", True, False),
        credibility_item(m, "C-2", "doubtful", "HC-NORTH", "role_a", None, False),
        credibility_item(m, "C-3", "failed", "HC-SOUTH", "role_b", False, True),
    ]
    return [
        audit,
        monthly,
        *learning,
        item(a, "L-4", None, service_line="HC-SOUTH", risk_domain="medication"),
        *credibility,
        item(m, "C-4", None, service_line="HC-SOUTH"),
        case(LEARN, L2, "L-2", "awaiting-visibility", at(23, 9, 30), review_id=a),
        case(CLOSE, C3, "C-3", "awaiting-visibility", at(2, 10), "HC-SOUTH", "failed", m),
        case(CLOSE, C9, "C-9", "closed", at(2, 10), "HC-SOUTH", "failed", m),
        event(
            C9,
            at(26, 11),
            "step_submitted",
            "E-BOARD",
            step="repair-validation",
            late=False,
            register="board-workforce-experience-record",
            seq=1,
        ),
    ]


async def seed_learning_closure(session: Any) -> None:
    pathway = {
        "pathway_type": "controlled_bulletin",
        "responsible_owner_id": "E-OWNER",
        "review_date": "2026-12-09",
    }
    validation = {
        "decision": "close",
        "final_credibility_outcome": "credible",
        "revised_confidence_score": 4,
        "reference": "C-9",  # as every step's entry records it (workflows/case_base.py)
        "computed": {"baseline_score": 2},
        "confirmed_sources": [{"evidence": [{"document": "case-chronology"}]}],
    }
    stabilization = ("learning-stabilization-log", "E-EXEC", at(25, 10), L2)
    board = ("board-workforce-experience-record", "E-BOARD", at(26, 11), C9)
    await seed(
        session,
        learning_closure_rows(),
        [
            (*stabilization, "stabilization_pathway", pathway),
            (*board, "repair_validation", validation),
        ],
    )
