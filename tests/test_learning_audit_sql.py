"""The set-based learning-visibility audit (SQL) gives exactly the items of the Python policy.

Hypothesis draws closed reports around the cycle's bounds (at, just before and just after its
start and end, in other offsets), their bulletin, recurrence and corrective-action rows (missing,
disagreeing, complete before, at or after the closure, due before, at or after the as-of, in
every status, extra actions naming the report, an own action naming another report) and a pinned
policy; every example is stored through the real ingestion path and audited in the database, on
SQLite and PostgreSQL, and each item must equal ``domain.learning.audit_item`` on the same
stored contents (the oracle).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.feeds import FEEDS
from domain.instants import instant
from domain.learning import (
    ACTION_TRACKER,
    BULLETIN_LOG,
    PLATFORM,
    RECURRENCE_FILE,
    LearningPolicy,
    audit_item,
)
from store.learning import audit_build, generate_audit
from store.sources import current_records, upsert_records
from store.tables import ReviewItem
from tests.hypothesis_support import seeded_draws
from tests.review_build_support import same_when_partitioned

BASE = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ZONES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
LEARNING_FEEDS = (PLATFORM, BULLETIN_LOG, RECURRENCE_FILE, ACTION_TRACKER)
DOMAINS = ["medication", "documentation"]
Sessions = async_sessionmaker[AsyncSession]
Example = tuple[tuple[datetime, datetime], datetime, LearningPolicy, dict[str, list[Any]]]


def _text(moment: datetime | None, zone: timezone) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


def _around(draw: st.DrawFn, moment: datetime) -> datetime:
    """``moment``, a microsecond or a second beside it, or up to three days either side."""
    return moment + draw(
        st.sampled_from(
            [
                timedelta(0),
                timedelta(microseconds=-1),
                timedelta(microseconds=1),
                timedelta(seconds=-1),
            ]
        )
        | st.timedeltas(min_value=-timedelta(days=3), max_value=timedelta(days=3))
    )


def _action(
    draw: st.DrawFn, key: str, reference: str, domain: str, closed: datetime, as_of: datetime
) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    status = draw(st.sampled_from(["open", "in_progress", "complete", "cancelled"]))
    exactly = st.sampled_from([closed, closed + timedelta(microseconds=1)])
    completed = draw(st.none() | exactly | st.just(_around(draw, closed)))
    completed = completed if status == "complete" or draw(st.integers(0, 5)) == 0 else None
    return {
        "corrective_action_ref": key,
        "reference": reference,
        "risk_domain": domain,
        "status": status,
        "due_at": _text(_around(draw, as_of), zone),
        "completed_at": _text(completed, zone),
    }


@st.composite
def reports(
    draw: st.DrawFn, number: int, n: int, window: tuple[datetime, datetime], as_of: datetime
) -> dict[str, list[dict[str, Any]]]:
    """One report's rows, by feed (several corrective actions may name it)."""
    reference, zone = f"NM-{number}-{n}", draw(st.sampled_from(ZONES))
    closed = _around(draw, draw(st.sampled_from(window)) if draw(st.booleans()) else window[0])
    closed = draw(st.just(closed) | st.just(window[0] + (window[1] - window[0]) / 2))
    domain = draw(st.sampled_from(DOMAINS))
    ref = draw(st.none() | st.just(f"CA-{number}-{n}"))

    def rarely(usual: Any, *others: Any) -> Any:
        """Mostly the agreeing value, sometimes another (so most reports reconcile)."""
        return draw(st.sampled_from(others)) if draw(st.integers(0, 5)) == 0 else usual

    rows: dict[str, list[dict[str, Any]]] = {feed: [] for feed in LEARNING_FEEDS}
    rows[PLATFORM].append(
        {
            "reference": reference,
            "employee_id": "E1",
            "service_line": "SL-A",
            "risk_domain": domain,
            "category_code": "MED-01",
            "submitted_at": _text(closed - timedelta(days=9), zone),
            "triage_status": "closed",
            "recurrence_risk": False,
            "unsafe_condition_active": False,
            "closed_at": _text(closed, zone),
            "corrective_action_ref": ref,
        }
    )
    if draw(st.integers(0, 9)):
        wider, issued = draw(st.booleans()), draw(st.booleans())
        rows[BULLETIN_LOG].append(
            {
                "reference": reference,
                "risk_domain": rarely(domain, "documentation"),
                "corrective_action_ref": rarely(ref, None, "CA-OTHER"),
                "wider_relevance": wider,
                "feedback_to_reporter_at": _text(closed, zone) if draw(st.booleans()) else None,
                "bulletin_id": "B-1" if issued else None,
                "bulletin_issued_at": _text(closed, zone) if issued else None,
            }
        )
    if draw(st.integers(0, 9)):
        rows[RECURRENCE_FILE].append(
            {
                "reference": reference,
                "risk_domain": rarely(domain, "documentation"),
                "corrective_action_ref": rarely(ref, None, "CA-OTHER"),
                "recurrence_within_30_days": draw(st.booleans()),
                "repeat_count_same_domain": draw(st.integers(0, 4)),
                "analysed_at": _text(closed, zone),
            }
        )
    if ref is not None and draw(st.integers(0, 9)):
        named = rarely(reference, f"NM-{number}-{n + 1}", "NM-ELSEWHERE")
        rows[ACTION_TRACKER].append(
            _action(draw, ref, named, rarely(domain, "documentation"), closed, as_of)
        )
    for extra in range(draw(st.integers(0, 2))):
        key = f"CA-{number}-{n}-x{extra}"
        rows[ACTION_TRACKER].append(_action(draw, key, reference, domain, closed, as_of))
    return rows


