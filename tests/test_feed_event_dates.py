"""One rule places a received record version in every chronology (examples 1, 2 and 3; the
page's table and the evidence choices' labels): the latest of its feed's event dates it carries
(SOURCES.md's contract), never after its receipt. Example 3 used to place each record at one
field of its own map, examples 1 and 2 at the latest date of another."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

from pydantic import AwareDatetime

from domain.feed_events import EVENT_DATES, own_date, what_happened
from domain.feeds import FEEDS

RECEIVED = datetime(2026, 12, 7, 23, 17, tzinfo=UTC)


def _instants(feed: str) -> set[str]:
    """The feed's fields that hold an instant (a timestamp with an offset), by its model."""
    hints = typing.get_type_hints(FEEDS[feed].model, include_extras=True)
    return {n for n, h in hints.items() if AwareDatetime in (h, *typing.get_args(h))}


def test_every_feed_names_its_event_dates_from_its_contract() -> None:
    assert set(EVENT_DATES) == set(FEEDS)
    for feed, dates in EVENT_DATES.items():
        assert set(dates) <= _instants(feed), feed
        assert all(words and words == words.lower() for words in dates.values()), feed
    # Not events: a promise, and a fact the closure states about an earlier moment.
    assert "due_at" in _instants("corrective-action-tracker")
    assert "due_at" not in EVENT_DATES["corrective-action-tracker"]
    assert "last_employee_communication_at" not in EVENT_DATES["closed-case-register"]


def test_a_version_is_placed_at_the_latest_event_it_carries_never_after_receipt() -> None:
    report = {"submitted_at": "2026-12-02T09:00:00+00:00"}
    assert own_date("incident-platform", report, RECEIVED) == (
        datetime(2026, 12, 2, 9, tzinfo=UTC),
        "submitted_at",
    )
    closed = {**report, "first_acknowledged_at": "2026-12-03T10:00:00+01:00",
              "closed_at": "2026-12-05T16:00:00+00:00"}  # fmt: skip
    at, field = own_date("incident-platform", closed, RECEIVED)
    assert (at, field, what_happened("incident-platform", field)) == (
        datetime(2026, 12, 5, 16, tzinfo=UTC),
        "closed_at",
        "report closed",
    )
    typo = {**closed, "closed_at": "2027-12-05T16:00:00+00:00"}  # after its receipt
    assert own_date("incident-platform", typo, RECEIVED)[1] == "first_acknowledged_at"
    unreadable = {"submitted_at": "not a time"}
    assert own_date("incident-platform", unreadable, RECEIVED) == (RECEIVED, None)
    # A feed with no event date, and a promise, place a record at its receipt.
    assert own_date("service-line-governance-register", report, RECEIVED) == (RECEIVED, None)
    action = {"due_at": "2026-12-01T17:00:00+00:00", "completed_at": None}
    assert own_date("corrective-action-tracker", action, RECEIVED) == (RECEIVED, None)
    assert what_happened("corrective-action-tracker", None) is None
