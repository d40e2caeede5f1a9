"""Bench data for packs and the evidence pack (not demo data), on top of ``bench.read_data``,
``bench.analytics_data`` and ``bench.register_data`` in the same schema.

What the packs and the evidence pack read, in the shape the product writes it: the cases'
examples named as the product names them (read_data's are short), pathways on a third of the
cases and every recent open one (a signed register entry per authorization and validation, as
``append_entry`` chains them, and the pathway log on the timeline: obligations opened, the
owner's acceptance, an action done, some late), the open cases of the last three weeks waiting
for their pack, example 2's fortnightly audits and example 3's monthly closure reviews with their
items, the staff directory, the incident platform's reports and the confidence survey as current
source records with their versions, document openings, and published packs of every period but
the current one (content built by the product's own reader for each kind's latest period).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import admin
from bench.pack_sources import STAFF_ROLES, copy_rows, sources, staff_id
from bench.read_data import NOW, SPAN
from config.settings import DEV_SIGNING_KEY
from domain import names
from domain.examples import STEP_SPECS
from domain.learning import INDICATORS
from domain.pack_periods import label_of
from store.registers import GENESIS, RegisterEntry, entry_hash, hashed_fields, payload_digest
from store.signing import sign_head, signing_key

ANCHOR = date(2026, 1, 5)  # the settings' default cycle anchor
EXAMPLE_OF = {"acknowledgment": names.EXAMPLE_ACKNOWLEDGMENT, "learning": names.EXAMPLE_LEARNING,
              "closure": names.EXAMPLE_CREDIBILITY}  # fmt: skip
PATHWAY = {  # example -> (pathway step, validation step or None, action slug, pathway type)
    names.EXAMPLE_ACKNOWLEDGMENT: ("recovery-pathway", None, "worker-communication",
                                   "named_ownership_assignment"),
    names.EXAMPLE_LEARNING: ("stabilization-pathway", "stabilization-validation", "worker-feedback",
                             "combined_stabilization"),
    names.EXAMPLE_CREDIBILITY: ("repair-pathway", "repair-validation", "worker-reconnection",
                                "direct_senior_contact"),
}  # fmt: skip
DEADLINES = {
    names.EXAMPLE_ACKNOWLEDGMENT: ("triage_control_implementation_deadline",
                                   "worker_communication_deadline", "mandatory_review_date"),
    names.EXAMPLE_LEARNING: ("learning_control_implementation_deadline",
                             "worker_feedback_deadline", "review_date"),
    names.EXAMPLE_CREDIBILITY: ("final_corrective_deadline", "worker_reconnection_deadline",
                                "follow_up_review_date"),
}  # fmt: skip
_ENTRY = (
    "register", "seq", "actor", "recorded_at", "subject", "kind", "payload", "payload_salt",
    "payload_digest", "erased_by", "prev_hash", "hash", "signature",
)  # fmt: skip
_EVENT = ("case_id", "at", "kind", "actor", "detail", "dedupe_key")
_REVIEW = ("review_id", "example", "period", "as_of", "generated_at", "status", "reviewed_by",
           "reviewed_at", "summary", "back_run")  # fmt: skip
_ITEM = (
    "review_id", "reference", "classification", "reasons", "fields", "case_id", "employee_id"
)  # fmt: skip


class _Chains:
    """Register chains built as ``store.registers.append_entry`` builds them (signed)."""

    def __init__(self) -> None:
        self.key = signing_key(DEV_SIGNING_KEY)
        self.heads: dict[str, tuple[int, str]] = {}
        self.rows: list[tuple[Any, ...]] = []

    def append(self, register: str, actor: str, at: datetime, subject: str, kind: str,
               payload: dict[str, Any]) -> int:  # fmt: skip
        seq, prev = self.heads.get(register, (0, GENESIS))
        seq += 1
        salt = f"{len(self.rows):032x}"
        entry = RegisterEntry(
            register=register, seq=seq, actor=actor, recorded_at=at, subject=subject, kind=kind,
            payload=payload, prev_hash=prev, hash="", payload_salt=salt,
            payload_digest=payload_digest(salt, payload),
        )  # fmt: skip
        hash_ = entry_hash(prev, hashed_fields(entry))
        self.rows.append(
            (register, seq, actor, at, subject, kind, json.dumps(payload), salt,
             entry.payload_digest, None, prev, hash_, sign_head(self.key, register, seq, hash_))
        )  # fmt: skip
        self.heads[register] = (seq, hash_)
        return seq

    def head_rows(self) -> list[tuple[Any, ...]]:
        return [
            (name, seq, hash_, sign_head(self.key, name, seq, hash_))
            for name, (seq, hash_) in self.heads.items()
        ]


def _pathway(case: Any, rng: random.Random, chains: _Chains, events: list[Any]) -> None:
    """A case's pathway: authorization entry, acceptance, one action, validation if closed."""
    case_id, example, opened = case["case_id"], case["example"], case["opened_at"]
    step, validation, action, kind = PATHWAY[example]
    owner, director = staff_id(rng.randint(1, 300)), staff_id(rng.randint(1, 300))
    late = rng.random() < 0.2
    n = 0

    def event(at: datetime, what: str, actor: str, detail: dict[str, Any]) -> None:
        nonlocal n
        n += 1
        events.append((case_id, at, what, actor, json.dumps(detail), f"{case_id}:pw:{n}"))

    due = opened + timedelta(hours=24)
    done = opened + timedelta(hours=30 if late else 2)
    fields = {f: (done + timedelta(days=5 * (i + 1))).date().isoformat()
              for i, f in enumerate(DEADLINES[example])}  # fmt: skip
    spec = STEP_SPECS[step]
    payload = {
        "pathway_type": kind, "responsible_owner_id": owner, **fields,
        "note": "Named owner and senior acknowledgment.", "step_deadline": due.isoformat(),
        "late": late, "reference": case["reference"], "computed": {},
        "request_id": f"bench-{case_id}-{step}",
    }  # fmt: skip
    event(opened, "obligation_opened", "system", {"obligation": step, "deadline": due.isoformat()})
    seq = chains.append(spec.register, director, done, case_id, step.replace("-", "_"), payload)
    event(done, "step_submitted", director,
          {"step": step, "late": late, "register": spec.register, "seq": seq})  # fmt: skip
    accept_due = done + timedelta(hours=24)
    accepted = done + timedelta(hours=rng.choice([2, 3, 30]))
    event(done, "obligation_opened", "system",
          {"obligation": "pathway-acceptance", "deadline": accept_due.isoformat()})  # fmt: skip
    event(accepted, "pathway_accepted", owner, {"late": accepted > accept_due})
    action_due = accepted + timedelta(hours=48)
    event(accepted, "obligation_opened", "system",
          {"obligation": f"action:{action}", "deadline": action_due.isoformat()})  # fmt: skip
    if case["status"] == "closed":
        finished = accepted + timedelta(hours=rng.choice([20, 30, 60]))
        event(finished, "action_done", owner, {"action": action, "late": finished > action_due})
    if validation and case["status"] == "closed":
        check_due = accepted + timedelta(days=14)
        checked = check_due - timedelta(days=rng.choice([-1, 1, 2]))
        event(accepted, "obligation_opened", "system",
              {"obligation": validation, "deadline": check_due.isoformat()})  # fmt: skip
        vspec = STEP_SPECS[validation]
        result = {
            "decision": rng.choice(["close", "close", "extend"]), "revised_recurrence_count": 1,
            "revised_reporter_feedback_completion_rate": 0.8,
            "final_credibility_outcome": "credible", "revised_confidence_score": 4,
            "computed": {"baseline_score": 2}, "late": checked > check_due,
            "step_deadline": check_due.isoformat(), "reference": case["reference"],
        }  # fmt: skip
        vseq = chains.append(vspec.register, owner, checked, case_id,
                             validation.replace("-", "_"), result)  # fmt: skip
        event(checked, "step_submitted", owner,
              {"step": validation, "late": checked > check_due, "register": vspec.register,
               "seq": vseq})  # fmt: skip


