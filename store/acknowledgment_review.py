"""Example 1's daily review as one set-based statement: reconcile, classify, ``INSERT … SELECT``.

The same rules as ``domain.acknowledgment.review_item`` (which stays the test oracle:
tests/test_acknowledgment_review_sql.py), written over the typed columns extracted at ingestion
(``store.source_fields``), so no record's JSON is decoded in Python. The review's pinned policy
thresholds and its as-of instant are bind parameters; the statement is the same for every review.
Runs on SQLite and PostgreSQL (only the JSON constructors differ). Each item's document is
stored as typed columns and rendered on read (``store.item_fields``, migration 0033).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import aliased

from domain.acknowledgment import (
    GOVERNANCE_REGISTER,
    KEY_FIELDS,
    PLATFORM,
    REPORTING_LOG,
    RESPONSE_TRACKER,
    TRIAGE_DONE,
    AckPolicy,
)
from store.item_fields import (
    ACK_CLASSIFIED,
    ACK_INDICATOR_BIT,
    ACK_INDICATORS,
    ACK_VALUES,
    ACK_YES_NO,
)
from store.review_sql import ITEM_COLUMNS, as_json, in_part, json_list, param, text
from store.source_fields import epoch_us
from store.tables import ReviewItem as ReviewItemRow
from store.tables import SourceRecord

_ITEMS = cast(Table, ReviewItemRow.__table__)
_MINUTE_US = 60_000_000
_DIVIDE = 100  # binds tighter than anything: operands are parenthesised
_SECOND_US = 1_000_000


def _floor_div(value: Any, unit: int) -> Any:
    """``value // unit`` rounded down (as Python's ``//``): integer ``/`` truncates in both."""
    divisor: Any = literal_column(str(unit))
    return case(
        (value >= 0, value.op("/", precedence=_DIVIDE)(divisor)),
        else_=-((-value + divisor - 1).op("/", precedence=_DIVIDE)(divisor)),
    )


def _agree(field: str, ours: Any, theirs: Any, present: Any) -> Any:
    """``domain.acknowledgment._agree_reason`` for the log's copy of a timestamp."""
    gap = func.abs(ours - theirs)
    said = f"{field} disagrees with {REPORTING_LOG}"
    return case(
        (~present, null()),
        (and_(ours.is_(None), theirs.is_(None)), null()),
        (or_(ours.is_(None), theirs.is_(None)), text(said)),
        (
            gap > param("agree_us"),
            text(f"{said} (by ")
            + sql_cast(gap.op("/", precedence=_DIVIDE)(literal_column(str(_SECOND_US))), String)
            + text(" s)"),
        ),
        else_=null(),
    )


def _reasons(p: Any, log: Any, tracker: Any, register: Any) -> list[Any]:
    """Every reason of ``domain.acknowledgment.reconcile``, in its order (NULL when absent)."""
    reasons: list[Any] = []
    for feed, row in (
        (REPORTING_LOG, log),
        (RESPONSE_TRACKER, tracker),
        (GOVERNANCE_REGISTER, register),
    ):
        reasons.append(case((row.key.is_(None), text(f"missing in {feed}")), else_=null()))
        reasons += [
            case(
                (
                    and_(row.key.is_not(None), getattr(p, k).is_distinct_from(getattr(row, k))),
                    text(f"{k} disagrees with {feed}"),
                ),
                else_=null(),
            )
            for k in KEY_FIELDS
        ]
    for field in ("submitted_at", "first_acknowledged_at"):
        column = f"{field}_us"
        reasons.append(
            _agree(field, getattr(p, column), getattr(log, column), log.key.is_not(None))
        )
    for row, feed, name in (
        (tracker, RESPONSE_TRACKER, "triage_status"),
        (register, GOVERNANCE_REGISTER, "risk_domain"),
    ):
        reasons.append(
            case(
                (
                    and_(
                        row.key.is_not(None), getattr(p, name).is_distinct_from(getattr(row, name))
                    ),
                    text(f"{name} disagrees with {feed}"),
                ),
                else_=null(),
            )
        )
    return reasons


def _report_fields(p: Any) -> dict[str, Any]:
    """The report's own item fields, each from its typed column (``store.source_fields``: the
    instants as the content writes them), not from the content decoded per report."""
    return {
        "reference": p.reference,
        "employee_id": p.employee_id,
        "submitted_at": p.submitted_at_iso,
        "category_code": p.category_code,
        "first_acknowledged_at": p.first_acknowledged_at_iso,
        "triage_completed_at": p.triage_completed_at_iso,
        "triage_status": p.triage_status,
        "client_id": p.client_id,
        "risk_domain": p.risk_domain,
        "triage_owner_id": p.triage_owner_id,
        "recurrence_risk": p.recurrence_risk,
        "service_line": p.service_line,
        "unsafe_condition_active": p.unsafe_condition_active,
    }


