"""A missed deadline's levels are one span in the evidence pack: resolved at its levels' first
resolution, whatever order the database returns the rows in (the plan decides it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from store.evidence_deadlines import _breach_docs
from store.evidence_scope import Scope
from store.pack_common import window
from tests.pack_support import CALENDAR

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SCOPE = Scope(window(date(2026, 11, 1), date(2026, 11, 21), CALENDAR), None)


def _figures(rows: list[tuple[str, str, datetime, int, datetime | None]]) -> dict[str, object]:
    return dict(_breach_docs(rows, SCOPE, NOW)[1]["items"])


def test_a_span_resolved_at_any_level_is_resolved_whatever_the_row_order() -> None:
    deadline = datetime(2026, 11, 18, 9, tzinfo=UTC)
    early, late = deadline + timedelta(hours=5), deadline + timedelta(hours=30)
    rows = [
        ("C-1", "step:triage", deadline, 1, None),
        ("C-1", "step:triage", deadline, 2, late),
        ("C-1", "step:triage", deadline, 3, early),
        ("C-2", "step:triage", deadline, 1, None),  # still open
    ]
    found = [_figures(list(order)) for order in (rows, rows[::-1], rows[1:] + rows[:1])]
    assert found[0] == found[1] == found[2]
    assert (found[0]["Missed deadlines"], found[0]["Still open"]) == (2, 1)
    assert found[0]["Longest open"] == "51.0 h"  # C-2, open until now; C-1 closed after 5 h
