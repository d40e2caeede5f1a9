"""DuckDB baselines of examples 2 and 3: the same scope, reconciliation and classification as
``domain.learning`` and ``domain.credibility`` (SOURCES.md), each one SQL statement over the raw
rows ``src(feed, key, content)``. One row per item: reference, classification, n_reasons and a
metric (the indicator count of example 2, the reopening days of example 3)."""

from __future__ import annotations

from datetime import datetime

from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy


def _ts(expr: str) -> str:
    return f"CAST({expr} AS TIMESTAMPTZ)"


def _feed(name: str, feed: str) -> str:
    return f"{name} AS (SELECT key, content::JSON AS c FROM src WHERE feed = '{feed}')"


def _differ(a: str, b: str, field: str) -> str:
    return f"(({a}->>'{field}') IS DISTINCT FROM ({b}->>'{field}'))::INT"


def learning_sql(window: tuple[datetime, datetime], as_of: datetime, policy: LearningPolicy) -> str:
    """Example 2's audit of one cycle."""
    start, end, at = (f"TIMESTAMPTZ '{t.isoformat()}'" for t in (*window, as_of))
    overdue = f"""{_ts("c->>'due_at'")} < {at}
      AND coalesce(c->>'status', '') NOT IN ('complete', 'cancelled')"""
    return f"""
WITH {_feed("p0", "incident-platform")}, {_feed("b", "learning-bulletin-log")},
{_feed("r", "recurrence-analysis-file")}, {_feed("a", "corrective-action-tracker")},
p AS (SELECT key AS ref, c, {_ts("c->>'closed_at'")} AS closed FROM p0),
s AS (SELECT * FROM p WHERE closed >= {start} AND closed < {end}),
od AS (SELECT c->>'reference' AS ref, count(*) AS n FROM a WHERE {overdue} GROUP BY 1),
j AS (
  SELECT s.ref, s.c, s.closed, b.c AS bc, r.c AS rc, a.c AS ac, coalesce(od.n, 0)
    + CASE WHEN a.c IS NOT NULL AND (a.c->>'reference') IS DISTINCT FROM s.ref
      AND {_ts("a.c->>'due_at'")} < {at}
      AND coalesce(a.c->>'status', '') NOT IN ('complete', 'cancelled') THEN 1 ELSE 0 END
      AS overdue
  FROM s LEFT JOIN b ON b.key = s.ref LEFT JOIN r ON r.key = s.ref
  LEFT JOIN a ON a.key = s.c->>'corrective_action_ref' LEFT JOIN od ON od.ref = s.ref
), x AS (
  SELECT ref,
    CASE WHEN bc IS NULL THEN 1 ELSE {_differ("c", "bc", "risk_domain")}
      + {_differ("c", "bc", "corrective_action_ref")} END
    + CASE WHEN rc IS NULL THEN 1 ELSE {_differ("c", "rc", "risk_domain")}
      + {_differ("c", "rc", "corrective_action_ref")} END
    + CASE WHEN (c->>'corrective_action_ref') IS NULL THEN 0 WHEN ac IS NULL THEN 1
      ELSE {_differ("c", "ac", "reference")} + {_differ("c", "ac", "risk_domain")} END
      AS n_reasons,
    (ac IS NULL OR (ac->>'status') IS DISTINCT FROM 'complete'
      OR (ac->>'completed_at') IS NULL OR {_ts("ac->>'completed_at'")} > closed)::INT AS i0,
    ((bc->>'feedback_to_reporter_at') IS NULL)::INT AS i1,
    (coalesce(CAST(bc->>'wider_relevance' AS BOOLEAN), false)
      AND (bc->>'bulletin_issued_at') IS NULL)::INT AS i2,
    coalesce(CAST(rc->>'recurrence_within_30_days' AS BOOLEAN), false)::INT AS i3,
    (overdue > 0)::INT AS i4,
    coalesce(CAST(rc->>'repeat_count_same_domain' AS INT), 0) AS repeats
  FROM j
)
SELECT ref AS reference, n_reasons,
  CASE WHEN n_reasons > 0 THEN NULL
    WHEN i0 + i1 + i2 + i3 + i4 >= {policy.critical_indicator_count}
      OR (i3 = 1 AND repeats >= {policy.critical_repeat_count}) THEN 'critical'
    WHEN i0 + i1 + i2 + i3 + i4 > 0 THEN 'emerging' ELSE 'visible_learning_closure' END
    AS classification,
  CASE WHEN n_reasons > 0 THEN NULL ELSE i0 + i1 + i2 + i3 + i4 END AS metric
FROM x
"""


def credibility_sql(bounds: tuple[datetime, datetime], zone: str, policy: CredibilityPolicy) -> str:
    """Example 3's review of one month (register closures only: the bench has no own cases)."""
    start, end = (f"TIMESTAMPTZ '{t.isoformat()}'" for t in bounds)

    def local(expr: str) -> str:
        return f"CAST(timezone('{zone}', {expr}) AS DATE)"

    return f"""
WITH {_feed("c0", "closed-case-register")}, {_feed("cf", "employee-confirmation-form")},
{_feed("ro", "reopened-risk-tracker")}, {_feed("ev", "final-action-evidence-library")},
c AS (SELECT key AS ref, c, {_ts("c->>'closed_at'")} AS closed FROM c0),
s AS (SELECT * FROM c WHERE closed >= {start} AND closed < {end}),
j AS (
  SELECT s.ref, s.c, s.closed, cf.c AS cfc, ro.c AS roc, ev.c AS evc,
    {_ts("ro.c->>'reopened_at'")} AS reopened
  FROM s LEFT JOIN cf ON cf.key = s.ref LEFT JOIN ro ON ro.key = s.ref
  LEFT JOIN ev ON ev.key = s.ref
), x AS (
  SELECT ref,
    (cfc IS NOT NULL AND {_differ("cfc", "c", "employee_id")} = 1)::INT
      + (roc IS NOT NULL AND reopened < closed)::INT AS n_reasons,
    CASE WHEN roc IS NOT NULL THEN {local("reopened")} - {local("closed")} END AS days,
    CAST(cfc->>'confirmed' AS BOOLEAN) AS confirmed, evc->>'evidence_type' AS evidence
  FROM j
)
SELECT ref AS reference, n_reasons,
  CASE WHEN n_reasons > 0 THEN NULL
    WHEN (days BETWEEN 0 AND {policy.reopen_days}) OR confirmed = false THEN 'failed'
    WHEN confirmed IS NULL OR evidence IS NULL OR evidence = 'none' THEN 'doubtful'
    ELSE 'credible' END AS classification,
  days AS metric
FROM x
"""
