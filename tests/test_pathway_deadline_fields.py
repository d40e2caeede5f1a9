"""A pathway's deadline fields: read back by type (an aware instant stays an instant with its
offset, a bare date a date, whatever the text's length), and judged the same way in every
example (not past; the review date not before any deadline)."""

from datetime import UTC, date, datetime, timedelta, timezone

from domain.acknowledgment_checks import pathway_checks as ack_checks
from domain.credibility_checks import pathway_checks as credibility_checks
from domain.learning_checks import pathway_checks as learning_checks
from domain.steps import date_or_instant


def test_a_bare_date_is_a_date() -> None:
    assert date_or_instant("2026-12-01") == date(2026, 12, 1)
    assert not isinstance(date_or_instant("2026-12-01"), datetime)


def test_an_instant_is_an_aware_datetime_with_its_offset() -> None:
    assert date_or_instant("2026-12-01T00:00:00Z") == datetime(2026, 12, 1, tzinfo=UTC)
    assert date_or_instant("2026-12-01T00:00:00Z").tzinfo is UTC
    plus_one = date_or_instant("2026-12-01T10:00:00+01:00")
    assert plus_one == datetime(2026, 12, 1, 10, tzinfo=timezone(timedelta(hours=1)))


TODAY = date(2026, 12, 7)
SHEETS = {"complete": True, "authorization_sheet": {"complete": True}}
SHEETS["standards_sheet"] = {"complete": True, "case_indicators": []}


class Fields(dict):  # type: ignore[type-arg]
    """Submitted fields as the checks read them (attributes); an unset choice is False."""

    def __getattr__(self, name: str) -> object:
        return self.get(name, False)


DEADLINES = {
    ack_checks: (
        ("triage_control_implementation_deadline", "worker_communication_deadline"),
        "mandatory_review_date",
    ),
    learning_checks: (
        ("learning_control_implementation_deadline", "worker_feedback_deadline"),
        "review_date",
    ),
    credibility_checks: (
        ("final_corrective_deadline", "worker_reconnection_deadline"),
        "follow_up_review_date",
    ),
}


def test_every_example_refuses_a_past_deadline_and_a_review_before_a_deadline() -> None:
    for check, ((first, second), review) in DEADLINES.items():
        fields = {
            first: datetime(2026, 12, 6, 23, tzinfo=UTC),  # yesterday, as an instant
            second: TODAY + timedelta(days=9),
            review: TODAY + timedelta(days=8),
        }
        pathway = Fields(fields)
        errors = {(e.field, e.message) for e in check(pathway, SHEETS, TODAY)}
        assert (first, "Please choose today or a later date") in errors, check
        assert (review, f"Please choose a date on or after {second}") in errors, check
        fields.update({first: TODAY, second: TODAY, review: TODAY})
        in_order = Fields(fields)
        found = [e.field for e in check(in_order, SHEETS, TODAY)]
        assert first not in found and second not in found and review not in found, check
