"""`/analytics/series?format=csv`: each row flattened to one CSV line (nested measures get
their family as a prefix; a Wilson interval becomes ``*_ci95_low`` and ``*_ci95_high``; a count
per reviewer, manager line or category becomes ``KEY: N; …``, a category's under-triage
``CODE: UNDER/CLASSIFIED; …``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from store.analytics_outcomes import EMPTY

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


def series_csv(rows: list[dict[str, Any]], group: str) -> str:
    """The rows as CSV text with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat(r, group) for r in rows)
    return out.getvalue()
