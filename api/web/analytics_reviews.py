"""The per-review analytics pages' layouts: the daily acknowledgment reviews (by review date,
and per near-miss category), the fortnightly learning-visibility audits and the monthly
closure-credibility reviews; ``api.web.analytics_page`` shows them, the per-period layouts are
``api.web.analytics_periods``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.web.analytics_page import Column, Layout, hours, month_words, rate
from api.web.render import local_date
from domain.names import EXAMPLE_CREDIBILITY, ack_review_id
from domain.reviews import review_id as review_id_of
from domain.roles import ROLE_NAMES

_ROLE_WORDS = {str(role.value): name for role, name in ROLE_NAMES.items()}


def _by(counts: Mapping[str, int] | None) -> str:
    """``Near-Miss Governance Supervisor: 2, R2: 1``: a role by its name, any other key as it
    is (``None`` when empty)."""
    named = sorted((_ROLE_WORDS.get(key, key), n) for key, n in (counts or {}).items())
    return ", ".join(f"{name}: {n}" for name, n in named) or "None"


def _count(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda r: r.get(key, 0)


def _share(numerator: str, denominator: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: rate(int(r.get(numerator, 0)), int(r.get(denominator, 0)))


def _daily(r: Mapping[str, Any]) -> tuple[str, str, str]:
    day = str(r["review_date"])
    return day, f"Review of {local_date(day)}", ack_review_id(day)


# The range's figures add up the reviews' rows: a report is in each review it is in (a report
# stays in every daily review while it is open). The evidence pack counts the same two ways, in
# the same words (store.evidence_deadlines.SUMMED) beside its distinct reports.
SUMMED_NOTE = (
    "Each figure adds up the reviews' rows: a report counts once in every review it is in. The "
    "inspection evidence pack gives both, distinct reports and reports summed over the reviews."
)


ACKNOWLEDGMENT = Layout(
    path="/analytics/acknowledgment",
    title="Acknowledgment and triage by review date",
    intro=(
        "The daily acknowledgment and triage reviews. Times to first acknowledgment and to "
        "triage are medians over the classified reports, in hours and in the provider's "
        "working hours."
    ),
    per="review date",
    empty="No daily review in this range.",
    review=_daily,
    totals_note=SUMMED_NOTE,
    columns=(
        Column("Reports", _count("reports"), total_label="Reports summed over the daily reviews"),
        Column("Within tolerance", _count("within_tolerance")),
        Column("Emerging", _count("emerging")),
        Column("Critical", _count("critical")),
        Column("Exceptions", _count("exceptions")),
        Column("No named triage owner", _count("no_named_triage_owner")),
        Column(
            "Median to first acknowledgment",
            lambda r: hours(
                r.get("median_hours_to_first_acknowledgment"),
                r.get("median_working_hours_to_first_acknowledgment"),
            ),
            total=False,
        ),
        Column(
            "Median to triage",
            lambda r: hours(
                r.get("median_hours_to_triage"), r.get("median_working_hours_to_triage")
            ),
            total=False,
        ),
    ),
)

TRIAGE = Layout(
    path="/analytics/triage",
    title="Under-triage by near-miss category",
    intro=(
        "The daily acknowledgment and triage reviews, per near-miss category, over each "
        "review's classified reports (exceptions left out). Under-triaged: classed emerging "
        "or critical."
    ),
    per="review date",
    empty="No daily review in this range.",
    review=_daily,
    head=lambda r, group: f"{r.get(group) or 'unknown'} · {r.get('category_code') or 'unknown'}",
    head_suffix=" · category",
    columns=(
        Column("Classified", _count("classified")),
        Column("Under-triage rate", _share("under_triaged", "classified")),
        Column("Triage over threshold", _count("triage_over_threshold")),
        Column("No named triage owner", _count("no_named_triage_owner")),
        Column("Manager not reviewed", _count("manager_not_reviewed")),
    ),
)

LEARNING = Layout(
    path="/analytics/learning",
    title="Learning visibility by audit cycle",
    intro=(
        "The fortnightly learning-visibility audits whose cycle starts in the range, as each "
        "audit recorded them. Rates count reconciled reports only."
    ),
    per="audit cycle",
    totals_note=SUMMED_NOTE,
    empty="No fortnightly audit of a cycle starting in this range.",
    review=lambda r: (
        str(r["cycle_start"]),
        f"Audit of the cycle from {local_date(str(r['cycle_start']))}",
        str(r["review_id"]),
    ),
    columns=(
        Column(
            "Closed reports",
            _count("closed_reports"),
            total_label="Closed reports summed over the audits",
        ),
        Column("Exceptions", _count("exceptions")),
        Column("Visible learning closure", _count("visible_learning_closure")),
        Column("Emerging", _count("emerging")),
        Column("Critical", _count("critical")),
        Column("Feedback to reporter", _share("feedback_to_reporter", "reconciled")),
        Column("Shared learning", _share("shared_learning_issued", "shared_learning_required")),
        Column("Recurred within 30 days", _share("recurrence_within_30_days", "reconciled")),
    ),
)


CLOSURE = Layout(
    path="/analytics/closure",
    title="Closure credibility by month",
    intro=(
        "The monthly closure-credibility reviews of months overlapping the range, as each "
        "review classed the closures. Confirmations and reopenings are read today; rates "
        "count reconciled closures only."
    ),
    per="monthly review",
    totals_note=SUMMED_NOTE,
    empty="No monthly review of a month in this range.",
    review=lambda r: (
        str(r["month"]),
        f"Review of {month_words(str(r['month']))}",
        review_id_of(EXAMPLE_CREDIBILITY, str(r["month"])),
    ),
    columns=(
        Column("Closures", _count("closures"), total_label="Closures summed over the reviews"),
        Column("Exceptions", _count("exceptions")),
        Column("Credible", _count("credible")),
        Column("Doubtful", _count("doubtful")),
        Column("Failed", _count("failed")),
        Column("Employee confirmed", _share("employee_confirmed", "reconciled")),
        Column("Employee disputed", _count("employee_disputed")),
        Column("Reopened within 30 days", _share("reopened_within_30_days", "reconciled")),
        Column("Repeated doubtful closures", _count("repeated_doubtful_closures")),
        Column(
            "Doubtful or failed by reviewing role",
            lambda r: _by(r.get("doubtful_or_failed_by_reviewer")),
            total=False,
        ),
    ),
)
