"""The bare SQL beside ``bench.reads_packs``: the rows a pack or the evidence pack reads, fetched
set-based by asyncpg, and the figures both sides are compared on (counted from the document on
our side, from the fetched rows on the bare side).

The evidence pack's bare reads every row its figures come from: each example's reviews, items,
cases, completions, breaches and pathway entries; the range's reports and answers; the staff
directory; each worker's first weak response over the whole history (the leaver figures: before
the eighth session the bare side left these out); and the sampled cases' events, entries,
openings and actors (the chronologies: left out too). It reads whole rows (``*``, a record's
``content``) where the pack reads a few columns."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain import names
from domain.calendar import BusinessCalendar
from domain.credibility import previous_month
from domain.pack_periods import period_bounds
from domain.packs import AWAITING_VISIBILITY_STAGES, PACKS
from store.evidence_deadlines import PATHWAY
from store.evidence_more import SAMPLE_PER_EXAMPLE, sample_key
from store.evidence_scope import EXAMPLES
from store.pack_common import PATHWAY_KINDS, window

_DONE = ("step_submitted", "action_done", "pathway_accepted")
_OWED = ("obligation_opened", *_DONE)
_BREACHES = """
SELECT b.* FROM breaches b JOIN cases c ON c.case_id = b.case_id
WHERE c.example = $1 AND c.opened_at < $3 AND b.escalated_at >= $2 AND b.escalated_at < $3
"""
_DONE_EVENTS = """
SELECT e.* FROM case_events e JOIN cases c ON c.case_id = e.case_id
WHERE c.example = $1 AND c.opened_at < $3 AND e.kind = ANY($4) AND e.at >= $2 AND e.at < $3
"""
_LISTED = "SELECT * FROM cases WHERE example = $1 AND stage = ANY($2) ORDER BY case_id"
_OF_LISTED = """
SELECT x.* FROM {table} x JOIN cases c ON c.case_id = x.{key}
WHERE c.example = $1 AND c.stage = ANY($2) AND x.kind = ANY($3)
"""
_ITEMS = """
SELECT r.review_id, r.period, i.* FROM reviews r JOIN review_items i ON i.review_id = r.review_id
WHERE r.example = $1 AND {where}
"""
_EXPOSED = """
SELECT i.employee_id, min(r.period) FROM review_items i JOIN reviews r ON r.review_id = i.review_id
WHERE r.example = 'acknowledgment' AND i.classification IN ('emerging', 'critical')
  AND r.period <= $1
  AND i.employee_id IN (SELECT employee_id FROM source_records WHERE feed = 'staff-directory')
GROUP BY i.employee_id
"""
_EXPOSED_CLOSURES = """
SELECT i.employee_id, i.fields->>'closed_at' FROM review_items i
JOIN reviews r ON r.review_id = i.review_id
WHERE r.example = 'closure-credibility' AND i.classification IN ('doubtful', 'failed')
  AND i.employee_id IN (SELECT employee_id FROM source_records WHERE feed = 'staff-directory')
"""
_ENTRIES = """
SELECT e.* FROM register_entries e JOIN cases c ON c.case_id = e.subject
WHERE c.example = $1 AND c.opened_at < $4 AND e.kind = ANY($2)
  AND e.recorded_at >= $3 AND e.recorded_at < $4
"""


def _summary(doc: dict[str, Any]) -> dict[str, int]:
    found = {}
    for s in doc["sections"]:
        for b in s["blocks"]:
            if b["type"] == "figures" and s["title"] == "Summary":
                found.update({f"{s['title'][:9]}: {k}": v for k, v in b["items"]
                              if isinstance(v, int)})  # fmt: skip
            if b["type"] == "table" and b["title"] in (
                "Missed deadlines",
                "Completed after the deadline",
            ):
                found[b["title"]] = len(b["rows"])
    return found


def pack_counts(doc: dict[str, Any]) -> dict[str, int]:
    """The pack's summary figures, missed deadlines and late completions."""
    return _summary(doc)


