"""A review's findings and a step's register in a person's words (walk defects: the classified
list said "triage owner id disagrees …", "employee id" and "(by 600 s)", and a step said it is
"Recorded in the Near miss reliability case register", the retention step "Prior reports 180d")."""

from __future__ import annotations

from api.web.review_view import item_row
from api.web.words import gap_words, humanize
from store.acknowledgment import ReviewItemView


def test_an_exceptions_findings_read_as_words() -> None:
    reasons = [
        "triage_owner_id disagrees with manager-response-tracker",
        "submitted_at disagrees with workforce-reporting-log (by 61 s)",
        "first_acknowledged_at disagrees with workforce-reporting-log (by 600 s)",
        "employee_id disagrees with workforce-reporting-log",
    ]
    item = ReviewItemView(
        reference="NM-1", classification=None, reasons=reasons,
        fields={"service_line": "HC-NORTH"}, case_id=None,
    )  # fmt: skip
    assert item_row(item).findings == (
        "triage owner disagrees with manager response tracker, "
        "submitted at disagrees with workforce reporting log (by 1 minute 1 second), "
        "first acknowledged at disagrees with workforce reporting log (by 10 minutes), "
        "employee ID disagrees with workforce reporting log"
    )


def test_gaps_and_compound_words() -> None:
    assert gap_words("(by 1 s) (by 3720 s) (by 7200 s)") == (
        "(by 1 second) (by 1 hour 2 minutes) (by 2 hours)"
    )
    assert humanize("near-miss-reliability-case-register") == "Near-miss reliability case register"
    assert humanize("acknowledgment_without_risk_specific_action") == (
        "Acknowledgment without risk-specific action"
    )
    assert humanize("category_repeatedly_under_triaged") == "Category repeatedly under-triaged"
    assert humanize("employee_id") == "Employee ID"
    assert humanize("near_misses_seen") == "Near misses seen"  # only the compounds
    assert humanize("prior_reports_180d") == "Prior reports (180 days)"
    assert humanize("prior_90d_retention_risk") == "Prior 90-day retention risk"


def test_an_audit_finding_spells_out_ref() -> None:
    item = ReviewItemView(
        reference="NM-2", classification=None,
        reasons=["corrective_action_ref disagrees with recurrence-analysis-file"],
        fields={"service_line": "SL-EAST"}, case_id=None,
    )  # fmt: skip
    assert item_row(item).findings == (
        "corrective action reference disagrees with recurrence analysis file"
    )


def test_a_closures_findings_say_why_it_failed() -> None:
    """Example 3's items carry their reasons as credibility_reasons (the list showed "—")."""
    item = ReviewItemView(
        reference="CC-2", classification="failed", reasons=[],
        fields={"service_line": "HC-NORTH",
                "credibility_reasons": ["reopened_within_30_days", "disputed_closure"]},
        case_id=None,
    )  # fmt: skip
    assert item_row(item).findings == "reopened within 30 days, disputed closure"


def test_a_closure_of_this_service_is_shown_as_its_report() -> None:
    item = ReviewItemView(
        reference="ack-case-NM-10022", classification=None,
        reasons=["no closure entry in the service's registers"],
        fields={"service_line": "DN-CITY", "source": "service", "reference": "NM-10022"},
        case_id=None,
    )  # fmt: skip
    assert item_row(item).reference == "NM-10022"
    assert item_row(item).closure == ""


def test_a_register_closure_is_shown_as_its_report_with_its_closure_beside() -> None:
    """The monthly closure review listed "CC-0002 … CC-0019" beside "NM-10022" (walk of 7
    December): every closure by the near-miss report workers know, its closure's own beside."""
    item = ReviewItemView(
        reference="CC-0002", classification="failed", reasons=[],
        fields={"service_line": "HC-NORTH", "case_ref": "CC-0002", "reference": "NM-10003",
                "credibility_reasons": ["reopened_within_30_days"]},
        case_id=None,
    )  # fmt: skip
    row = item_row(item)
    assert (row.reference, row.closure) == ("NM-10003", "CC-0002")