async def _fix_cases(connection: Any, schema: str) -> None:
    """The product's example names; example 3's cases carry its classifications."""
    for short, name in EXAMPLE_OF.items():
        for table in ("cases", "case_open_obligations"):
            await connection.execute(
                f'UPDATE "{schema}".{table} SET example = $1 WHERE example = $2', name, short
            )
    await connection.execute(
        f"""UPDATE "{schema}".cases SET exposure = (ARRAY['failed','doubtful'])[1 + (hashtext(case_id) & 1)]
        WHERE example = $1""",  # noqa: E501
        names.EXAMPLE_CREDIBILITY,
    )


async def _pathways(connection: Any, schema: str, rng: random.Random) -> tuple[int, int]:
    cases = await connection.fetch(
        f'SELECT case_id, example, reference, opened_at, status FROM "{schema}".cases '
        "ORDER BY case_id"
    )
    recent = NOW - timedelta(days=21)
    chains = _Chains()
    events: list[tuple[Any, ...]] = []
    waiting: list[str] = []
    for case in cases:
        fresh = case["status"] == "open" and case["opened_at"] >= recent
        if fresh or rng.random() < 0.33:
            _pathway(case, rng, chains, events)
        if fresh:
            waiting.append(case["case_id"])
    await connection.execute(
        f"UPDATE \"{schema}\".cases SET stage = 'awaiting-visibility' WHERE case_id = ANY($1)",
        waiting,
    )
    await copy_rows(connection, schema, "register_entries", _ENTRY, chains.rows)
    await copy_rows(connection, schema, "register_heads", ("register", "seq", "hash", "signature"),
                chains.head_rows())  # fmt: skip
    await copy_rows(connection, schema, "case_events", _EVENT, events)
    openings = [
        (e[0], "report-chronology", e[3], e[1]) for e in events if e[2] == "pathway_accepted"
    ]
    await copy_rows(connection, schema, "document_openings",
                ("case_id", "document", "actor", "opened_at"), openings)  # fmt: skip
    return len(chains.rows), len(waiting)