async def bare_pack(
    connection: Any, kind: str, period: str, calendar: BusinessCalendar, anchor: date
) -> dict[str, int]:
    spec = PACKS[kind]
    bounds = period_bounds(kind, period, anchor)
    win = window(bounds.first, bounds.after, calendar)
    ex, first, after = spec.example, win.first, win.after
    listed = await connection.fetch(_LISTED, ex, list(AWAITING_VISIBILITY_STAGES))
    if period_is_published := await connection.fetchval(
        "SELECT published_at IS NOT NULL FROM packs WHERE kind = $1 AND period = $2", kind, period
    ):
        listed = []
    del period_is_published
    stages = list(AWAITING_VISIBILITY_STAGES) if listed else ["-"]
    await connection.fetch(_OF_LISTED.format(table="register_entries", key="subject"), ex, stages,
                           list(PATHWAY_KINDS))  # fmt: skip
    await connection.fetch(_OF_LISTED.format(table="case_events", key="case_id"), ex, stages,
                           list(_OWED))  # fmt: skip
    breaches = await connection.fetch(_BREACHES, ex, first, after)
    done = await connection.fetch(_DONE_EVENTS, ex, first, after, list(_DONE))
    await connection.fetch("SELECT * FROM register_heads ORDER BY register")
    late = sum(1 for e in done if '"late": true' in e["detail"])
    out = {"Missed deadlines": len({(b["case_id"], b["step"], b["deadline"]) for b in breaches}),
           "Completed after the deadline": late}  # fmt: skip
    if kind == names.PACK_WEEKLY:
        items = await connection.fetch(
            _ITEMS.format(where="r.as_of >= $2 AND r.as_of < $3"), ex, first, after
        )
        reviews = await connection.fetchval(
            "SELECT count(*) FROM reviews WHERE example = $1 AND as_of >= $2 AND as_of < $3",
            ex, first, after,
        )  # fmt: skip
        opened = await connection.fetch(
            "SELECT case_id FROM cases WHERE example = $1 AND opened_at >= $2 AND opened_at < $3",
            ex, first, after,
        )  # fmt: skip
        out |= {"Summary: Daily reviews": reviews, "Summary: Report reviews": len(items),
                "Summary: Cases opened": len(opened),
                "Summary: Cases awaiting visibility": len(listed)}  # fmt: skip
    elif kind == names.PACK_FORTNIGHTLY:
        items = await connection.fetch(_ITEMS.format(where="r.period = $2"), ex, period)
        kinds = ["stabilization_pathway", "stabilization_validation"]
        await connection.fetch(_ENTRIES, ex, kinds, first, after + timedelta(days=14))
        await connection.fetch(
            """SELECT e.* FROM case_events e JOIN cases c ON c.case_id = e.case_id
            WHERE c.example = $1 AND e.kind = 'obligation_opened'
              AND e.detail->>'obligation' = 'stabilization-validation'
              AND e.detail->>'deadline' >= $2 AND e.detail->>'deadline' < $3""",
            ex, first.isoformat(), after.isoformat(),
        )  # fmt: skip
        out |= {"Summary: Closed reports audited": len(items),
                "Summary: Cases awaiting visibility": len(listed)}  # fmt: skip
    else:
        items = await connection.fetch(
            _ITEMS.format(where="r.period = $2"), ex, previous_month(bounds.first)
        )
        await connection.fetch(_ENTRIES, ex, ["repair_validation"], first, after)
        out |= {"Summary: Closures reviewed": len(items),
                "Summary: Failed cases awaiting board visibility": len(listed)}  # fmt: skip
    return out


def evidence_counts(doc: dict[str, Any]) -> dict[str, int]:
    """Per example: reviews run, cases opened, pathways authorized and validated, missed
    deadlines; the cases sampled; entries of every register verified."""
    found: dict[str, int] = {}
    for s in doc["sections"]:
        for b in s["blocks"]:
            if b["type"] == "figures" and s["title"] in EXAMPLES.values():
                found.update({f"{s['title'][:9]}: {k}": v for k, v in b["items"]
                              if k in ("Reviews run", "Cases opened", "Pathways authorized",
                                       "Pathways validated", "Missed deadlines")})  # fmt: skip
            if b["type"] == "table" and s["id"] == "chronologies":
                found["sampled cases"] = found.get("sampled cases", 0) + 1
            if b["type"] == "table" and b["title"] == "Registers":
                found["register entries"] = sum(int(r[1]) for r in b["rows"])
    return found


