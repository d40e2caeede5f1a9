"""Feed validation and CSV parsing (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.feeds import ClosedCaseRegister, RiskDomain, StaffDirectory
from domain.ingest import UnknownFeed, validate_rows
from domain.ingest_csv import CsvHeaderError, parse_csv
from domain.roles import Role


def incident(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "reference": "NM-1",
        "employee_id": "E1",
        "service_line": "home-care-north",
        "risk_domain": "medication",
        "category_code": "MED-01",
        "submitted_at": "2026-11-26T09:15:00+00:00",
        "triage_status": "pending",
        "recurrence_risk": False,
        "unsafe_condition_active": True,
    }
    return row | overrides


def errors_of(feed: str, row: dict[str, Any]) -> dict[str, str]:
    records, rejected = validate_rows(feed, [row])
    assert records == [] and len(rejected) == 1
    return {error.field: error.message for error in rejected[0].errors}


def test_valid_row_becomes_a_record() -> None:
    records, rejected = validate_rows("incident-platform", [incident(client_id=None)])
    assert rejected == []
    assert records[0].model_dump()["reference"] == "NM-1"


def test_unknown_field_is_rejected_by_name() -> None:
    errors = errors_of("incident-platform", incident(triage_ownr_id="E9"))
    assert list(errors) == ["triage_ownr_id"]


def test_timestamp_without_offset_is_rejected() -> None:
    errors = errors_of("incident-platform", incident(submitted_at="2026-11-26T09:15:00"))
    assert "timezone" in errors["submitted_at"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("risk_domain", "medicine"),
        ("triage_status", "done"),
        ("recurrence_risk", "yes"),
        ("recurrence_risk", 1),
        ("reference", ""),
    ],
)
def test_vocabulary_and_type_violations_are_rejected(field: str, value: Any) -> None:
    assert field in errors_of("incident-platform", incident(**{field: value}))


def test_score_range_and_role_vocabulary() -> None:
    form = {
        "response_id": "R1",
        "employee_id": "E1",
        "service_line": "s",
        "risk_domain": "communication",
        "score": 6,
        "submitted_at": "2026-11-26T09:15:00Z",
    }
    assert "score" in errors_of("speaking-up-confidence-form", form)
    staff = {"employee_id": "E1", "display_name": "A", "email": "a@x.org", "active": True}
    assert "roles.1" in errors_of("staff-directory", staff | {"roles": ["worker", "boss"]})


def test_python_values_are_read_as_their_json_form() -> None:
    aware = datetime(2026, 11, 26, 9, 15, tzinfo=UTC)
    records, _ = validate_rows("incident-platform", [incident(submitted_at=aware)])
    assert records[0].model_dump()["submitted_at"] == aware
    naive = incident(submitted_at=datetime(2026, 11, 26, 9, 15), risk_domain=RiskDomain.MEDICATION)
    assert list(errors_of("incident-platform", naive)) == ["submitted_at"]
    assert errors_of("incident-platform", incident(narrative=object()))["(record)"]


def test_missing_required_field_and_non_object_rows() -> None:
    row = incident()
    del row["triage_status"]
    assert errors_of("incident-platform", row) == {"triage_status": "Field required"}
    _, rejected = validate_rows("incident-platform", ["NM-1"])
    assert rejected[0].errors[0].field == "(record)"


def test_valid_neighbours_survive_and_indexes_are_kept() -> None:
    rows = [
        incident(reference="A"),
        incident(reference="B", risk_domain="x"),
        incident(reference="C"),
    ]
    records, rejected = validate_rows("incident-platform", rows, lines=[2, 3, 4])
    assert [r.model_dump()["reference"] for r in records] == ["A", "C"]
    assert [(r.index, r.line) for r in rejected] == [(1, 3)]


def test_duplicate_keys_in_one_batch_the_later_row_wins() -> None:
    rows = [incident(category_code="OLD"), incident(reference="B"), incident(category_code="NEW")]
    records, _ = validate_rows("incident-platform", rows)
    assert [(r.model_dump()["reference"], r.model_dump()["category_code"]) for r in records] == [
        ("B", "MED-01"),
        ("NM-1", "NEW"),
    ]


def test_unknown_feed_raises() -> None:
    with pytest.raises(UnknownFeed):
        validate_rows("incident-plattform", [])
    with pytest.raises(UnknownFeed):
        parse_csv("nope", "a\n")


STAFF_CSV = """employee_id,display_name,email,roles,service_line,manager_line,active,left_at
E1,Ann Lee,ann@x.org,worker;administrator,north,,TRUE,
E2,"Bo, Jr.",bo@x.org,near_miss_governance_supervisor,,,false,2026-10-31
"""


def test_csv_lists_booleans_dates_and_empty_cells() -> None:
    parsed = list(parse_csv("staff-directory", STAFF_CSV))
    assert [line for line, _ in parsed] == [2, 3]
    records, rejected = validate_rows("staff-directory", [row for _, row in parsed])
    assert rejected == []
    first, second = records
    assert isinstance(first, StaffDirectory) and isinstance(second, StaffDirectory)
    assert first.roles == [Role.WORKER, Role.ADMINISTRATOR] and first.active is True
    assert first.manager_line is None and first.left_at is None
    assert second.display_name == "Bo, Jr." and second.active is False
    assert str(second.left_at) == "2026-10-31"


def test_csv_boolean_must_be_true_or_false() -> None:
    text = STAFF_CSV.replace("TRUE", "yes")
    _, rejected = validate_rows(
        "staff-directory", [row for _, row in parse_csv("staff-directory", text)]
    )
    assert [(r.index, r.errors[0].field) for r in rejected] == [(0, "active")]


def test_csv_list_and_integer_fields() -> None:
    text = (
        "case_ref,reference,employee_id,service_line,manager_line,closed_at,"
        "closure_category,final_reviewing_role,flags\n"
        "C1,NM-1,E1,s,m,2026-11-01T10:00:00+00:00,resolved,supervisor,"
        "weak_triage; disputed_closure\n"
        "C2,NM-2,E1,s,m,2026-11-01T10:00:00+00:00,resolved,supervisor,\n"
    )
    records, rejected = validate_rows(
        "closed-case-register", [row for _, row in parse_csv("closed-case-register", text)]
    )
    assert rejected == []
    first, second = records
    assert isinstance(first, ClosedCaseRegister) and isinstance(second, ClosedCaseRegister)
    assert first.flags == ["weak_triage", "disputed_closure"]
    assert second.flags == []
    rows = parse_csv("recurrence-analysis-file", "repeat_count_same_domain\n3\nthree\n")
    assert [row["repeat_count_same_domain"] for _, row in rows] == [3, "three"]


def test_csv_unknown_column_rejects_every_row_naming_it() -> None:
    text = STAFF_CSV.replace("left_at", "leaving_date")
    rows = [row for _, row in parse_csv("staff-directory", text)]
    _, rejected = validate_rows("staff-directory", rows)
    assert len(rejected) == 2
    assert all("leaving_date" in {e.field for e in r.errors} for r in rejected)


def test_csv_multiline_cells_blank_lines_and_extra_cells() -> None:
    text = (
        "case_ref,reopened_at,reason\n\n"
        'C1,2026-11-01T10:00:00+01:00,"two\nlines"\n'
        "C2,2026-11-01T10:00:00Z,x,extra\n"
    )
    parsed = list(parse_csv("reopened-risk-tracker", text))
    assert [line for line, _ in parsed] == [3, 5]
    _, rejected = validate_rows("reopened-risk-tracker", [row for _, row in parsed])
    assert [e.field for e in rejected[0].errors] == ["(column 4, beyond the header)"]


@pytest.mark.parametrize("text", ["", "\n", "case_ref,,reason\n", "case_ref,case_ref\n"])
def test_csv_without_a_usable_header_is_a_file_error(text: str) -> None:
    with pytest.raises(CsvHeaderError):
        list(parse_csv("reopened-risk-tracker", text))


def test_csv_parsing_is_lazy() -> None:
    def lines() -> Any:
        yield "case_ref,reopened_at,reason\n"
        yield "C1,2026-11-01T10:00:00Z,x\n"
        raise AssertionError("read beyond the first row")

    first = next(parse_csv("reopened-risk-tracker", lines()))
    assert first == (2, {"case_ref": "C1", "reopened_at": "2026-11-01T10:00:00Z", "reason": "x"})