def _learning_fields(rng: random.Random, case: str | None) -> dict[str, Any]:
    return {
        "service_line": f"SL-{rng.randint(1, 40)}", "employee_id": f"W-{rng.randint(1, 2000)}",
        "risk_domain": rng.choice(["falls", "medication", "equipment", "violence"]),
        "indicators": rng.sample(INDICATORS, rng.randint(0, 2)),
        "recurrence_within_30_days": rng.random() < 0.2,
        "repeat_count_same_domain": rng.randint(0, 4),
        "feedback_to_reporter_status": rng.choice(["given", "given", "not_given"]),
        "wider_relevance": rng.random() < 0.4,
        "shared_learning_status": rng.choice(["issued", "none"]),
        "case_id": case,
    }  # fmt: skip


def _credibility_fields(rng: random.Random, closed: datetime) -> dict[str, Any]:
    return {
        "service_line": f"SL-{rng.randint(1, 40)}", "employee_id": f"W-{rng.randint(1, 2000)}",
        "final_reviewing_role": rng.choice(STAFF_ROLES[:4]), "confirmed": rng.random() < 0.7,
        "reopened_within_30_days": rng.random() < 0.1, "closed_at": closed.isoformat(),
    }  # fmt: skip


async def _reviews(connection: Any, schema: str, items_each: int, rng: random.Random) -> int:
    """Example 2's fortnightly audits and example 3's monthly reviews over the span."""
    reviews, items = [], []
    start = ANCHOR
    while start - timedelta(days=14) > (NOW - SPAN).date():
        start -= timedelta(days=14)
    classes = ["visible_learning_closure", "visible_learning_closure", "emerging", "critical", None]
    while start + timedelta(days=14) <= NOW.date():
        as_of = datetime.combine(start + timedelta(days=14), datetime.min.time(), UTC)
        rid = f"learning-bench-{start.isoformat()}"
        reviews.append(_review(rid, names.EXAMPLE_LEARNING, label_of(names.PACK_FORTNIGHTLY, start),
                               as_of + timedelta(hours=7), rng))  # fmt: skip
        for i in range(items_each):
            c = rng.choice(classes)
            values = _learning_fields(rng, None)
            items.append((rid, f"LV-{start:%Y%m%d}-{i:05d}", c, "[]" if c else '["no source"]',
                           json.dumps(values), None, values.get("employee_id")))  # fmt: skip
        start += timedelta(days=14)
    month = (NOW - SPAN).date().replace(day=1)
    while month < NOW.date().replace(day=1):
        after = (month + timedelta(days=32)).replace(day=1)
        rid = f"credibility-bench-{month:%Y-%m}"
        as_of = datetime.combine(after, datetime.min.time(), UTC) + timedelta(hours=7)
        reviews.append(_review(rid, names.EXAMPLE_CREDIBILITY, f"{month:%Y-%m}", as_of, rng))
        for i in range(items_each):
            c = rng.choice(["credible", "credible", "doubtful", "failed", None])
            closed = datetime.combine(month, datetime.min.time(), UTC) + timedelta(hours=i % 600)
            values = _credibility_fields(rng, closed)
            items.append((rid, f"CC-{month:%Y%m}-{i:05d}", c, "[]" if c else '["no source"]',
                           json.dumps(values), None, values.get("employee_id")))  # fmt: skip
        month = after
    await copy_rows(connection, schema, "reviews", _REVIEW, reviews)
    await copy_rows(connection, schema, "review_items", _ITEM, items)
    # Example 1's reviews (bench.analytics_data) marked reviewed by a named person.
    await connection.execute(
        f"UPDATE \"{schema}\".reviews SET reviewed_by = 'E-0001', reviewed_at = as_of + "
        "interval '3 hours' WHERE example = $1", names.EXAMPLE_ACKNOWLEDGMENT,
    )  # fmt: skip
    return len(items)