async def bare_evidence(
    connection: Any, start: date, end: date, calendar: BusinessCalendar, registers: bool = True
) -> dict[str, int]:
    win = window(start, end + timedelta(days=1), calendar)
    first, after = win.first, win.after
    found: dict[str, int] = {}
    sampled: list[str] = []
    for example, title in EXAMPLES.items():
        key = title[:9]
        reviews = await connection.fetchval(
            "SELECT count(*) FROM reviews WHERE example = $1 AND as_of >= $2 AND as_of < $3",
            example, first, after,
        )  # fmt: skip
        await connection.fetch(_ITEMS.format(where="r.as_of >= $2 AND r.as_of < $3"),
                               example, first, after)  # fmt: skip
        opened = await connection.fetch(
            "SELECT case_id FROM cases WHERE example = $1 AND opened_at >= $2 AND opened_at < $3",
            example, first, after,
        )  # fmt: skip
        closed = await connection.fetch(
            "SELECT case_id FROM cases WHERE example = $1 AND closed_at >= $2 AND closed_at < $3",
            example, first, after,
        )  # fmt: skip
        # the pack's sample: cases closed in the range, then opened in it and not closed in it
        done = {c["case_id"] for c in closed}
        still = [c["case_id"] for c in opened if c["case_id"] not in done]
        picked = sorted(done, key=lambda c: sample_key(c, start, end))[:SAMPLE_PER_EXAMPLE]
        picked += sorted(still, key=lambda c: sample_key(c, start, end))[
            : SAMPLE_PER_EXAMPLE - len(picked)
        ]
        sampled += picked
        await connection.fetch(_DONE_EVENTS, example, first, after, list(_DONE))
        breaches = await connection.fetch(_BREACHES, example, first, after)
        made, checked = PATHWAY[example]
        entries = await connection.fetch(_ENTRIES, example, [made, checked or ""], first, after)
        found |= {f"{key}: Reviews run": reviews, f"{key}: Cases opened": len(opened),
                  f"{key}: Pathways authorized": sum(e["kind"] == made for e in entries),
                  f"{key}: Missed deadlines": len({(b["case_id"], b["step"], b["deadline"])
                                                   for b in breaches})}  # fmt: skip
        if checked:
            found[f"{key}: Pathways validated"] = sum(e["kind"] == checked for e in entries)
    for feed in ("incident-platform", "speaking-up-confidence-form"):
        await connection.fetch(
            "SELECT content FROM source_records WHERE feed = $1 AND submitted_at_us >= $2 "
            "AND submitted_at_us < $3", feed, _us(first), _us(after),
        )  # fmt: skip
    await connection.fetch("SELECT content FROM source_records WHERE feed = 'staff-directory'")
    await connection.fetch(_EXPOSED, end.isoformat())  # each worker's first weak response
    await connection.fetch(_EXPOSED_CLOSURES)
    await _chronologies(connection, sampled)
    found["sampled cases"] = len(sampled)
    if registers:
        found["register entries"] = await bare_registers(connection)
    return found


async def _chronologies(connection: Any, cases: list[str]) -> None:
    """The sampled cases' events, register entries, document openings and actors' names."""
    events = await connection.fetch(
        "SELECT * FROM case_events WHERE case_id = ANY($1) ORDER BY case_id, at, id", cases
    )
    await connection.fetch("SELECT * FROM register_entries WHERE subject = ANY($1)", cases)
    await connection.fetch("SELECT * FROM document_openings WHERE case_id = ANY($1)", cases)
    await connection.fetch(
        "SELECT key, content FROM source_records WHERE feed = 'staff-directory' AND key = ANY($1)",
        sorted({e["actor"] for e in events}),
    )


def _us(moment: Any) -> int:
    return int(moment.timestamp() * 1_000_000)


async def bare_registers(connection: Any) -> int:
    """Every entry of every register with a head, streamed (what verification reads)."""
    count = 0
    async with connection.transaction():
        async for _ in connection.cursor(
            "SELECT e.* FROM register_heads h JOIN register_entries e ON e.register = h.register "
            "ORDER BY e.register, e.seq", prefetch=2000,
        ):  # fmt: skip
            count += 1
    return count
