"""The seeded demo data set: valid rows, every role, the cases and concerns it names, the same
rows for the same seed, and its as-of (every scenario it claims: test_demo_scenarios.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cli.demo_data import (
    ACK_CASES,
    CONCERN_CASES,
    DEMO_CASES,
    DEMO_STAFF,
    MIN_REPORTS,
    PAST_CLOSURE_CASES,
    RECENT_LEAVERS,
    generate,
)
from domain.feeds import FEEDS
from domain.roles import Role
from tests.demo_support import (
    AS_OFS,
    LONDON,
    by,
    data_for,
)


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
    platform = by(data["incident-platform"], "reference")
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
    by_id = by(staff, "employee_id")
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


def test_concerns_are_open_and_closed_and_tied_to_scenario_workers() -> None:
    data = data_for(AS_OFS[0])
    concerns = by(data["workforce-concern-register"], "concern_id")
    platform = by(data["incident-platform"])
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
    total = 4000 + len(PAST_CLOSURE_CASES) + len(RECENT_LEAVERS)  # and past closures, leavers
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
    from cli.demo_cmd import demo_as_of, demo_reviews
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
