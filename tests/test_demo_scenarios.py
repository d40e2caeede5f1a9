"""Every scenario the seeded demo data set claims to exhibit, per example.

The scenario checks apply the rules of SOURCES.md directly to the generated rows (a small
independent reading of the policy), so they do not depend on the service's own classifiers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from cli.demo_data import (
    ACK_CASES,
    CLOSURE_CASES,
    LEARNING_CASES,
    PAST_CLOSURE_CASES,
    PAST_REPAIRS,
)
from tests.demo_support import (
    AS_OFS,
    LOG,
    LONDON,
    REGISTER,
    TRACKER,
    Data,
    agree,
    by,
    data_for,
    instant,
    minutes,
)


def classify_acknowledgment(data: Data, as_of: datetime) -> dict[str, Any]:
    """Example 1 per SOURCES.md: reference -> classification or ("exception", reasons)."""
    others = {feed: by(data[feed]) for feed in (LOG, TRACKER, REGISTER)}
    out: dict[str, Any] = {}
    for p in data["incident-platform"]:
        submitted = instant(p["submitted_at"])
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
                    agree(instant(row[key]), instant(p[key]))
                    if key.endswith("_at")
                    else row[key] == p[key]
                )
                if not same:
                    reasons.append(f"{key} disagrees with {feed}")
        if reasons:
            out[p["reference"]] = ("exception", sorted(reasons))
            continue
        ack = minutes(instant(p["first_acknowledged_at"]) or as_of, submitted)
        triage = minutes(instant(p["triage_completed_at"]) or as_of, submitted)
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
def test_every_acknowledgment_scenario_classifies_as_documented(as_of: datetime) -> None:
    result = classify_acknowledgment(data_for(as_of), as_of)
    for name, expected in EXPECTED_ACK.items():
        assert result.get(ACK_CASES[name]) == expected, name
    assert set(EXPECTED_ACK) == set(ACK_CASES)


def test_acknowledgment_boundaries_are_exact() -> None:
    as_of = AS_OFS[0]
    data = data_for(as_of)
    platform, log = by(data["incident-platform"]), by(data[LOG])

    def ack_minutes(name: str) -> int:
        p = platform[ACK_CASES[name]]
        return minutes(instant(p["first_acknowledged_at"]) or as_of, instant(p["submitted_at"]))  # type: ignore[arg-type]

    assert ack_minutes("ack_critical_ack") > 2880
    assert 1441 <= ack_minutes("ack_emerging_ack") <= 2880
    assert ack_minutes("ack_boundary_1440") == 1440
    assert platform[ACK_CASES["ack_emerging_no_owner"]]["triage_owner_id"] is None
    for name, seconds in (
        ("ack_agrees_submitted_at_59s", 59),
        ("ack_exception_submitted_at_61s", 61),
    ):
        ref = ACK_CASES[name]
        gap = instant(log[ref]["submitted_at"]) - instant(platform[ref]["submitted_at"])  # type: ignore[operator]
        assert gap == timedelta(seconds=seconds)
    unsafe = platform[ACK_CASES["ack_critical_unsafe"]]
    assert unsafe["unsafe_condition_active"] and unsafe["triage_completed_at"] is None
    assert 1440 < ack_minutes("ack_critical_unsafe") <= 2880  # emerging, critical only by unsafe
    for feed in (LOG, TRACKER, REGISTER):
        keys = set(by(data[feed]))
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
        by(data["learning-bulletin-log"]),
        by(data["recurrence-analysis-file"]),
    )
    actions = by(data["corrective-action-tracker"], "corrective_action_ref")
    out: dict[str, Any] = {}
    for p in data["incident-platform"]:
        closed = instant(p["closed_at"])
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
        completed = instant(action["completed_at"]) if action else None
        indicators = [
            action is None or action["status"] != "complete" or completed > closed,  # type: ignore[operator]
            b["feedback_to_reporter_at"] is None,
            b["wider_relevance"] and b["bulletin_issued_at"] is None,
            r["recurrence_within_30_days"],
            action is not None
            and action["status"] != "complete"
            and instant(action["due_at"]) < as_of,  # type: ignore[operator]
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
    confirmations = by(data["employee-confirmation-form"], "case_ref")
    reopened = by(data["reopened-risk-tracker"], "case_ref")
    evidence = by(data["final-action-evidence-library"], "case_ref")
    result = {}
    two_back = (previous.date() - timedelta(days=1)).replace(day=1)
    three_back = datetime.combine(
        (two_back - timedelta(days=1)).replace(day=1), datetime.min.time(), LONDON
    )
    for case in data["closed-case-register"]:
        closed, ref = instant(case["closed_at"]), case["case_ref"]
        assert closed is not None
        if ref in PAST_CLOSURE_CASES.values():  # the two months before: the past reviews'
            assert three_back <= closed < previous, ref
        else:
            assert previous <= closed < datetime.combine(first, datetime.min.time(), LONDON)
        again = reopened.get(ref)
        confirmed = confirmations.get(ref, {}).get("confirmed")
        if (
            again and instant(again["reopened_at"]) - closed <= timedelta(days=30)
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
