"""The bare SQL of ``bench.reads``: one query (or a few) returning the same rows as each store
read, written by hand for asyncpg (no ORM), in the bench schema's ``search_path``."""

from __future__ import annotations

from store.my_work import COUNT_CAP

_OWED_COLUMNS = (
    "case_id, example, reference, exposure, service_line, key, title, role, deadline, sort_at, "
    "severity_rank"
)
_OWED_WHERE = "sort_at IS NOT NULL AND deadline IS NOT NULL AND {after}"
_OWED_AFTER = (
    # the cursor's instant and rank, its instant's later ranks, every later instant
    "sort_at = $3 AND severity_rank = $6 AND (case_id > $4 OR (case_id = $4 AND key < $5))",
    "sort_at = $3 AND severity_rank > $6",
    "sort_at > $3",
)
_OWED_BRANCH = (
    "(SELECT {columns} FROM case_open_obligations WHERE case_status = 'open' AND {who} AND "
    "{where} ORDER BY sort_at, severity_rank, case_id, key DESC LIMIT {limit})"
)


def my_work_page(limit: int, deep: bool) -> str:
    """One page of what the owner ($1) or the busy role ($2) owes, most urgent first: one
    LIMIT-ed index range per way of owing (and, after a cursor, per side of it), merged (as
    ``store.my_work.case_obligations``)."""
    afters = _OWED_AFTER if deep else ("TRUE",)
    branches = [
        _OWED_BRANCH.format(
            columns=_OWED_COLUMNS, who=who, where=_OWED_WHERE.format(after=after), limit=limit
        )
        for who in ("assignee = $1", "assignee IS NULL AND role = $2")
        for after in afters
    ]
    return (
        f"SELECT * FROM ({' UNION ALL '.join(branches)}) owed "
        f"ORDER BY sort_at, severity_rank, case_id, key DESC LIMIT {limit}"
    )


MY_WORK_LEVELS = """
SELECT case_id, step, level FROM breaches WHERE resolved_at IS NULL AND case_id = ANY($1)
"""  # the open breaches of the page's cases (their escalation levels), as ours reads them


_BAND = """(SELECT count(*) FROM (
  (SELECT 1 FROM case_open_obligations WHERE case_status = 'open' AND sort_at IS NOT NULL
     AND assignee = $1 AND {band} LIMIT {cap})
  UNION ALL
  (SELECT 1 FROM case_open_obligations WHERE case_status = 'open' AND sort_at IS NOT NULL
     AND assignee IS NULL AND role = $2 AND {band} LIMIT {cap}) LIMIT {cap}) owed)"""
_BANDS = ("deadline <= $3", "deadline > $3 AND deadline < $4", "deadline >= $4 AND deadline < $5",
          "deadline >= $5")  # fmt: skip
MY_WORK_COUNTS = "SELECT " + ", ".join(
    _BAND.format(band=band, cap=COUNT_CAP + 1) for band in _BANDS
)  # the counts by due band, each up to the cap (one more: past it), as store.my_work counts
CASES = "SELECT * FROM cases {where} ORDER BY opened_at DESC, case_id DESC LIMIT {limit}"
AFTER = "opened_at <= $1 AND (opened_at < $1 OR case_id < $2)"
CASE = "SELECT * FROM cases WHERE case_id = $1"
TIMELINE = "SELECT * FROM case_events WHERE case_id = $1 ORDER BY at, id"
_FIRST_OPEN = """
SELECT b.escalated_at, b.case_id, b.step FROM breaches b
WHERE b.resolved_at IS NULL AND {after} AND NOT EXISTS (
  SELECT 1 FROM breaches o WHERE o.case_id = b.case_id AND o.step = b.step
    AND o.resolved_at IS NULL
    AND (o.escalated_at < b.escalated_at OR (o.escalated_at = b.escalated_at AND o.id < b.id)))
ORDER BY b.escalated_at, b.case_id, b.step, b.id
"""  # each case and step's first open breach, in the order GET /escalations lists them
BREACH_AFTER = "(b.escalated_at, b.case_id, b.step) > ($1, $2, $3)"


def escalations_page(limit: int, deep: bool) -> str:
    """A page of GET /escalations: the first open breaches from the cursor ($1-$3) on, each at
    its latest open level (a LATERAL of one row per case and step), and whether it is a review's."""
    first = _FIRST_OPEN.format(after=BREACH_AFTER if deep else "TRUE")
    return f"""
SELECT CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.review_id = f.case_id)
            THEN 'review' ELSE 'case' END AS kind, f.case_id, f.step, l.deadline, l.level,
       l.escalated_at
FROM ({first} LIMIT {limit}) f
CROSS JOIN LATERAL (
  SELECT level, deadline, escalated_at FROM breaches
  WHERE case_id = f.case_id AND step = f.step AND resolved_at IS NULL
  ORDER BY level DESC, escalated_at DESC LIMIT 1) l
ORDER BY f.escalated_at, f.case_id, f.step
"""


def breach_at() -> str:
    """The first open breach of a case and step a given way ($1) down the list (the deep
    page's cursor)."""
    return _FIRST_OPEN.format(after="TRUE") + " OFFSET $1 LIMIT 1"


BREACH_GROUPS = """
SELECT count(*) FROM (SELECT DISTINCT case_id, step FROM breaches WHERE resolved_at IS NULL) g
"""
REGISTER = "SELECT * FROM register_entries WHERE register = $1 ORDER BY seq"
ANALYTICS = """
SELECT r.period, i.classification, i.fields
FROM reviews r JOIN review_items i ON i.review_id = r.review_id
WHERE r.example = 'acknowledgment' AND r.period >= $1 AND r.period <= $2
"""
OWED_AT = """
SELECT sort_at, case_id, key, severity_rank FROM (
  SELECT sort_at, case_id, key, severity_rank FROM case_open_obligations
  WHERE case_status = 'open' AND sort_at IS NOT NULL AND deadline IS NOT NULL
    AND (assignee = $1 OR (assignee IS NULL AND role = $2))
) o ORDER BY sort_at, severity_rank, case_id, key DESC OFFSET $3 LIMIT 1
"""  # the owed obligation a given way down the list (the deep page's cursor)
OWED_COUNT = """
SELECT count(*) FROM case_open_obligations
WHERE case_status = 'open' AND sort_at IS NOT NULL AND deadline IS NOT NULL
  AND (assignee = $1 OR (assignee IS NULL AND role = $2))
"""