def review_items_statement(dialect: str, parts: int = 1) -> Any:
    """``INSERT INTO review_items … SELECT`` for bind parameters ``review_id``, ``as_of_us``,
    ``scope_start_us``, ``agree_us`` and the four minute thresholds of ``AckPolicy`` (with
    ``parts`` > 1: partition ``part``'s reports only, ``store.review_sql.in_part``)."""
    p, log, tracker, register = (aliased(SourceRecord, name=n) for n in ("p", "l", "t", "g"))
    as_of = param("as_of_us")
    submitted = p.submitted_at_us
    ack = _floor_div(func.coalesce(p.first_acknowledged_at_us, as_of) - submitted, _MINUTE_US)
    triage = _floor_div(func.coalesce(p.triage_completed_at_us, as_of) - submitted, _MINUTE_US)
    reasons = _reasons(p, log, tracker, register)
    query = select(
        p.key.label("reference"),
        *(column.label(f"f_{name}") for name, column in _report_fields(p).items()),
        p.triage_owner_id.label("owner"),
        p.employee_id.label("employee_id"),
        func.coalesce(p.unsafe_condition_active, False).label("unsafe"),
        or_(
            p.triage_completed_at_us.is_(None),
            p.triage_status.is_(None),
            p.triage_status.not_in(sorted(TRIAGE_DONE)),
        ).label("incomplete"),
        and_(tracker.key.is_not(None), tracker.manager_reviewed.is_(False)).label("not_reviewed"),
        register.manager_line.label("manager_line"),
        ack.label("ack"),
        triage.label("triage"),
        *(reason.label(f"r{n}") for n, reason in enumerate(reasons)),
    ).select_from(p)
    for alias, feed in (
        (log, REPORTING_LOG),
        (tracker, RESPONSE_TRACKER),
        (register, GOVERNANCE_REGISTER),
    ):
        query = query.outerjoin(alias, and_(alias.feed == feed, alias.key == p.key))
    query = query.where(
        p.feed == PLATFORM,
        submitted >= param("scope_start_us"),
        submitted < as_of,
        p.triage_status.is_distinct_from("closed"),
        in_part(p.key, parts),
    )
    # OFFSET 0 keeps PostgreSQL from inlining the subquery: each of its columns is then computed
    # once per report, not once per use.
    b = query.offset(0).subquery("b").c
    exception = or_(*(b[f"r{n}"].is_not(None) for n in range(len(reasons))))
    ack_over = b.ack > param("ack_emerging_min")
    triage_over = b.triage > param("triage_emerging_min")
    emerging = or_(ack_over, triage_over, b.owner.is_(None))
    critical = or_(
        b.ack > param("ack_critical_min"),
        b.triage > param("triage_critical_min"),
        and_(emerging, b.unsafe),
    )
    flags = [
        ("ack_over_threshold", ack_over),
        ("triage_over_threshold", triage_over),
        ("no_named_triage_owner", b.owner.is_(None)),
        ("manager_not_reviewed", b.not_reviewed),
        ("unsafe_condition_while_triage_incomplete", and_(b.unsafe, b.incomplete)),
    ]
    # The item's document is not built here: its values go to typed columns, the yes/no values
    # and the indicators as bits of ``ack_bits``, and ``ReviewItem.fields`` renders it
    # (``store.item_fields``). Its JSON text was most of each item's bytes, written to the table
    # and the WAL for every report (bench/RESULTS.md, "ex1m12").
    bits = [
        case((b[f"f_{name}"], yes), (~b[f"f_{name}"], no), else_=0)
        for name, (yes, no) in ACK_YES_NO.items()
    ]
    bits.append(case((exception, 0), else_=ACK_CLASSIFIED))
    bits += [case((flag, ACK_INDICATOR_BIT[name]), else_=0) for name, flag in flags]
    assert [name for name, _ in flags] == list(ACK_INDICATORS)
    values = {
        "service_line": b.f_service_line,
        "manager_line": b.manager_line,
        "submitted_at_iso": b.f_submitted_at,
        "category_code": b.f_category_code,
        "first_acknowledged_iso": b.f_first_acknowledged_at,
        "triage_completed_iso": b.f_triage_completed_at,
        "triage_status": b.f_triage_status,
        "client_id": b.f_client_id,
        "risk_domain": b.f_risk_domain,
        "triage_owner_id": b.f_triage_owner_id,
        "ack_elapsed_min": b.ack,
        "triage_elapsed_min": b.triage,
        "ack_bits": sum(bits[1:], bits[0]),
    }
    assert set(values) == {"service_line", "manager_line", *ACK_VALUES}
    rows = select(
        bindparam("review_id", type_=String),
        b.reference,
        case(
            (exception, null()),
            (critical, text("critical")),
            (emerging, text("emerging")),
            else_=text("within_tolerance"),
        ),
        as_json(dialect, json_list([b[f"r{n}"] for n in range(len(reasons))])),
        null(),
        null(),
        b.employee_id,
        *values.values(),
    )
    return insert(_ITEMS).from_select((*ITEM_COLUMNS, *values), rows)


# The statement's plan at every size: each report's three feed rows looked up by key (nested
# loops over the primary key), no JIT. At 1M reports (5M source rows) ANALYZE's sample puts
# ~8 rows behind each key and the costs cross the JIT thresholds, so PostgreSQL would hash a
# whole feed per partition and compile the expressions with inlining and optimization, a plan
# the 100k review never gets (bench/RESULTS.md, "Ninth session — example 1 at 1M").
PLANNER = {"jit": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}


def review_parameters(review_id: str, as_of: datetime, policy: AckPolicy) -> dict[str, Any]:
    """The statement's bind parameters for one review: the pinned policy and its as-of."""
    return {
        "review_id": review_id,
        "as_of_us": epoch_us(as_of),
        "scope_start_us": epoch_us(as_of - timedelta(days=policy.scope_days)),
        "agree_us": policy.agree_seconds * _SECOND_US,
        "ack_emerging_min": policy.ack_emerging_min,
        "ack_critical_min": policy.ack_critical_min,
        "triage_emerging_min": policy.triage_emerging_min,
        "triage_critical_min": policy.triage_critical_min,
    }
