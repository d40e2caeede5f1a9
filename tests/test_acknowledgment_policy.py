"""Example 1 pure policy: reconciliation, elapsed minutes, classification, indicators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.acknowledgment import (
    ITEM_FIELDS,
    AckPolicy,
    Exposure,
    classify,
    raise_only,
    reconcile,
    review_item,
)
from domain.instants import elapsed_minutes

POLICY = AckPolicy()
SUBMITTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
AS_OF = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.isoformat()


def platform(**over: Any) -> dict[str, Any]:
    """A reconciled, promptly handled report (within tolerance) unless overridden."""
    row = {
        "reference": "NM-1",
        "employee_id": "E1",
        "service_line": "SL-A",
        "client_id": None,
        "risk_domain": "medication",
        "category_code": "MED-01",
        "submitted_at": iso(SUBMITTED),
        "first_acknowledged_at": iso(SUBMITTED + timedelta(minutes=30)),
        "triage_completed_at": iso(SUBMITTED + timedelta(hours=5)),
        "triage_status": "triaged",
        "triage_owner_id": "OWN-1",
        "recurrence_risk": False,
        "unsafe_condition_active": False,
    }
    row.update(over)
    return row


def feeds(p: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Reporting log, tracker and register rows that agree with ``p``."""
    keys = {k: p[k] for k in ("reference", "employee_id", "service_line", "triage_owner_id")}
    log = {
        **keys,
        "submitted_at": p["submitted_at"],
        "first_acknowledged_at": p["first_acknowledged_at"],
    }
    tracker = {**keys, "triage_status": p["triage_status"], "manager_reviewed": True}
    register = {**keys, "manager_line": "ML-1", "risk_domain": p["risk_domain"]}
    return log, tracker, register


def after(minutes: float) -> str:
    return iso(SUBMITTED + timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("ack", "expected"),
    [
        (1440, Exposure.WITHIN_TOLERANCE),
        (1441, Exposure.EMERGING),
        (1440.5, Exposure.WITHIN_TOLERANCE),  # 1440 min 30 s rounds down to 1440
        (2880, Exposure.EMERGING),
        (2881, Exposure.CRITICAL),
    ],
)
def test_ack_thresholds(ack: float, expected: Exposure) -> None:
    p = platform(first_acknowledged_at=after(ack), triage_completed_at=after(ack))
    assert classify(p, AS_OF, POLICY).exposure is expected


@pytest.mark.parametrize(
    ("triage", "expected"),
    [
        (4320, Exposure.WITHIN_TOLERANCE),
        (4321, Exposure.EMERGING),
        (7200, Exposure.EMERGING),
        (7201, Exposure.CRITICAL),
    ],
)
def test_triage_thresholds(triage: int, expected: Exposure) -> None:
    result = classify(platform(triage_completed_at=after(triage)), AS_OF, POLICY)
    assert result.exposure is expected
    assert result.triage_elapsed_min == triage


def test_null_owner_is_emerging_and_reconciles_when_null_everywhere() -> None:
    p = platform(triage_owner_id=None)
    assert reconcile(p, *feeds(p), POLICY) == []
    result = classify(p, AS_OF, POLICY)
    assert result.exposure is Exposure.EMERGING
    assert result.indicators == ["no_named_triage_owner"]


def test_emerging_with_unsafe_condition_is_critical() -> None:
    p = platform(first_acknowledged_at=after(1441), unsafe_condition_active=True)
    assert classify(p, AS_OF, POLICY).exposure is Exposure.CRITICAL
    # Within tolerance stays within tolerance: unsafe only escalates an emerging report.
    assert classify(platform(unsafe_condition_active=True), AS_OF, POLICY).exposure is (
        Exposure.WITHIN_TOLERANCE
    )


def test_as_of_is_used_when_not_acknowledged_nor_triaged() -> None:
    p = platform(first_acknowledged_at=None, triage_completed_at=None, triage_status="pending")
    result = classify(p, AS_OF, POLICY)
    minutes = (AS_OF - SUBMITTED) // timedelta(minutes=1)
    assert result.ack_elapsed_min == result.triage_elapsed_min == minutes
    assert result.exposure is Exposure.CRITICAL


def test_indicators_all_present() -> None:
    p = platform(
        first_acknowledged_at=None,
        triage_completed_at=None,
        triage_status="in_triage",
        triage_owner_id=None,
        unsafe_condition_active=True,
    )
    result = classify(p, AS_OF, POLICY, {"manager_reviewed": False})
    assert result.indicators == [
        "ack_over_threshold",
        "triage_over_threshold",
        "no_named_triage_owner",
        "manager_not_reviewed",
        "unsafe_condition_while_triage_incomplete",
    ]
    assert result.indicator_count == 5


