"""The seeded demo data set: valid rows, every role, and every scenario it claims to exhibit.

The scenario checks apply the rules of SOURCES.md directly to the generated rows (a small
independent reading of the policy), so they do not depend on the service's own classifiers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cli.demo_data import (
    ACK_CASES,
    CLOSURE_CASES,
    CONCERN_CASES,
    DEMO_CASES,
    DEMO_STAFF,
    LEARNING_CASES,
    MIN_REPORTS,
    PAST_CLOSURE_CASES,
    PAST_REPAIRS,
    generate,
)
from domain.feeds import FEEDS
from domain.roles import Role

LONDON = ZoneInfo("Europe/London")
AS_OFS = [
    datetime(2026, 11, 26, 7, 0, tzinfo=LONDON),
    datetime(2026, 4, 2, 7, 0, tzinfo=LONDON),  # the 30-day window spans the March clock change
    datetime(2027, 1, 4, 7, 0, tzinfo=LONDON),  # first working day of a month and a year
]
LOG, TRACKER, REGISTER = (
    "workforce-reporting-log",
    "manager-response-tracker",
    "service-line-governance-register",
)
Data = dict[str, list[dict[str, Any]]]


@cache
def data_for(as_of: datetime, seed: int = 7, reports: int = 150) -> Data:
    return generate(seed, reports, as_of)


def _t(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _minutes(later: datetime, earlier: datetime) -> int:
    return int((later - earlier).total_seconds() // 60)


def _agree(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs((a - b).total_seconds()) <= 60


def _by(rows: list[dict[str, Any]], key: str = "reference") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def classify_acknowledgment(data: Data, as_of: datetime) -> dict[str, Any]:
    """Example 1 per SOURCES.md: reference -> classification or ("exception", reasons)."""
    others = {feed: _by(data[feed]) for feed in (LOG, TRACKER, REGISTER)}
    out: dict[str, Any] = {}
    for p in data["incident-platform"]:
        submitted = _t(p["submitted_at"])
        assert submitted is not None
        if not as_of - timedelta(days=30) <= submitted < as_of or p["triage_status"] == "closed":
            continue
        reasons = []
        for feed, rows in others.items():
            row = rows.get(p["reference"])
            if row is None:
                reasons.append(f"missing in {feed}")
                continue
            for key in ("employee_id", "service_line", "triage_owner_id"):
                if row[key] != p[key]:
                    reasons.append(f"{key} disagrees with {feed}")
            checks = {LOG: ("submitted_at", "first_acknowledged_at"), TRACKER: ("triage_status",)}
            for key in checks.get(feed, ()):
                same = (
                    _agree(_t(row[key]), _t(p[key])) if key.endswith("_at") else row[key] == p[key]
                )
                if not same:
                    reasons.append(f"{key} disagrees with {feed}")
        if reasons:
            out[p["reference"]] = ("exception", sorted(reasons))
            continue
        ack = _minutes(_t(p["first_acknowledged_at"]) or as_of, submitted)
        triage = _minutes(_t(p["triage_completed_at"]) or as_of, submitted)
        emerging = ack > 1440 or triage > 4320 or p["triage_owner_id"] is None
        critical = ack > 2880 or triage > 7200 or (emerging and p["unsafe_condition_active"])
        out[p["reference"]] = "critical" if critical else "emerging" if emerging else "within"
    return out


def _missing(feed: str) -> tuple[str, list[str]]:
    return ("exception", [f"missing in {feed}"])


def _disagrees(key: str, feed: str) -> tuple[str, list[str]]:
    return ("exception", [f"{key} disagrees with {feed}"])


EXPECTED_ACK: dict[str, Any] = {
    "ack_within_tolerance": "within",
    "ack_boundary_1440": "within",
    "ack_emerging_ack": "emerging",
    "ack_emerging_no_ack_yet": "emerging",
    "ack_emerging_triage": "emerging",
    "ack_emerging_no_owner": "emerging",
    "ack_critical_ack": "critical",
    "ack_critical_triage": "critical",
    "ack_critical_unsafe": "critical",
    "ack_exception_missing_reporting_log": _missing(LOG),
    "ack_exception_missing_manager_tracker": _missing(TRACKER),
    "ack_exception_missing_governance_register": _missing(REGISTER),
    "ack_exception_submitted_at_61s": _disagrees("submitted_at", LOG),
    "ack_agrees_submitted_at_59s": "within",
    "ack_exception_first_acknowledged_at": _disagrees("first_acknowledged_at", LOG),
    "ack_exception_owner": _disagrees("triage_owner_id", TRACKER),
    "ack_exception_status": _disagrees("triage_status", TRACKER),
    "ack_exception_service_line": _disagrees("service_line", REGISTER),
    "ack_exception_employee": _disagrees("employee_id", LOG),
    "ack_exception_several": (
        "exception",
        [f"missing in {REGISTER}", f"submitted_at disagrees with {LOG}"],
    ),
    "ack_out_of_scope_closed": None,
    "ack_out_of_scope_old": None,
}


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_every_row_validates_against_its_feed_model_and_keys_are_unique(as_of: datetime) -> None:
    data = data_for(as_of)
    assert set(data) == set(FEEDS)
    for feed, rows in data.items():
        spec = FEEDS[feed]
        assert rows, f"{feed} is empty"
        for row in rows:
            spec.model.model_validate(row)
        keys = [row[spec.key] for row in rows]
        assert len(keys) == len(set(keys)), feed


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_nothing_happens_after_as_of_except_due_dates(as_of: datetime) -> None:
    for feed, rows in data_for(as_of).items():
        for row in rows:
            for key, value in row.items():
                if key.endswith("_at") and key not in ("due_at", "left_at") and value:
                    if key == "started_at":  # a date (staff directory)
                        assert date.fromisoformat(value) < as_of.date(), (feed, row)
                        continue
                    assert datetime.fromisoformat(value) < as_of, (feed, row)


def test_joining_dates_and_named_owners_feed_the_retention_analytics() -> None:
    data = data_for(AS_OFS[0], reports=200)
    workers = [p for p in data["staff-directory"] if "worker" in p["roles"] and p["started_at"]]
    recent = [
        p
        for p in workers
        if date.fromisoformat(p["started_at"]) > AS_OFS[0].date() - timedelta(days=30)
    ]
    assert len(workers) > 20 and 0 < len(recent) < len(workers)  # some joined this month
    platform = _by(data["incident-platform"], "reference")
    named = [t for t in data["manager-response-tracker"] if t["triage_owner_id"]]
    assert named and all(t["triage_owner_assigned_at"] for t in named)
    for t in named:
        submitted = datetime.fromisoformat(platform[t["reference"]]["submitted_at"])
        assert datetime.fromisoformat(t["triage_owner_assigned_at"]) >= submitted, t
    unowned = [t for t in data["manager-response-tracker"] if not t["triage_owner_id"]]
    assert all(t["triage_owner_assigned_at"] is None for t in unowned)


def test_staff_directory_has_every_role_a_leaver_and_an_inactive_person() -> None:
    staff = data_for(AS_OFS[0])["staff-directory"]
    active_roles = {role for person in staff if person["active"] for role in person["roles"]}
    assert active_roles == {role.value for role in Role}
    assert any(not p["active"] and p["left_at"] for p in staff)
    assert any(not p["active"] and p["left_at"] is None for p in staff)
    assert all(p["email"].endswith("@example-care.org.uk") for p in staff)
    assert len({p["email"] for p in staff}) == len(staff)
    by_id = _by(staff, "employee_id")
    assert all(slug in by_id[eid]["roles"] for slug, eid in DEMO_STAFF.items())
    assert len({p["service_line"] for p in staff if p["service_line"]}) >= 4
    assert len({p["manager_line"] for p in staff if p["manager_line"]}) >= 3


def test_reports_span_six_domains_and_sixty_days_in_working_hours() -> None:
    as_of = AS_OFS[0]
    platform = data_for(as_of, reports=600)["incident-platform"]
    assert {p["risk_domain"] for p in platform} == {
        d.value for d in FEEDS["incident-platform"].model.model_fields["risk_domain"].annotation
    }  # type: ignore[union-attr]
    submitted = [datetime.fromisoformat(p["submitted_at"]) for p in platform]
    assert min(submitted) < as_of - timedelta(days=50)
    assert {s.utcoffset() for s in submitted} <= {timedelta(0), timedelta(hours=1)}
    in_hours = sum(7 <= s.astimezone(LONDON).hour < 20 for s in submitted)
    assert in_hours / len(submitted) > 0.85


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_every_acknowledgment_scenario_classifies_as_documented(as_of: datetime) -> None:
    result = classify_acknowledgment(data_for(as_of), as_of)
    for name, expected in EXPECTED_ACK.items():
        assert result.get(ACK_CASES[name]) == expected, name
    assert set(EXPECTED_ACK) == set(ACK_CASES)


def test_acknowledgment_boundaries_are_exact() -> None:
    as_of = AS_OFS[0]
    data = data_for(as_of)
    platform, log = _by(data["incident-platform"]), _by(data[LOG])

    def ack_minutes(name: str) -> int:
        p = platform[ACK_CASES[name]]
        return _minutes(_t(p["first_acknowledged_at"]) or as_of, _t(p["submitted_at"]))  # type: ignore[arg-type]

    assert ack_minutes("ack_critical_ack") > 2880
    assert 1441 <= ack_minutes("ack_emerging_ack") <= 2880
    assert ack_minutes("ack_boundary_1440") == 1440
    assert platform[ACK_CASES["ack_emerging_no_owner"]]["triage_owner_id"] is None
    for name, seconds in (
        ("ack_agrees_submitted_at_59s", 59),
        ("ack_exception_submitted_at_61s", 61),
    ):
        ref = ACK_CASES[name]
        gap = _t(log[ref]["submitted_at"]) - _t(platform[ref]["submitted_at"])  # type: ignore[operator]
        assert gap == timedelta(seconds=seconds)
    unsafe = platform[ACK_CASES["ack_critical_unsafe"]]
    assert unsafe["unsafe_condition_active"] and unsafe["triage_completed_at"] is None
    assert 1440 < ack_minutes("ack_critical_unsafe") <= 2880  # emerging, critical only by unsafe
    for feed in (LOG, TRACKER, REGISTER):
        keys = set(_by(data[feed]))
        missing = [r for r in platform if r not in keys]
        assert missing, f"no report is missing from {feed}"


def _cycle(today: date, anchor: date = date(2026, 1, 5)) -> tuple[datetime, datetime]:
    end = anchor + timedelta(days=14 * ((today - anchor).days // 14))
    return (
        datetime.combine(end - timedelta(days=14), datetime.min.time(), LONDON),
        datetime.combine(end, datetime.min.time(), LONDON),
    )


def classify_learning(data: Data, as_of: datetime) -> dict[str, Any]:
    """Example 2 per SOURCES.md over the last complete cycle."""
    start, end = _cycle(as_of.date())
    bulletins, recurrence = (
        _by(data["learning-bulletin-log"]),
        _by(data["recurrence-analysis-file"]),
    )
    actions = _by(data["corrective-action-tracker"], "corrective_action_ref")
    out: dict[str, Any] = {}
    for p in data["incident-platform"]:
        closed = _t(p["closed_at"])
        if closed is None or not start <= closed < end:
            continue
        ref, ca_ref, domain = p["reference"], p["corrective_action_ref"], p["risk_domain"]
        reasons = []
        for feed, row in (
            ("learning-bulletin-log", bulletins.get(ref)),
            ("recurrence-analysis-file", recurrence.get(ref)),
        ):
            if row is None:
                reasons.append(f"missing in {feed}")
            elif (row["risk_domain"], row["corrective_action_ref"]) != (domain, ca_ref):
                reasons.append(f"disagrees with {feed}")
        action = actions.get(ca_ref) if ca_ref else None
        if ca_ref and (
            action is None or (action["reference"], action["risk_domain"]) != (ref, domain)
        ):
            reasons.append("missing in corrective-action-tracker")
        if reasons:
            out[ref] = ("exception", reasons)
            continue
        b, r = bulletins[ref], recurrence[ref]
        completed = _t(action["completed_at"]) if action else None
        indicators = [
            action is None or action["status"] != "complete" or completed > closed,  # type: ignore[operator]
            b["feedback_to_reporter_at"] is None,
            b["wider_relevance"] and b["bulletin_issued_at"] is None,
            r["recurrence_within_30_days"],
            action is not None and action["status"] != "complete" and _t(action["due_at"]) < as_of,  # type: ignore[operator]
        ]
        n = sum(map(bool, indicators))
        critical = n >= 2 or (indicators[3] and r["repeat_count_same_domain"] >= 2)
        out[ref] = "critical" if critical else "emerging" if n else "visible"
    return out


EXPECTED_LEARNING: dict[str, Any] = {
    "learn_visible": "visible",
    "learn_no_corrective_action": "emerging",
    "learn_action_incomplete": "emerging",
    "learn_action_completed_after_closure": "emerging",
    "learn_no_feedback": "emerging",
    "learn_no_bulletin": "emerging",
    "learn_recurrence": "emerging",
    "learn_recurrence_repeated": "critical",
    "learn_action_overdue": "critical",
    "learn_no_feedback_no_bulletin": "critical",
    "learn_exception_missing_bulletin": ("exception", ["missing in learning-bulletin-log"]),
    "learn_exception_missing_recurrence": ("exception", ["missing in recurrence-analysis-file"]),
    "learn_exception_missing_action": ("exception", ["missing in corrective-action-tracker"]),
    "learn_exception_risk_domain": ("exception", ["disagrees with learning-bulletin-log"]),
    "learn_exception_action_ref": ("exception", ["disagrees with recurrence-analysis-file"]),
}


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_every_learning_scenario_classifies_as_documented(as_of: datetime) -> None:
    result = classify_learning(data_for(as_of), as_of)
    assert set(EXPECTED_LEARNING) == set(LEARNING_CASES)
    for name, expected in EXPECTED_LEARNING.items():
        assert result.get(LEARNING_CASES[name]) == expected, name


EXPECTED_CLOSURE = {
    "closure_credible": "credible",
    "closure_failed_reopened": "failed",
    "closure_failed_not_confirmed": "failed",
    "closure_doubtful_no_confirmation": "doubtful",
    "closure_doubtful_evidence_none": "doubtful",
    "closure_doubtful_evidence_missing": "doubtful",
}


@pytest.mark.parametrize("as_of", AS_OFS, ids=str)
def test_every_closure_scenario_classifies_as_documented(as_of: datetime) -> None:
    data = data_for(as_of)
    first = as_of.date().replace(day=1)
    previous = datetime.combine(
        (first - timedelta(days=1)).replace(day=1), datetime.min.time(), LONDON
    )
    confirmations = _by(data["employee-confirmation-form"], "case_ref")
    reopened = _by(data["reopened-risk-tracker"], "case_ref")
    evidence = _by(data["final-action-evidence-library"], "case_ref")
    result = {}
    two_back = (previous.date() - timedelta(days=1)).replace(day=1)
    three_back = datetime.combine(
        (two_back - timedelta(days=1)).replace(day=1), datetime.min.time(), LONDON
    )
    for case in data["closed-case-register"]:
        closed, ref = _t(case["closed_at"]), case["case_ref"]
        assert closed is not None
        if ref in PAST_CLOSURE_CASES.values():  # the two months before: the past reviews'
            assert three_back <= closed < previous, ref
        else:
            assert previous <= closed < datetime.combine(first, datetime.min.time(), LONDON)
        again = reopened.get(ref)
        confirmed = confirmations.get(ref, {}).get("confirmed")
        if (
            again and _t(again["reopened_at"]) - closed <= timedelta(days=30)
        ) or confirmed is False:  # type: ignore[operator]
            result[ref] = "failed"
        elif confirmed is None or evidence.get(ref, {}).get("evidence_type", "none") == "none":
            result[ref] = "doubtful"
        else:
            result[ref] = "credible"
    assert set(EXPECTED_CLOSURE) == set(CLOSURE_CASES)
    for name, expected in EXPECTED_CLOSURE.items():
        assert result[CLOSURE_CASES[name]] == expected, name
    for name, ref in PAST_CLOSURE_CASES.items():  # past_<expected>_...
        assert result[ref] == name.split("_")[1], name
    assert result[PAST_REPAIRS["failed"]] == "failed"
    assert result[PAST_REPAIRS["doubtful"]] == "doubtful"


def test_concerns_are_open_and_closed_and_tied_to_scenario_workers() -> None:
    data = data_for(AS_OFS[0])
    concerns = _by(data["workforce-concern-register"], "concern_id")
    platform = _by(data["incident-platform"])
    open_one, closed_one = (
        concerns[CONCERN_CASES["concern_open"]],
        concerns[CONCERN_CASES["concern_closed"]],
    )
    assert open_one["status"] == "open" and closed_one["status"] == "closed"
    assert open_one["employee_id"] == platform[ACK_CASES["ack_critical_ack"]]["employee_id"]
    assert closed_one["employee_id"] == platform[ACK_CASES["ack_emerging_ack"]]["employee_id"]
    scores = {row["score"] for row in data["speaking-up-confidence-form"]}
    assert scores <= {1, 2, 3, 4, 5} and len(scores) >= 3


def test_demo_cases_name_existing_keys() -> None:
    data = data_for(AS_OFS[0])
    keys = {feed: {row[FEEDS[feed].key] for row in rows} for feed, rows in data.items()}
    for name, key in DEMO_CASES.items():
        feed = (
            "closed-case-register"
            if name.startswith("closure_")
            else "workforce-concern-register"
            if name.startswith("concern_")
            else "incident-platform"
        )
        assert key in keys[feed], name


def test_same_seed_same_data_different_seed_different_data() -> None:
    as_of = AS_OFS[0]
    assert generate(3, 120, as_of) == generate(3, 120, as_of)
    assert generate(3, 120, as_of) != generate(4, 120, as_of)


def test_too_few_reports_or_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(1, MIN_REPORTS - 1, AS_OFS[0])
    with pytest.raises(ValueError, match="time zone"):
        generate(1, 200, datetime(2026, 11, 26, 7, 0))  # noqa: DTZ001


def test_scales_linearly_to_many_reports() -> None:
    data = generate(5, 4000, AS_OFS[0])
    total = 4000 + len(PAST_CLOSURE_CASES)  # and the past months' closures
    assert len(data["incident-platform"]) == total
    assert len({row["reference"] for row in data["incident-platform"]}) == total


def test_demo_as_of_is_the_latest_seven_oclock_so_reruns_the_same_day_match() -> None:
    from cli.demo_cmd import demo_as_of

    utc = ZoneInfo("UTC")
    after = demo_as_of("Europe/London", datetime(2026, 6, 10, 15, 0, tzinfo=utc))
    assert after == datetime(2026, 6, 10, 7, 0, tzinfo=LONDON)
    assert after.utcoffset() == timedelta(hours=1)
    before = demo_as_of("Europe/London", datetime(2026, 6, 10, 5, 30, tzinfo=utc))  # 06:30 BST
    assert before == datetime(2026, 6, 9, 7, 0, tzinfo=LONDON)


async def test_loading_the_demo_data_twice_stores_nothing_new(database_url: str) -> None:
    from cli.demo_cmd import LOAD_ORDER, load_demo_data

    data = data_for(AS_OFS[0])
    first = await load_demo_data(database_url, data, AS_OFS[0])
    assert list(first) == LOAD_ORDER
    assert all(first[feed].inserted == len(rows) for feed, rows in data.items())
    again = await load_demo_data(database_url, data, AS_OFS[0] + timedelta(hours=1))
    assert all((r.inserted, r.updated) == (0, 0) for r in again.values())
    assert all(again[feed].unchanged == len(rows) for feed, rows in data.items())


def test_demo_as_of_falls_on_a_working_day_and_the_demo_starts_its_three_reviews() -> None:
    from cli.demo_cmd import demo_as_of, demo_reviews, requested_by_the_demo
    from domain.calendar import BusinessCalendar, CalendarConfig
    from tests.fixtures.temporal import make_test_settings

    calendar = BusinessCalendar(CalendarConfig())
    monday_early = datetime(2026, 12, 7, 1, 0, tzinfo=ZoneInfo("UTC"))  # before Monday's 07:00
    as_of = demo_as_of("Europe/London", monday_early, calendar)
    assert as_of == datetime(2026, 12, 4, 7, 0, tzinfo=LONDON)  # Friday's review, not Sunday's
    after_christmas = datetime(2026, 12, 28, 12, 0, tzinfo=ZoneInfo("UTC"))  # bank holiday
    assert demo_as_of("Europe/London", after_christmas, calendar).date().isoformat() == (
        "2026-12-24"
    )
    settings = make_test_settings(cycle_anchor="2026-01-05")
    assert demo_reviews(settings, as_of) == [
        ("acknowledgment", "2026-12-04"),
        ("learning-visibility", "2026-11-09"),
        ("closure-credibility", "2026-11"),
    ]
    # Asked for as a person would (no escalation for deadlines long past), except today's
    # own daily review, which runs as the schedule would.
    assert [
        requested_by_the_demo(example, period, "Europe/London", monday_early)
        for example, period in demo_reviews(settings, as_of)
    ] == [True, True, True]
    tuesday_noon = datetime(2026, 12, 8, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert not requested_by_the_demo("acknowledgment", "2026-12-08", "Europe/London", tuesday_noon)
    assert requested_by_the_demo("learning-visibility", "2026-11-23", "Europe/London", tuesday_noon)
