"""`/analytics/series?format=csv`: each row flattened to one CSV line (nested measures get
their family as a prefix; a Wilson interval becomes ``*_ci95_low`` and ``*_ci95_high``; a count
per reviewer, manager line or category becomes ``KEY: N; …``, a category's under-triage
``CODE: UNDER/CLASSIFIED; …``). After each period's groups, an ``all groups`` line: the figures
the dashboard's Trends shows for all groups together (``total_row``)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from itertools import groupby
from typing import Any

from domain.analytics import rate
from domain.analytics_stats import wilson
from store.analytics_outcomes import EMPTY, RATES

ALL_GROUPS = "all groups"
NOT_ADDITIVE = {  # counts of distinct people or of repeats: a sum over groups would overcount
    "confidence": {"respondents", "mean_score"},
    "closure": {"repeated_doubtful_closures", "repeated_doubtful_closures_role_or_line"},
}

BASE = (
    "period",
    "first_day",
    "last_day",
    "group",
    "reports",
    "heads",
    "reports_per_head",
    "expected_reports",
    "hesitancy_lower_bound",
    "hesitancy",
    "median_hours_to_first_acknowledgment",
    "median_working_hours_to_first_acknowledgment",
    "median_hours_to_named_triage_owner",
    "median_working_hours_to_named_triage_owner",
    "exposed_workers",
    "exposed_leavers",
    "exposed_leaver_rate",
    "exposed_leaver_rate_ci95_low",
    "exposed_leaver_rate_ci95_high",
    "not_exposed_workers",
    "not_exposed_leavers",
    "not_exposed_leaver_rate",
    "not_exposed_leaver_rate_ci95_low",
    "not_exposed_leaver_rate_ci95_high",
)


def _outcome_columns() -> list[str]:
    columns = []
    for family, figures in EMPTY.items():
        for name in figures:
            if name.endswith("_ci95"):
                columns += [f"{family}_{name}_low", f"{family}_{name}_high"]
            else:
                columns.append(f"{family}_{name}")
    return columns


COLUMNS = (*BASE, *_outcome_columns())


def flat(row: dict[str, Any], group: str) -> dict[str, Any]:
    """One series row as a CSV line's fields."""
    out = {**row, "group": row[group]}
    for name in ("to_first_acknowledgment", "to_named_triage_owner"):
        out[f"median_hours_{name}"] = row[name]["median_hours"]
        out[f"median_working_hours_{name}"] = row[name]["median_working_hours"]
    for name in ("exposed_leaver_rate_ci95", "not_exposed_leaver_rate_ci95"):
        low, high = row.get(name) or (None, None)
        out[f"{name}_low"], out[f"{name}_high"] = low, high
    for family in EMPTY:
        for name, value in row[family].items():
            if name.endswith("_ci95"):
                low, high = value if value else (None, None)
                out[f"{family}_{name}_low"], out[f"{family}_{name}_high"] = low, high
            elif isinstance(value, dict):  # per reviewer, manager line or category
                out[f"{family}_{name}"] = "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
            else:
                out[f"{family}_{name}"] = value
    return out


def _cell(value: Any) -> str:
    """A count, or a category's figures as ``under_triaged/classified``."""
    if isinstance(value, dict):
        return f"{value['under_triaged']}/{value['classified']}"
    return str(value)


def _family_total(family: str, found: list[dict[str, Any]]) -> dict[str, Any]:
    """A family's figures over every group: its counts summed, rates and intervals again from
    the sums; per-category under-triage summed; what does not add up left out (blank)."""
    counts: Counter[str] = Counter()
    skip = NOT_ADDITIVE.get(family, set())
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for figures in found:
        for name, value in figures.items():
            if isinstance(value, int) and not isinstance(value, bool) and name not in skip:
                counts[name] += value
        for code, tally in (figures.get("under_triage_by_category") or {}).items():
            per[code].update(classified=tally["classified"], under=tally["under_triaged"])
    out: dict[str, Any] = {k: counts[k] for k in _ints(family)}
    for name, (num, den) in RATES.get(family, {}).items():
        interval = wilson(counts[num], counts[den])
        out[f"{name}_rate"] = rate(counts[num], counts[den])
        out[f"{name}_rate_ci95"] = list(interval) if interval else None
    if family == "reliability":
        out["under_triage_by_category"] = {
            code: {"classified": c["classified"], "under_triaged": c["under"]}
            for code, c in sorted(per.items())
        }
    if family == "confidence":  # the mean of every answer, as the page weighs the groups'
        answers = counts["responses"]
        total = sum((f.get("mean_score") or 0) * f["responses"] for f in found)
        out["mean_score"] = round(total / answers, 2) if answers else None
    return out


def _ints(family: str) -> set[str]:
    skip = NOT_ADDITIVE.get(family, set())
    return {
        k
        for k, v in EMPTY[family].items()
        if isinstance(v, int) and not isinstance(v, bool) and k not in skip
    }


def total_row(found: list[dict[str, Any]], total: dict[str, Any] | None) -> dict[str, Any]:
    """One period's ``all groups`` line, as the Trends section shows all groups: reports (and
    the durations' medians over every report: ``total``, the series' ``totals``), heads and
    reports per head summed, hesitancy if any group's, the outcome families over every group.
    Expected reports, hesitancy bounds and leavers are per group only (blank)."""
    first = found[0]
    reports = total["reports"] if total else sum(r["reports"] for r in found)
    heads = sum(r["heads"] for r in found)
    row: dict[str, Any] = {
        "period": first["period"],
        "first_day": first["first_day"],
        "last_day": first["last_day"],
        "group": ALL_GROUPS,
        "reports": reports,
        "heads": heads,
        "reports_per_head": round(reports / heads, 2) if heads else None,
        "hesitancy": any(r["hesitancy"] for r in found),
    }
    for name in ("to_first_acknowledgment", "to_named_triage_owner"):
        medians = (total or {}).get(name) or {}
        row[f"median_hours_{name}"] = medians.get("median_hours")
        row[f"median_working_hours_{name}"] = medians.get("median_working_hours")
    for family in EMPTY:
        for name, value in _family_total(family, [r[family] for r in found]).items():
            if name.endswith("_ci95"):
                low, high = value if value else (None, None)
                row[f"{family}_{name}_low"], row[f"{family}_{name}_high"] = low, high
            elif isinstance(value, dict):
                row[f"{family}_{name}"] = "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
            else:
                row[f"{family}_{name}"] = value
    return row


def series_csv(
    rows: list[dict[str, Any]], group: str, totals: list[dict[str, Any]] | None = None
) -> str:
    """The rows as CSV text with a header line, each period's groups then its ``all groups``
    line (``totals``: the series' per-period totals)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    by_period = {t["period"]: t for t in totals or []}
    for period, found in groupby(rows, key=lambda r: r["period"]):
        in_period = list(found)
        writer.writerows(flat(r, group) for r in in_period)
        writer.writerow(total_row(in_period, by_period.get(period)))
    return out.getvalue()
