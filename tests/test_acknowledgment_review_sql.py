"""The set-based daily review (SQL) gives exactly the items of the Python policy (the oracle).

Hypothesis draws feeds around every threshold (elapsed minutes at and beside each limit,
timestamp gaps at and beside the agreement window, other offsets, missing rows, disagreeing
keys, statuses and flags) and a pinned policy; every drawn example is stored through the real
ingestion path and reviewed in the database, on SQLite and PostgreSQL, and each item must equal
``domain.acknowledgment.review_item`` on the same stored contents.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.acknowledgment import ACK_FEEDS, PLATFORM, AckPolicy, review_item
from domain.feeds import FEEDS
from domain.instants import instant
from store.acknowledgment import generate_review, load_review, review_build
from store.sources import current_records, upsert_records
from store.tables import ReviewItem
from tests.ack_items_support import stored_text
from tests.hypothesis_support import seeded_draws
from tests.review_build_support import same_when_partitioned

BASE = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
ZONES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
Sessions = async_sessionmaker[AsyncSession]


def _near(limit: int) -> st.SearchStrategy[timedelta]:
    """A duration at, just below or just above ``limit`` minutes (or anywhere up to 2 days)."""
    beside = st.sampled_from([-61, -60, -1, 0, 1, 59, 60, 61]).map(
        lambda s: timedelta(minutes=limit, seconds=s)
    )
    anywhere = st.integers(min_value=-600, max_value=2 * 86400 * 1000).map(
        lambda ms: timedelta(milliseconds=ms)
    )
    return st.one_of(beside, anywhere)


def _text(moment: datetime | None, zone: timezone) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


@st.composite
def policies(draw: st.DrawFn) -> AckPolicy:
    ack = draw(st.sampled_from([1440, 2880]) | st.integers(min_value=1, max_value=3000))
    triage = draw(st.sampled_from([4320, 7200]) | st.integers(min_value=1, max_value=8000))
    return AckPolicy(
        ack_emerging_min=ack,
        ack_critical_min=ack + draw(st.integers(min_value=1, max_value=3000)),
        triage_emerging_min=triage,
        triage_critical_min=triage + draw(st.integers(min_value=1, max_value=3000)),
        agree_seconds=draw(st.sampled_from([0, 1, 60, 90])),
        scope_days=draw(st.integers(min_value=1, max_value=40)),
    )


@st.composite
def reports(draw: st.DrawFn, reference: str, as_of: datetime, policy: AckPolicy) -> dict[str, Any]:
    """One report's rows in the four feeds (a feed left out when its row is missing)."""
    zone = draw(st.sampled_from(ZONES))
    scope = timedelta(days=policy.scope_days)
    back = draw(
        st.one_of(
            st.sampled_from([scope, scope + timedelta(microseconds=1), timedelta(0)]),
            st.timedeltas(min_value=-timedelta(days=1), max_value=scope + timedelta(days=2)),
        )
    )
    submitted = as_of - back
    acked = draw(st.none() | _near(policy.ack_emerging_min) | _near(policy.ack_critical_min))
    triaged = draw(
        st.none() | _near(policy.triage_emerging_min) | _near(policy.triage_critical_min)
    )
    ids = st.sampled_from(["E1", "E2"])
    owner = draw(st.none() | st.sampled_from(["OWN-1", "OWN-2"]))
    status = draw(st.sampled_from(["pending", "in_triage", "triaged", "closed"]))
    domains = st.sampled_from(["medication", "documentation"])
    p = {
        "reference": reference,
        "employee_id": draw(ids),
        "service_line": "SL-A",
        "risk_domain": draw(domains),
        "category_code": "MED-01",
        "submitted_at": _text(submitted, zone),
        "first_acknowledged_at": _text(submitted + acked if acked is not None else None, zone),
        "triage_completed_at": _text(submitted + triaged if triaged is not None else None, zone),
        "triage_status": status,
        "triage_owner_id": owner,
        "recurrence_risk": draw(st.booleans()),
        "unsafe_condition_active": draw(st.booleans()),
    }
    keys = {k: p[k] for k in ("reference", "service_line")}

    def rarely(usual: Any, *others: Any) -> Any:
        """Mostly the agreeing value, sometimes another (so most reports reconcile)."""
        return draw(st.sampled_from(others)) if draw(st.integers(0, 5)) == 0 else usual

    keys["employee_id"] = rarely(p["employee_id"], "E1", "E2")
    keys["triage_owner_id"] = rarely(owner, "OWN-1", None)

    def shift() -> timedelta:
        seconds = rarely(0, -61, 59, 60, 61, 90, 3600)
        return timedelta(seconds=seconds, microseconds=rarely(0, 500_000))

    log_ack = rarely("shifted", "none")
    rows: dict[str, Any] = {PLATFORM: p}
    if draw(st.integers(0, 9)):
        rows["workforce-reporting-log"] = {
            **keys,
            "submitted_at": _text(submitted + shift(), draw(st.sampled_from(ZONES))),
            "first_acknowledged_at": None
            if log_ack == "none" or acked is None
            else _text(
                submitted + acked + (shift() if log_ack == "shifted" else timedelta(0)), zone
            ),
        }
    if draw(st.integers(0, 9)):
        rows["manager-response-tracker"] = {
            **keys,
            "triage_status": rarely(status, "pending"),
            "manager_reviewed": draw(st.booleans()),
            "updated_at": p["submitted_at"],
        }
    if draw(st.integers(0, 9)):
        rows["service-line-governance-register"] = {
            **keys,
            "manager_line": draw(st.sampled_from(["ML-1", "ML-2"])),
            "risk_domain": rarely(p["risk_domain"], "documentation"),
        }
    return rows