def test_unsafe_indicator_absent_once_triaged() -> None:
    result = classify(
        platform(unsafe_condition_active=True), AS_OF, POLICY, {"manager_reviewed": True}
    )
    assert result.indicators == []


def test_elapsed_minutes_round_down_and_use_utc_across_clock_change() -> None:
    assert elapsed_minutes("2026-01-01T00:00:00Z", "2026-01-01T00:01:59.999Z") == 1
    london = ZoneInfo("Europe/London")
    # 24 wall-clock hours across the October change are 25 real hours.
    start = datetime(2026, 10, 24, 12, 0, tzinfo=london)
    end = datetime(2026, 10, 25, 12, 0, tzinfo=london)
    assert elapsed_minutes(start, end) == 25 * 60
    assert elapsed_minutes("2026-10-24T12:00:00+01:00", "2026-10-25T12:00:00+00:00") == 1500


@pytest.mark.parametrize(("seconds", "agrees"), [(59, True), (60, True), (61, False)])
@pytest.mark.parametrize("field", ["submitted_at", "first_acknowledged_at"])
def test_timestamps_agree_within_60_seconds(field: str, seconds: int, agrees: bool) -> None:
    p = platform()
    log, tracker, register = feeds(p)
    log[field] = iso(datetime.fromisoformat(p[field]) + timedelta(seconds=seconds))
    expected = (
        [] if agrees else [f"{field} disagrees with workforce-reporting-log (by {seconds} s)"]
    )
    assert reconcile(p, log, tracker, register, POLICY) == expected


def test_null_versus_acknowledged_disagrees() -> None:
    p = platform(first_acknowledged_at=None)
    log, tracker, register = feeds(platform())
    assert reconcile(p, log, tracker, register, POLICY) == [
        "first_acknowledged_at disagrees with workforce-reporting-log"
    ]


@pytest.mark.parametrize(
    ("feed", "reason"),
    [
        (0, "missing in workforce-reporting-log"),
        (1, "missing in manager-response-tracker"),
        (2, "missing in service-line-governance-register"),
    ],
)
def test_missing_feed(feed: int, reason: str) -> None:
    p = platform()
    rows: list[dict[str, Any] | None] = list(feeds(p))
    rows[feed] = None
    assert reconcile(p, rows[0], rows[1], rows[2], POLICY) == [reason]


def test_every_disagreement_is_reported() -> None:
    p = platform()
    log, tracker, register = feeds(p)
    tracker["employee_id"] = "E2"
    register["service_line"] = "SL-B"
    register["risk_domain"] = "communication"  # the register's governance field reconciles too
    log["triage_owner_id"] = None
    tracker["triage_status"] = "in_triage"
    assert reconcile(p, log, tracker, register, POLICY) == [
        "triage_owner_id disagrees with workforce-reporting-log",
        "employee_id disagrees with manager-response-tracker",
        "service_line disagrees with service-line-governance-register",
        "triage_status disagrees with manager-response-tracker",
        "risk_domain disagrees with service-line-governance-register",
    ]


def test_review_item_fields_and_exception() -> None:
    p = platform(client_id="C-9")
    item = review_item(p, *feeds(p), AS_OF, POLICY)
    assert item.classification is Exposure.WITHIN_TOLERANCE and item.reasons == []
    assert tuple(item.fields) == ITEM_FIELDS
    assert item.fields["manager_line"] == "ML-1"
    assert item.fields["ack_elapsed_min"] == 30 and item.fields["indicator_count"] == 0
    exception = review_item(p, None, *feeds(p)[1:], AS_OF, POLICY)
    assert exception.classification is None
    assert exception.reasons == ["missing in workforce-reporting-log"]
    assert exception.fields["indicators"] is None and tuple(exception.fields) == ITEM_FIELDS


def test_raise_only() -> None:
    assert raise_only(Exposure.EMERGING, Exposure.CRITICAL) is Exposure.CRITICAL
    assert raise_only(Exposure.CRITICAL, Exposure.EMERGING) is Exposure.CRITICAL
    assert raise_only(Exposure.CRITICAL, Exposure.WITHIN_TOLERANCE) is Exposure.CRITICAL
    assert raise_only(Exposure.EMERGING, Exposure.EMERGING) is Exposure.EMERGING
