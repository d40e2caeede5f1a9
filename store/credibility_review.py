"""Example 3's monthly review as one set-based statement: reconcile, classify, store.

The same rules as ``domain.credibility`` (``classify``, ``reconciliation_reasons``), which the
test oracle applies item by item (``closure_item`` in tests/test_credibility_review_sql.py),
written over the typed columns extracted at ingestion (``store.source_fields``), over the
month's closures (``store.credibility_closures``: the register's and the service's own). The
month's bounds, the provider's zone and the pinned policy's reopening window are bind
parameters; the statement is the same for every month.

Reopening days are counted on local dates in the provider's zone: PostgreSQL converts with
``AT TIME ZONE``; SQLite, which has no time zones, calls ``local_day`` (``store.db``).

Each item's ``fields`` are the closure's own row with the review's values set on it. A register
closure's item stores no document: the statement writes the row's own values and the review's
findings as typed columns (migration 0028; flags, credibility reasons and yes/no answers as the
bits of ``item_bits``) and ``ReviewItem.fields`` renders the document on read
(``store.item_fields``), the same text the review stored before. Building and validating ~1 KB
of JSON per item was the largest part of the statement's CPU at 100k closures (bench/RESULTS.md,
"Ninth session — example 3's review"). The service's own closures (a handful, keys of their
own) keep a stored document.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    JSON,
    Date,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy import String as SqlString
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import aliased

from domain.credibility import (
    CONFIRMATIONS,
    EVIDENCE,
    REOPENED,
    Credibility,
)
from store.credibility_closures import month_closures
from store.item_fields import ANSWER_BIT, FLAG_BIT, FLAG_NAMES, ITEM_VALUES, REASON_BIT, REASONS
from store.review_sql import (
    ITEM_COLUMNS,
    as_json,
    in_part,
    json_bool,
    json_list,
    json_text,
    param,
    text,
    total,
)
from store.tables import ReviewItem as ReviewItemRow
from store.tables import SourceRecord

_ITEMS = cast(Table, ReviewItemRow.__table__)


def _local_day(dialect: str, us: Any) -> Any:
    """The local date (in the zone bound as ``zone``) of an instant in epoch microseconds."""
    zone = bindparam("zone", type_=SqlString)
    if dialect == "postgresql":
        moment = func.to_timestamp(0) + us * literal_column("interval '1 microsecond'")
        return sql_cast(func.timezone(zone, moment), Date)
    return func.local_day(us, zone)


# The statement's plan: each feed the closures look up (confirmations, reopenings, evidence)
# joined by hashing its own partition's rows (scanning the feed's table once), not one
# primary-key look-up per closure and feed (two B-tree descents a closure, a third of the
# statement's CPU at 100k), and no JIT. bench/RESULTS.md, "Eleventh session — example 3".
PLANNER = {"jit": "off", "enable_nestloop": "off"}


def _joined(row: Any, feed: str, ref: Any, parts: int) -> Any:
    """A closure's row of ``feed`` (outer-joined), from the closure's own partition only: a key
    is in one partition (``in_part``), so each partition hashes its share of the feed."""
    return and_(row.feed == feed, row.key == ref, in_part(row.key, parts))


def review_items_statement(dialect: str, parts: int = 1) -> Any:
    """``INSERT INTO review_items … SELECT`` for bind parameters ``review_id``, ``start_us``,
    ``end_us``, ``zone``, ``reopen_days`` and ``own`` (the service's closures, JSON); with
    ``parts`` > 1: partition ``part``'s closures only (``store.review_sql.in_part``)."""
    closures = month_closures(dialect)
    cl = closures.c
    cf, ro, ev = (aliased(SourceRecord, name=n) for n in ("cf", "ro", "ev"))
    reasons = [
        case(
            (
                and_(cf.key.is_not(None), cf.employee_id.is_distinct_from(cl.employee_id)),
                text(f"employee_id disagrees with {CONFIRMATIONS}"),
            )
        ),
        case(
            (
                and_(ro.key.is_not(None), ro.reopened_at_us < cl.closed_us),
                text(f"reopened_at in {REOPENED} is before closed_at"),
            )
        ),
        case((cl.no_entry, text("no closure entry in the service's registers"))),
    ]
    days = case(
        (
            ro.key.is_not(None),
            _local_day(dialect, ro.reopened_at_us) - _local_day(dialect, cl.closed_us),
        )
    )
    within = and_(ro.key.is_not(None), days >= 0, days <= param("reopen_days"))
    disputed = and_(cf.key.is_not(None), cf.confirmed.is_(False))
    failed = [("reopened_within_30_days", within), ("employee_answered_not_resolved", disputed)]
    doubtful = [
        ("no_employee_confirmation", cf.key.is_(None)),
        ("no_final_action_evidence", ev.key.is_(None)),
        ("final_action_evidence_none", ev.evidence_type == "none"),
    ]
    exception = or_(*(reason.is_not(None) for reason in reasons))
    credibility = case(
        (exception, null()),
        (or_(*(hit for _, hit in failed)), text(Credibility.FAILED.value)),
        (or_(*(hit for _, hit in doubtful)), text(Credibility.DOUBTFUL.value)),
        else_=text(Credibility.CREDIBLE.value),
    )
    has_flag = {
        name: or_(_has_flag(dialect, cl.flags, name), disputed)
        if name == "disputed_closure"
        else _has_flag(dialect, cl.flags, name)
        for name in FLAG_NAMES
    }
    assert tuple(name for name, _ in failed + doubtful) == REASONS
    confirmed = case((cf.key.is_not(None), cf.confirmed))
    added = {
        "source": cl.source,
        "origin_example": cl.origin,
        "flags": [case((hit, text(name))) for name, hit in has_flag.items()],
        "confirmation_received": json_bool(dialect, cf.key.is_not(None)),
        "confirmed": json_bool(dialect, confirmed),
        "confirmation_responded_at": cf.responded_at_iso,
        "reopened_within_30_days": json_bool(dialect, within),
        "reopened_at": ro.reopened_at_iso,
        "days_to_reopen": days,
        "evidence_type": ev.evidence_type,
        "credibility_reasons": [case((hit, text(name))) for name, hit in failed + doubtful],
    }
    bits = [(FLAG_BIT[name], hit) for name, hit in has_flag.items()]
    bits += [(REASON_BIT[name], hit) for name, hit in failed + doubtful]
    bits += [
        (ANSWER_BIT["received"], cf.key.is_not(None)),
        (ANSWER_BIT["confirmed"], confirmed),
        (ANSWER_BIT["not_confirmed"], not_(confirmed)),
        (ANSWER_BIT["within"], within),
        (ANSWER_BIT["not_within"], not_(within)),
    ]
    values = {
        "closure_reference": cl.r_reference,
        "service_line": cl.r_service_line,
        "manager_line": cl.r_manager_line,
        "closed_at_iso": cl.r_closed_at,
        "closure_category": cl.r_closure_category,
        "final_reviewing_role": cl.r_final_reviewing_role,
        "last_communication_iso": cl.r_last_employee_communication_at,
        "responded_at_iso": cf.responded_at_iso,
        "reopened_at_iso": ro.reopened_at_iso,
        "evidence_type": ev.evidence_type,
        "days_to_reopen": days,
        "item_bits": total([case((hit, bit), else_=0) for bit, hit in bits]),
    }
    assert tuple(values) == ITEM_VALUES
    rows = (
        select(
            bindparam("review_id", type_=SqlString),
            cl.ref,
            credibility,
            as_json(dialect, json_list(reasons)),
            case((cl.service, _own_fields(dialect, cl, added)), else_=null()),
            null(),
            cl.employee_id,
            *values.values(),
        )
        .select_from(closures)
        .outerjoin(cf, _joined(cf, CONFIRMATIONS, cl.ref, parts))
        .outerjoin(ro, _joined(ro, REOPENED, cl.ref, parts))
        .outerjoin(ev, _joined(ev, EVIDENCE, cl.ref, parts))
        .where(in_part(cl.ref, parts))
    )
    return insert(_ITEMS).from_select((*ITEM_COLUMNS, *ITEM_VALUES), rows)


def _has_flag(dialect: str, flags: Any, name: str) -> Any:
    """Whether the closure's own ``flags`` (JSON text) hold ``name`` (a closed vocabulary)."""
    position = func.strpos if dialect == "postgresql" else func.instr
    return position(flags, text(f'"{name}"')) > 0


def _own_fields(dialect: str, cl: Any, added: dict[str, Any]) -> Any:
    """A closure the service made itself: its own row with ``added`` set on it (its own
    ``flags`` replaced), stored as the item's document; ``added``'s lists are lists of names
    (NULL: left out). A register closure stores none: its document is rendered on read from
    the item's typed columns (``store.item_fields``).

    PostgreSQL merges the row and the added values as ``jsonb`` (the right side wins). SQLite
    keeps key order, so ``flags`` is removed first and set again after the row's keys, where the
    other added keys go."""
    settings: list[Any] = []
    for name, value in added.items():
        listed = json_text(dialect, json_list(value)) if isinstance(value, list) else value
        if dialect == "postgresql":
            settings += [
                text(name),
                sql_cast(listed, JSON) if isinstance(listed.type, JSON) else listed,
            ]
        else:
            settings += [text(f"$.{name}"), listed]
    if dialect == "postgresql":
        return sql_cast(cl.base.op("||")(func.jsonb_build_object(*settings)), JSON)
    return func.json_set(func.json_remove(cl.base, text("$.flags")), *settings)
