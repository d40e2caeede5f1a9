"""Reports behind the demo's history: the recent leavers' reports (one each, still open) and
the closures of the two months before last month, which the past closure reviews classify."""

from __future__ import annotations

from datetime import date, time, timedelta

from cli.demo_common import DOMAINS, local
from cli.demo_rows import Builder, Report, ack_rows, learning_rows
from cli.demo_staff import LEAVER_SPECS, RECENT_LEAVERS


def leaver_reports(b: Builder) -> None:
    """One report of each recent leaver (NM-9801 ...), triaged and still open (the daily reviews
    read reports not closed)."""
    for i, (person, spec) in enumerate(zip(b.staff.leavers, LEAVER_SPECS, strict=True)):
        days_ago, ack_minutes = spec[5], spec[6]
        assert person.service_line is not None
        submitted = local(b.today - timedelta(days=days_ago), time(10, 30))
        ack = submitted + timedelta(minutes=ack_minutes)
        reference = RECENT_LEAVERS[person.employee_id]
        r = Report(
            reference,
            person.employee_id,
            person.service_line,
            DOMAINS[(2 + i) % len(DOMAINS)],
            submitted,
            ack=ack,
            triage=ack + timedelta(minutes=500),
            owner=b.staff.leads[person.service_line][0],
        )
        b.emit(ack_rows(r))


# Closures of the two months before last month (months back, name, confirmed, evidence, reopened
# after days): the demo's past closure reviews (store/demo_history.py) classify them and two of
# them are past repairs (store/demo_cases.py).
_PAST_CLOSURE_SPECS: tuple[tuple[int, str, bool | None, str | None, int | None], ...] = (
    (3, "past_credible_photo", True, "photo", None),
    (3, "past_failed_reopened", True, "audit", 4),
    (3, "past_doubtful_evidence_none", True, "none", None),
    (3, "past_credible_risk_assessment", True, "risk_assessment", None),
    (2, "past_credible_training", True, "training_record", None),
    (2, "past_failed_not_confirmed", False, "photo", None),
    (2, "past_doubtful_no_confirmation", None, "policy_change", None),
    (2, "past_credible_audit", True, "audit", None),
)
PAST_CLOSURE_CASES = {
    name: f"CC-9{i + 1:03d}" for i, (_, name, *_r) in enumerate(_PAST_CLOSURE_SPECS)
}
"""Past closure scenario -> ``case_ref`` (closed two or three months before as_of's month)."""
PAST_REPAIRS = {"failed": "CC-9002", "doubtful": "CC-9003"}
"""The past closures carried through a repair (store/demo_cases.py): failed and doubtful."""


def _months_back(today: date, n: int) -> date:
    """The first day of the month ``n`` months before ``today``'s."""
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def past_closures(b: Builder) -> None:
    """Closures of the two months before last month, each with its report in every feed."""
    for i, (back, name, confirmed, evidence, reopened) in enumerate(_PAST_CLOSURE_SPECS):
        first = _months_back(b.today, back)
        closed = local(first + timedelta(days=3 + 2 * i), time(14, 30))
        submitted = closed - timedelta(days=5)
        worker = b.staff.workers[(3 * i + 1) % len(b.staff.workers)]
        assert worker.service_line is not None
        reference = f"NM-{9901 + i}"
        r = Report(
            reference,
            worker.employee_id,
            worker.service_line,
            DOMAINS[i % len(DOMAINS)],
            submitted,
            ack=submitted + timedelta(minutes=50),
            triage=submitted + timedelta(minutes=400),
            owner=b.staff.leads[worker.service_line][i % 2],
            closed=closed,
            ca_ref=f"CA-{reference[3:]}",
        )
        b.emit(ack_rows(r) | learning_rows(r, b.as_of, None))
        b.closed_case(PAST_CLOSURE_CASES[name], r, confirmed, evidence, reopened)
