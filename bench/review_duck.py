"""The DuckDB baseline of the daily review: the same scope, reconciliation and classification
as ``domain.acknowledgment`` (SOURCES.md example 1), as one SQL statement over the raw rows."""

from __future__ import annotations

from datetime import datetime

from domain.acknowledgment import AckPolicy

_AGREE = """CASE WHEN {a} IS NULL AND {b} IS NULL THEN 0 WHEN {a} IS NULL OR {b} IS NULL THEN 1
  WHEN abs(epoch({a}) - epoch({b})) > {secs} THEN 1 ELSE 0 END"""
_KEYS = ("employee_id", "service_line", "triage_owner_id")


def _keys(alias: str) -> str:
    parts = [f"(p_{k} IS DISTINCT FROM {alias}->>'{k}')::INT" for k in _KEYS]
    return " + ".join(parts)


def _ts(expr: str) -> str:
    return f"CAST({expr} AS TIMESTAMPTZ)"


def review_sql(as_of: datetime, policy: AckPolicy) -> str:
    """A SELECT over table ``src(feed, key, content)`` giving one row per in-scope report."""
    at = f"TIMESTAMPTZ '{as_of.isoformat()}'"
    secs = policy.agree_seconds
    log_times = " + ".join(
        _AGREE.format(a=f"p_{f}", b=_ts(f"log->>'{f}'"), secs=secs)
        for f in ("submitted_at", "first_acknowledged_at")
    )
    return f"""
WITH p AS (
  SELECT key AS reference, content::JSON AS c FROM src WHERE feed = 'incident-platform'
), s AS (
  SELECT reference,
    {_ts("c->>'submitted_at'")} AS p_submitted_at,
    {_ts("c->>'first_acknowledged_at'")} AS p_first_acknowledged_at,
    {_ts("c->>'triage_completed_at'")} AS p_triage_completed_at,
    c->>'triage_status' AS p_status, c->>'employee_id' AS p_employee_id,
    c->>'service_line' AS p_service_line, c->>'triage_owner_id' AS p_triage_owner_id,
    coalesce(CAST(c->>'unsafe_condition_active' AS BOOLEAN), false) AS unsafe
  FROM p
), scoped AS (
  SELECT * FROM s WHERE p_status IS DISTINCT FROM 'closed'
    AND p_submitted_at >= {at} - INTERVAL {policy.scope_days} DAY AND p_submitted_at < {at}
), o AS (
  SELECT feed, key, content::JSON AS c FROM src WHERE feed <> 'incident-platform'
), j AS (
  SELECT scoped.*, l.c AS log, t.c AS tr, g.c AS reg FROM scoped
  LEFT JOIN o l ON l.feed = 'workforce-reporting-log' AND l.key = scoped.reference
  LEFT JOIN o t ON t.feed = 'manager-response-tracker' AND t.key = scoped.reference
  LEFT JOIN o g ON g.feed = 'service-line-governance-register' AND g.key = scoped.reference
), r AS (
  SELECT *,
    (CASE WHEN log IS NULL THEN 1 ELSE {_keys("log")} + {log_times} END)
    + (CASE WHEN tr IS NULL THEN 1
        ELSE {_keys("tr")} + (p_status IS DISTINCT FROM tr->>'triage_status')::INT END)
    + (CASE WHEN reg IS NULL THEN 1 ELSE {_keys("reg")} END) AS n_reasons,
    floor((epoch_us(coalesce(p_first_acknowledged_at, {at})) - epoch_us(p_submitted_at))
      / 60000000)::BIGINT AS ack_min,
    floor((epoch_us(coalesce(p_triage_completed_at, {at})) - epoch_us(p_submitted_at))
      / 60000000)::BIGINT AS triage_min,
    reg->>'manager_line' AS manager_line,
    tr IS NOT NULL AND CAST(tr->>'manager_reviewed' AS BOOLEAN) IS NOT DISTINCT FROM false
      AS not_reviewed,
    unsafe AND (p_triage_completed_at IS NULL OR p_status NOT IN ('triaged', 'closed'))
      AS unsafe_pending
  FROM j
), c AS (
  SELECT *,
    ack_min > {policy.ack_emerging_min} OR triage_min > {policy.triage_emerging_min}
      OR p_triage_owner_id IS NULL AS emerging
  FROM r
)
SELECT reference, n_reasons, ack_min, triage_min, manager_line,
  CASE WHEN n_reasons > 0 THEN NULL
    WHEN ack_min > {policy.ack_critical_min} OR triage_min > {policy.triage_critical_min}
      OR (emerging AND unsafe) THEN 'critical'
    WHEN emerging THEN 'emerging' ELSE 'within_tolerance' END AS classification,
  CASE WHEN n_reasons > 0 THEN NULL ELSE
    (ack_min > {policy.ack_emerging_min})::INT + (triage_min > {policy.triage_emerging_min})::INT
    + (p_triage_owner_id IS NULL)::INT + not_reviewed::INT + unsafe_pending::INT
  END AS indicator_count
FROM c
"""
