"""Example 2's fortnightly audit as one set-based statement: reconcile, classify, store.

The same rules as ``domain.learning.audit_item`` (which stays the test oracle:
tests/test_learning_audit_sql.py), written over the typed columns extracted at ingestion
(``store.source_fields``), so no record's JSON is decoded in Python. The cycle's window, the
audit's as-of and the pinned policy's thresholds are bind parameters; the statement is the same
for every audit. Runs on SQLite and PostgreSQL (only the JSON constructors differ).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import String as SqlString
from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    null,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from domain.learning import (
    ACTION_TRACKER,
    BULLETIN_LOG,
    CORRECTIVE_ACTION_INCOMPLETE,
    CORRECTIVE_ACTION_OVERDUE,
    ISSUE_TYPES,
    NO_FEEDBACK_TO_REPORTER,
    NO_SHARED_LEARNING,
    RECURRENCE_FILE,
    RECURRENCE_WITHIN_30_DAYS,
    LearningPolicy,
    LearningVisibility,
)
from store.learning_audit_rows import bulletins, reports
from store.review_sql import (
    ITEM_COLUMNS,
    as_json,
    flag,
    in_part,
    json_bool,
    json_document,
    json_list,
    json_text,
    param,
    text,
    total,
)
from store.source_fields import epoch_us
from store.tables import ReviewItem as ReviewItemRow
from store.tables import SourceRecord

_ITEMS = cast(Table, ReviewItemRow.__table__)
_SETTLED = ("complete", "cancelled")  # an action in either state is never overdue


def _distinct(ours: Any, theirs: Any, row: Any, said: str) -> Any:
    return case((and_(row.key.is_not(None), ours.is_distinct_from(theirs)), text(said)))


def _reasons(p: Any, bulletin: Any, recurrence: Any, action: Any) -> list[Any]:
    """Every reason of ``domain.learning.reconcile``, in its order (NULL when absent)."""
    reasons: list[Any] = []
    for feed, row in ((BULLETIN_LOG, bulletin), (RECURRENCE_FILE, recurrence)):
        reasons.append(case((row.key.is_(None), text(f"missing in {feed}"))))
        reasons += [
            _distinct(getattr(p, k), getattr(row, k), row, f"{k} disagrees with {feed}")
            for k in ("risk_domain", "corrective_action_ref")
        ]
    has_ref = p.corrective_action_ref.is_not(None)
    reasons.append(
        case((and_(has_ref, action.key.is_(None)), text(f"missing in {ACTION_TRACKER}")))
    )
    reasons += [
        case(
            (
                and_(
                    has_ref,
                    action.key.is_not(None),
                    getattr(p, k).is_distinct_from(getattr(action, k)),
                ),
                text(f"{k} disagrees with {ACTION_TRACKER}"),
            )
        )
        for k in ("reference", "risk_domain")
    ]
    return reasons


def _overdue(action: Any) -> Any:
    """An action due before the as-of and neither complete nor cancelled."""
    return and_(
        action.due_at_us.is_not(None),
        action.due_at_us < param("as_of_us"),
        or_(action.status.is_(None), action.status.not_in(_SETTLED)),
    )


def _overdue_of_reports(parts: int) -> Any:
    """Overdue actions counted by the report they name (``reference``, ``n``); with ``parts`` > 1
    those naming partition ``part``'s reports only, so each partition counts its half. Not
    joined to the window's reports here: the audit's outer join by key keeps only theirs, and a
    join here scanned the whole incident platform a second time (bench/RESULTS.md, "Tenth
    session — example 2's review")."""
    o = aliased(SourceRecord, name="o")
    return (
        select(o.reference.label("reference"), func.count().label("n"))
        .where(o.feed == ACTION_TRACKER, _overdue(o), in_part(o.reference, parts))
        .group_by(o.reference)
        .subquery("od")
    )


def _base(parts: int) -> tuple[Any, int]:
    """One row per closed report of the window: every input of the classification, typed.

    Fenced by ``OFFSET 0`` (as in ``store.acknowledgment_review``), as are the reports and the
    bulletins it joins, whose JSON values are extracted once per row, where they are scanned.
    """
    rc, ac = (aliased(SourceRecord, name=n) for n in ("rc", "ac"))
    reported, bulletin = reports(parts), bulletins(parts)
    p, bl = reported.c, bulletin.c
    od = _overdue_of_reports(parts)
    reasons = _reasons(p, bl, rc, ac)
    # (e) counts the report's own action even when it names another report (an exception).
    own_elsewhere = and_(ac.key.is_not(None), ac.reference.is_distinct_from(p.key), _overdue(ac))
    closed = p.closed_at_us
    incomplete = or_(
        ac.key.is_(None),
        ac.status.is_distinct_from("complete"),
        ac.completed_at_us.is_(None),
        and_(closed.is_not(None), ac.completed_at_us > closed),
    )
    found = (
        incomplete,
        bl.feedback_to_reporter_at_us.is_(None),
        and_(func.coalesce(bl.wider_relevance, False), bl.bulletin_issued_at_us.is_(None)),
        func.coalesce(rc.recurrence_within_30_days, False),
    )
    query = (
        select(
            p.key.label("reference"),
            p.closed_text,
            bl.feedback_value,
            bl.bulletin_value,
            p.employee_id,
            p.service_line,
            p.risk_domain,
            p.corrective_action_ref,
            ac.status.label("action_status"),
            bl.key.label("bl_key"),
            bl.feedback_to_reporter_at_us.label("feedback_us"),
            bl.bulletin_issued_at_us.label("issued_us"),
            bl.wider_relevance.label("wider"),
            rc.key.label("rc_key"),
            rc.recurrence_within_30_days.label("recurrence"),
            func.coalesce(rc.repeat_count_same_domain, 0).label("repeats"),
            (func.coalesce(od.c.n, 0) + flag(own_elsewhere)).label("overdue"),
            *(flag(hit).label(f"i{n}") for n, hit in enumerate(found)),
            *(reason.label(f"r{n}") for n, reason in enumerate(reasons)),
        )
        .select_from(reported)
        .outerjoin(bulletin, bl.key == p.key)
        .outerjoin(rc, and_(rc.feed == RECURRENCE_FILE, rc.key == p.key))
        .outerjoin(ac, and_(ac.feed == ACTION_TRACKER, ac.key == p.corrective_action_ref))
        .outerjoin(od, od.c.reference == p.key)
    )
    return query.offset(0).subquery("b"), len(reasons)


def _issue_type(risk_domain: Any) -> Any:
    return case(
        *((risk_domain == code, text(words)) for code, words in ISSUE_TYPES.items()),
        else_=text("other"),
    )


def audit_items_statement(dialect: str, parts: int = 1) -> Any:
    """``INSERT INTO review_items … SELECT`` for bind parameters ``review_id``, ``start_us``,
    ``end_us``, ``as_of_us`` and the two critical thresholds of ``LearningPolicy`` (with
    ``parts`` > 1: partition ``part``'s reports only)."""
    subquery, n_reasons = _base(parts)
    b = subquery.c
    exception = or_(*(b[f"r{n}"].is_not(None) for n in range(n_reasons)))
    present = [b.i0, b.i1, b.i2, b.i3, case((b.overdue > 0, 1), else_=0)]
    count = total(present)
    names = (
        CORRECTIVE_ACTION_INCOMPLETE,
        NO_FEEDBACK_TO_REPORTER,
        NO_SHARED_LEARNING,
        RECURRENCE_WITHIN_30_DAYS,
        CORRECTIVE_ACTION_OVERDUE,
    )
    indicators = json_list(
        [case((hit == 1, text(name))) for name, hit in zip(names, present, strict=True)]
    )
    critical = or_(
        count >= param("critical_indicator_count"),
        and_(b.i3 == 1, b.repeats >= param("critical_repeat_count")),
    )
    has_bulletin, has_recurrence = b.bl_key.is_not(None), b.rc_key.is_not(None)
    fields = {
        "reference": b.reference,
        "employee_id": b.employee_id,
        "service_line": b.service_line,
        "risk_domain": b.risk_domain,
        "issue_type": _issue_type(b.risk_domain),
        # A string (its instant is in scope): the feed's own offset gives the provider's local
        # date (the instant is kept too).
        "closed_at": b.closed_text,
        "closure_date": func.substr(b.closed_text, 1, 10),
        "corrective_action_ref": b.corrective_action_ref,
        "corrective_action_status": b.action_status,
        "feedback_to_reporter_status": case(
            (b.feedback_us.is_not(None), text("given")), else_=text("not_given")
        ),
        "feedback_to_reporter_at": b.feedback_value,
        "shared_learning_status": case(
            (b.issued_us.is_not(None), text("issued")),
            (b.wider, text("not_issued")),
            else_=text("not_required"),
        ),
        "wider_relevance": json_bool(
            dialect, case((has_bulletin, func.coalesce(b.wider, False)), else_=null())
        ),
        "bulletin_id": b.bulletin_value,
        "overdue_corrective_actions": b.overdue,
        "recurrence_within_30_days": json_bool(dialect, case((has_recurrence, b.recurrence))),
        "repeat_count_same_domain": case((has_recurrence, b.repeats)),
        "indicators": case((exception, null()), else_=json_text(dialect, indicators)),
        "indicator_count": case((exception, null()), else_=count),
    }
    rows = select(
        bindparam("review_id", type_=SqlString),
        b.reference,
        case(
            (exception, null()),
            (critical, text(LearningVisibility.CRITICAL.value)),
            (count > 0, text(LearningVisibility.EMERGING.value)),
            else_=text(LearningVisibility.VISIBLE_LEARNING_CLOSURE.value),
        ),
        as_json(dialect, json_list([b[f"r{n}"] for n in range(n_reasons)])),
        json_document(dialect, fields),
        null(),
        b.employee_id,
    )
    return insert(_ITEMS).from_select(ITEM_COLUMNS, rows)


# The statement's plan: every feed joined by hashing the partition's reports and scanning the
# feed's own partition once (``source_records`` is partitioned by feed), not one primary-key
# look-up per report and feed (~110k index probes per partition at 100k reports), and no JIT
# (its compile costs more than it saves here; example 1's ``PLANNER`` too). bench/RESULTS.md,
# "Tenth session — example 2's review".
PLANNER = {"jit": "off", "enable_nestloop": "off"}


def audit_parameters(
    review_id: str, window: tuple[datetime, datetime], as_of: datetime, policy: LearningPolicy
) -> dict[str, Any]:
    """The statement's bind parameters for one audit: its window, as-of and pinned policy."""
    return {
        "review_id": review_id,
        "start_us": epoch_us(window[0]),
        "end_us": epoch_us(window[1]),
        "as_of_us": epoch_us(as_of),
        "critical_indicator_count": policy.critical_indicator_count,
        "critical_repeat_count": policy.critical_repeat_count,
    }