@st.composite
def examples(draw: st.DrawFn, number: int) -> tuple[datetime, AckPolicy, list[dict[str, Any]]]:
    """An as-of, a pinned policy and two to eight reports (references unique per example)."""
    as_of = BASE + timedelta(days=number * 100, seconds=draw(st.integers(0, 86399)))
    policy = draw(policies())
    count = draw(st.integers(min_value=2, max_value=8))
    return as_of, policy, [draw(reports(f"NM-{number}-{n}", as_of, policy)) for n in range(count)]


def _drawn(count: int) -> list[tuple[datetime, AckPolicy, list[dict[str, Any]]]]:
    """``count`` seeded examples (the same every run and process): the reviews run in the test's
    own loop."""
    return seeded_draws(examples, count)


def oracle(
    contents: dict[str, dict[str, dict[str, Any]]], as_of: datetime, policy: AckPolicy
) -> list[Any]:
    """The Python policy over the stored contents: scope, then ``review_item`` per report."""
    items = []
    for reference, p in sorted(contents[PLATFORM].items()):
        submitted = instant(p.get("submitted_at"))
        if submitted is None or p.get("triage_status") == "closed":
            continue
        if not as_of - timedelta(days=policy.scope_days) <= submitted < as_of:
            continue
        log, tracker, register = (contents[feed].get(reference) for feed in ACK_FEEDS[1:])
        items.append(review_item(p, log, tracker, register, as_of, policy))
    return items


async def test_sql_review_equals_the_python_policy(sessions: Sessions) -> None:
    drawn = _drawn(80)
    async with sessions() as s, s.begin():
        for feed in ACK_FEEDS:
            model = FEEDS[feed].model
            rows = [model(**r[feed]) for _, _, reports in drawn for r in reports if feed in r]
            await upsert_records(s, feed, rows, BASE)
    async with sessions() as s:
        contents = {feed: await current_records(s, feed) for feed in ACK_FEEDS}
    compared, seen, reasons = 0, set(), set()
    for number, (as_of, policy, _) in enumerate(drawn):
        async with sessions() as s, s.begin():
            result = await generate_review(s, f"r-{number}", as_of.date(), as_of, policy)
        # Built again on two connections (PostgreSQL): the same items, byte for byte.
        build = review_build(f"p-{number}", as_of.date(), as_of, policy)
        await same_when_partitioned(sessions, f"r-{number}", build)
        async with sessions() as s:
            view = await load_review(s, f"r-{number}")
        assert view is not None
        expected = oracle(contents, as_of, policy)
        got = [(i.reference, i.classification, i.reasons, i.fields) for i in view.items]
        want = [(i.reference, i.classification, i.reasons, i.fields) for i in expected]
        assert got == want, f"example {number}: {policy}"
        # The document rendered from the typed columns (migration 0033) is the text the review
        # stored before, byte for byte: each database's JSON constructor's, keys in order.
        async with sessions() as s:
            dialect = s.bind.dialect.name
            texts = await s.execute(
                select(ReviewItem.reference, cast(ReviewItem.fields, Text))
                .where(ReviewItem.review_id == f"r-{number}")
                .order_by(ReviewItem.reference)
            )
        assert list(texts) == [(i.reference, stored_text(dialect, i.fields)) for i in expected]
        assert result.exceptions == sum(1 for i in expected if i.classification is None)
        compared += len(want)
        seen |= {i.classification for i in expected}
        reasons |= {
            r.split(" (by")[0] + (" (by" if "(by" in r else "") for i in expected for r in i.reasons
        }
    # The draws reach into scope and every outcome, the agreement window's texts included.
    assert compared >= 30
    assert seen == {None, "within_tolerance", "emerging", "critical"}
    assert "first_acknowledged_at disagrees with workforce-reporting-log (by" in reasons
    assert "submitted_at disagrees with workforce-reporting-log (by" in reasons
    assert "risk_domain disagrees with service-line-governance-register" in reasons