@st.composite
def examples(draw: st.DrawFn, number: int) -> Example:
    """A cycle window, an as-of after it, a pinned policy and two to eight reports."""
    start = BASE + timedelta(days=number * 100, seconds=draw(st.integers(0, 86399)))
    window = (start, start + timedelta(days=14))
    as_of = window[1] + draw(st.sampled_from([timedelta(hours=7), timedelta(days=3)]))
    policy = LearningPolicy(
        critical_indicator_count=draw(st.integers(1, 5)),
        critical_repeat_count=draw(st.integers(1, 4)),
    )
    rows: dict[str, list[Any]] = {feed: [] for feed in LEARNING_FEEDS}
    for n in range(draw(st.integers(min_value=2, max_value=8))):
        for feed, found in draw(reports(number, n, window, as_of)).items():
            rows[feed] += found
    return window, as_of, policy, rows


def _drawn(count: int) -> list[Example]:
    """``count`` seeded examples (the same every run and process): the audits run in the test's
    own loop."""
    return seeded_draws(examples, count)


def oracle(
    contents: dict[str, dict[str, dict[str, Any]]],
    window: tuple[datetime, datetime],
    as_of: datetime,
    policy: LearningPolicy,
) -> list[Any]:
    """The Python policy over the stored contents: the window, then ``audit_item`` per report
    with its own action and every action naming it (counted once each)."""
    actions = contents[ACTION_TRACKER]
    items = []
    for reference, p in sorted(contents[PLATFORM].items()):
        closed = instant(p.get("closed_at"))
        if closed is None or not window[0] <= closed < window[1]:
            continue
        own = actions.get(p.get("corrective_action_ref") or "")
        mine = [a for a in actions.values() if a["reference"] == reference]
        if own is not None and own["reference"] != reference:
            mine.append(own)
        bulletin = contents[BULLETIN_LOG].get(reference)
        recurrence = contents[RECURRENCE_FILE].get(reference)
        items.append(audit_item(p, bulletin, recurrence, own, mine, as_of, policy))
    return items


async def test_sql_audit_equals_the_python_policy(sessions: Sessions) -> None:
    drawn = _drawn(80)
    async with sessions() as s, s.begin():
        for feed in LEARNING_FEEDS:
            model = FEEDS[feed].model
            await upsert_records(
                s, feed, [model(**r) for *_, rows in drawn for r in rows[feed]], BASE
            )
    async with sessions() as s:
        contents = {feed: await current_records(s, feed) for feed in LEARNING_FEEDS}
    compared, seen, reasons, indicators = 0, set(), set(), set()
    for number, (window, as_of, policy, _) in enumerate(drawn):
        rid = f"a-{number}"
        async with sessions() as s, s.begin():
            result = await generate_audit(s, rid, window[0].date(), window, as_of, policy)
        # Built again on two connections (PostgreSQL): the same items, byte for byte.
        build = audit_build(f"p-{number}", window[0].date(), window, as_of, policy)
        await same_when_partitioned(sessions, rid, build)
        async with sessions() as s:
            stored = (
                await s.scalars(
                    select(ReviewItem)
                    .where(ReviewItem.review_id == rid)
                    .order_by(ReviewItem.reference)
                )
            ).all()
        expected = oracle(contents, window, as_of, policy)
        got = [(i.reference, i.classification, i.reasons, i.fields) for i in stored]
        want = [(i.reference, i.classification, i.reasons, i.fields) for i in expected]
        assert got == want, f"example {number}: {policy}"
        assert result.exceptions == sum(1 for i in expected if i.classification is None)
        assert result.exposed == [
            i.reference for i in expected if i.classification in ("emerging", "critical")
        ]
        compared += len(want)
        seen |= {i.classification for i in expected}
        reasons |= {r for i in expected for r in i.reasons}
        indicators |= {n for i in expected for n in i.fields["indicators"] or []}
    # The draws reach into the window and every outcome, reason and indicator.
    assert compared >= 100
    assert seen == {None, "visible_learning_closure", "emerging", "critical"}
    assert len(indicators) == 5
    assert {
        "missing in learning-bulletin-log",
        "missing in recurrence-analysis-file",
        "missing in corrective-action-tracker",
        "risk_domain disagrees with learning-bulletin-log",
        "corrective_action_ref disagrees with recurrence-analysis-file",
        "reference disagrees with corrective-action-tracker",
        "risk_domain disagrees with corrective-action-tracker",
    } <= reasons