def _review(
    rid: str, example: str, period: str, as_of: datetime, rng: random.Random
) -> tuple[Any, ...]:
    """A review row, marked reviewed by a named person unless that is still to come."""
    reviewed = as_of + timedelta(hours=rng.choice([4, 30, 200]))
    done = reviewed < NOW
    who = staff_id(rng.randint(1, 300)) if done else None
    return (rid, example, period, as_of, as_of, "reviewed" if done else "generated", who,
            reviewed if done else None, "{}", False)  # fmt: skip


async def generate(schema: str, cases: int, reports: int, seed: int = 5) -> dict[str, Any]:
    """Load the pack inputs into ``schema`` (after read_data, analytics_data, register_data)."""
    rng = random.Random(seed)
    started = datetime.now(UTC)
    connection = await admin()
    try:
        await _fix_cases(connection, schema)
        entries, waiting = await _pathways(connection, schema, rng)
        items = await _reviews(connection, schema, max(20, cases // 400), rng)
        await sources(connection, schema, reports, max(200, cases // 10), rng)
        # VACUUM as autovacuum would before long: rows just copied and updated have no
        # visibility map yet, and an index-only scan (the leavers' first exposures) reads heap
        for table in ("cases", "case_events", "register_entries", "reviews", "review_items",
                      "source_records", "source_record_versions", "document_openings"):  # fmt: skip
            await connection.execute(f'VACUUM (ANALYZE) "{schema}".{table}')
    finally:
        await connection.close()
    seconds = (datetime.now(UTC) - started).total_seconds()
    return {"pathway entries": entries, "awaiting visibility": waiting, "audit items": items,
            "seconds": seconds}  # fmt: skip
