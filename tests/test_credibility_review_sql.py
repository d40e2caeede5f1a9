"""The set-based closure-credibility review (SQL) gives exactly the items of the Python policy.

Hypothesis draws a month, the provider's zone (DST months included) and a pinned policy, then
register closures around the month's local bounds (at, a microsecond and a second beside them,
in other offsets) with flags, their confirmations (missing, yes, no, another employee),
reopenings (missing, before the closure, at and beside local midnights up to beyond the reopening
window) and evidence (missing, none, a photo), and cases the service closed itself (with and
without a closure entry, one sometimes re-sent as a register row). Every example is stored
through the real ingestion path and reviewed in the database, on SQLite and PostgreSQL; each
item must equal ``closure_item`` below (``domain.credibility`` on the same stored rows, the code
that classified before the review moved into SQL): the oracle.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from sqlalchemy import String, and_, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.credibility import (
    ANSWER_RECEIVED_AT,
    ANSWERED_AFTER,
    CLOSED_REGISTER,
    CONFIRMATIONS,
    EVIDENCE,
    FLAGS,
    LATE_DISPUTE,
    REOPENED,
    CredibilityPolicy,
    classify,
    is_late_dispute,
    month_bounds,
    reconciliation_reasons,
)
from domain.feeds import FEEDS
from domain.instants import instant
from store.credibility import closure_review_build, generate_closure_review, own_closures
from store.item_fields import TYPED_TEXT, item_text
from store.pack_common import items_of
from store.sources import current_records, upsert_records
from store.tables import ReviewItem, SourceRecord
from tests.credibility_support import ADDED, add_own_closed_case
from tests.hypothesis_support import seeded_draws
from tests.review_build_support import same_when_partitioned

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney"]
# Texts JSON must escape (a quote, a backslash, a tab) and one it must not (non-ASCII), taken in
# turn (not drawn: the seeded draws stay those the coverage assertions below were tuned to).
ROLES = ["near_miss_governance_supervisor", 'a "quoted" role', "back\\slash\tand tab", "rôle"]
OFFSETS = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
CREDIBILITY_FEEDS = (CLOSED_REGISTER, CONFIRMATIONS, REOPENED, EVIDENCE)
Sessions = async_sessionmaker[AsyncSession]


class Example:
    def __init__(self, period: str, zone: str, policy: CredibilityPolicy) -> None:
        self.period, self.zone, self.policy = period, zone, policy
        self.rows: dict[str, list[dict[str, Any]]] = {feed: [] for feed in CREDIBILITY_FEEDS}
        self.own: list[tuple[str, datetime, bool]] = []  # case ID, closed at, closure entry


def _text(moment: datetime, offset: timezone) -> str:
    return moment.astimezone(offset).isoformat()


def _beside(draw: st.DrawFn, moment: datetime) -> datetime:
    return moment + draw(
        st.sampled_from([timedelta(0), timedelta(microseconds=-1), timedelta(microseconds=1)])
        | st.sampled_from([timedelta(seconds=-1), timedelta(hours=5)])
        | st.timedeltas(min_value=-timedelta(days=2), max_value=timedelta(days=2))
    )


def _reopened(draw: st.DrawFn, closed: datetime, zone: str, policy: CredibilityPolicy) -> datetime:
    """Around a local midnight some days after (or before) the closure, or anywhere near it."""
    days = draw(st.sampled_from([-1, 0, 1, policy.reopen_days, policy.reopen_days + 1]))
    local = closed.astimezone(ZoneInfo(zone)).date() + timedelta(days=days)
    midnight = datetime.combine(local, datetime.min.time(), tzinfo=ZoneInfo(zone))
    return draw(st.just(_beside(draw, midnight.astimezone(UTC))) | st.just(closed))


def _closure(draw: st.DrawFn, ex: Example, case_ref: str, employee: str) -> None:
    """A register row for ``case_ref`` and its satellites (each may be missing)."""
    start, end = month_bounds(ex.period, ex.zone)
    closed = _beside(draw, draw(st.sampled_from([start, end, start + (end - start) / 2])))
    offset = draw(st.sampled_from(OFFSETS))
    ex.rows[CLOSED_REGISTER].append(
        {
            "case_ref": case_ref,
            "reference": f"NM-{case_ref}",
            "employee_id": employee,
            "service_line": "SL-A",
            "manager_line": "ML-1",
            "closed_at": _text(closed, offset),
            "closure_category": "corrective_action_completed",
            "final_reviewing_role": ROLES[len(ex.rows[CLOSED_REGISTER]) % len(ROLES)],
            "last_employee_communication_at": draw(st.none() | st.just(_text(closed, offset))),
            "flags": draw(st.lists(st.sampled_from(FLAGS), max_size=3)),
        }
    )
    _satellites(draw, ex, case_ref, employee, closed)


def _satellites(
    draw: st.DrawFn, ex: Example, case_ref: str, employee: str, closed: datetime
) -> None:
    offset = draw(st.sampled_from(OFFSETS))
    if draw(st.integers(0, 3)):
        ex.rows[CONFIRMATIONS].append(
            {
                "case_ref": case_ref,
                "employee_id": employee if draw(st.integers(0, 5)) else "W-OTHER",
                "confirmed": draw(st.booleans()),
                "responded_at": _text(closed + timedelta(days=3), offset),
            }
        )
    if draw(st.booleans()):
        reopened = _reopened(draw, closed, ex.zone, ex.policy)
        if draw(st.integers(0, 7)) == 0:
            reopened = closed - timedelta(microseconds=1)
        ex.rows[REOPENED].append(
            {"case_ref": case_ref, "reopened_at": _text(reopened, offset), "reason": "again"}
        )
    if draw(st.integers(0, 3)):
        kind = draw(st.sampled_from(["none", "photo"]))
        ex.rows[EVIDENCE].append(
            {"case_ref": case_ref, "evidence_type": kind, "recorded_at": _text(closed, offset)}
        )


@st.composite
def examples(draw: st.DrawFn, number: int) -> Example:
    """A month (one per example), a zone, a pinned policy, register and own closures."""
    period = f"{2020 + number // 12:04d}-{number % 12 + 1:02d}"
    days = draw(st.sampled_from([1, 30, 31]) | st.integers(min_value=1, max_value=60))
    policy = CredibilityPolicy(reopen_days=days, reconfirm_days_before=0)
    ex = Example(period, draw(st.sampled_from(ZONES)), policy)
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        _closure(draw, ex, f"CC-{number}-{n}", draw(st.sampled_from(["W-1", "W-2"])))
    start, end = month_bounds(period, ex.zone)
    for n in range(draw(st.integers(min_value=0, max_value=2))):
        case_id = f"ack-case-{number}-{n}"
        closed = _beside(draw, draw(st.sampled_from([start, end, start + (end - start) / 3])))
        ex.own.append((case_id, closed, draw(st.integers(0, 4)) > 0))
        if draw(st.integers(0, 3)) == 0:  # the register re-sends the service's own closure
            _closure(draw, ex, case_id, "W-9")
        else:
            _satellites(draw, ex, case_id, "W-9", closed)
    return ex


def _drawn(count: int) -> list[Example]:
    """``count`` seeded examples (the same every run and process): the reviews run in the test's
    own loop."""
    return seeded_draws(examples, count)


def closure_item(
    closure: dict[str, Any],
    satellites: dict[str, dict[str, dict[str, Any]]],
    zone: str,
    policy: CredibilityPolicy,
) -> dict[str, Any]:
    """One review item: classification (None for an exception), reasons and fields."""
    ref = closure["case_ref"]
    confirmation = satellites[CONFIRMATIONS].get(ref)
    reopened = satellites[REOPENED].get(ref)
    evidence = satellites[EVIDENCE].get(ref)
    reasons = reconciliation_reasons(closure, confirmation, reopened)
    if closure["source"] == "service" and closure.get("closure_entry_at") is None:
        reasons.append("no closure entry in the service's registers")
    closed_at = instant(closure["closed_at"])
    assert closed_at is not None
    result = classify(closed_at, confirmation, reopened, evidence, zone=zone, policy=policy)
    flags = set(closure.get("flags") or [])
    if result.confirmation is False:
        flags.add("disputed_closure")
    fields = {
        **{k: v for k, v in closure.items() if k != "flags"},
        "flags": sorted(flags),
        "confirmation_received": confirmation is not None,
        "confirmed": result.confirmation,
        "confirmation_responded_at": confirmation["responded_at"] if confirmation else None,
        "reopened_within_30_days": result.reopened_within,
        "reopened_at": reopened["reopened_at"] if reopened else None,
        "days_to_reopen": result.days_to_reopen,
        "evidence_type": result.evidence_type,
        "credibility_reasons": result.reasons,
    }
    classification = None if reasons else result.credibility.value
    return {
        "reference": ref,
        "classification": classification,
        "reasons": reasons,
        "fields": fields,
    }


def oracle(
    contents: dict[str, dict[str, dict[str, Any]]],
    own: dict[str, dict[str, Any]],
    ex: Example,
) -> list[dict[str, Any]]:
    """The month's register rows and the service's own closures, each through the policy."""
    closures = month_register(contents, ex)
    closures |= own  # the service's own record wins over a re-sent register row
    return [closure_item(closures[k], contents, ex.zone, ex.policy) for k in sorted(closures)]


def month_register(
    contents: dict[str, dict[str, dict[str, Any]]], ex: Example
) -> dict[str, dict[str, Any]]:
    """The register rows closed in the example's month, as closures."""
    start, end = month_bounds(ex.period, ex.zone)
    return {
        ref: {**row, "source": CLOSED_REGISTER, "origin_example": None}
        for ref, row in contents[CLOSED_REGISTER].items()
        if start <= (instant(row["closed_at"]) or start - timedelta(1)) < end
    }


async def _own_cases(sessions: Sessions, drawn: list[Example]) -> None:
    async with sessions() as s, s.begin():
        for ex in drawn:
            for case_id, closed, entry in ex.own:
                role = "workforce_governance_reviewer" if entry else None
                await add_own_closed_case(
                    s, case_id, closed, reference=f"NM-{case_id}", final_reviewing_role=role
                )


async def _not_in_jsonb_form(sessions: Sessions, review_id: str) -> list[str]:
    """PostgreSQL: the items whose stored fields text is not what ``jsonb`` writes for it (the
    text the review stored when it merged each document as ``jsonb``; written as text now)."""
    async with sessions() as s:
        if (await s.connection()).dialect.name != "postgresql":
            return []
        text = ReviewItem.fields.cast(String)
        found = await s.scalars(
            select(ReviewItem.reference).where(
                ReviewItem.review_id == review_id,
                text != ReviewItem.fields.cast(JSONB).cast(String),
            )
        )
        return list(found)


async def _not_as_stored_before(sessions: Sessions, review_id: str) -> list[str]:
    """The register items whose rendered document (``ReviewItem.fields``, from the typed
    columns: nothing is stored) is not the text the review stored before migration 0028: the
    register row's content with the review's values set on it. PostgreSQL merged them as
    ``jsonb``: the same text byte for byte. SQLite set them with ``json_set`` on the content's
    canonical text: the same keys in the same order with the same values (a non-ASCII string
    kept the content's ``\\u`` escape, which the rendered text writes as the character)."""
    document = ReviewItem.fields
    async with sessions() as s:
        postgres = (await s.connection()).dialect.name == "postgresql"
        if postgres:
            merged = (
                SourceRecord.content.cast(JSONB)
                .op("-")(literal("flags"))
                .op("||")(
                    func.jsonb_build_object(
                        *(p for n in ADDED for p in (literal(n), document.cast(JSONB).op("->")(n)))
                    )
                )
            )
        else:
            settings = [
                p
                for n in ADDED
                for p in (literal(f"$.{n}"), func.json(document.op("->")(f"$.{n}")))
            ]
            merged = func.json_set(func.json_remove(SourceRecord.content, "$.flags"), *settings)
        found = await s.execute(
            select(
                ReviewItem.reference,
                ReviewItem.stored_fields.is_(None),
                document.cast(String),
                merged.cast(String),
            )
            .join(
                SourceRecord,
                and_(
                    SourceRecord.feed == CLOSED_REGISTER, SourceRecord.key == ReviewItem.reference
                ),
            )
            .where(
                ReviewItem.review_id == review_id, document["source"].as_string() == CLOSED_REGISTER
            )
        )

    def pairs(text: str) -> Any:
        return json.loads(text, object_pairs_hook=list)

    return [
        f"{ref}: {rendered} / {before}" + ("" if unstored else " (stored)")
        for ref, unstored, rendered, before in found
        if not unstored or (rendered != before if postgres else pairs(rendered) != pairs(before))
    ]


async def _typed_reads_differ(sessions: Sessions, review_id: str) -> list[str]:
    """The items of which one string key read by ``item_text`` (a register item's typed column)
    is not what the rendered document gives for it."""
    differ: list[str] = []
    async with sessions() as s:
        for name in TYPED_TEXT:
            found = await s.execute(
                select(ReviewItem.reference).where(
                    ReviewItem.review_id == review_id,
                    item_text(ReviewItem, name).is_distinct_from(
                        ReviewItem.fields[name].as_string()
                    ),
                )
            )
            differ += [f"{ref}: {name}" for ref in found.scalars()]
    return differ


async def test_sql_review_equals_the_python_policy(sessions: Sessions) -> None:
    drawn = _drawn(80)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    async with sessions() as s, s.begin():
        for feed in CREDIBILITY_FEEDS:
            model = FEEDS[feed].model
            await upsert_records(s, feed, [model(**r) for ex in drawn for r in ex.rows[feed]], at)
    await _own_cases(sessions, drawn)
    async with sessions() as s:
        contents = {feed: await current_records(s, feed) for feed in CREDIBILITY_FEEDS}
    compared, resent, seen, reasons, days, beside = 0, 0, set(), set(), set(), set()
    for number, ex in enumerate(drawn):
        rid = f"c-{number}"
        async with sessions() as s:
            own = await own_closures(s, *month_bounds(ex.period, ex.zone))
        async with sessions() as s, s.begin():
            review = await generate_closure_review(s, rid, ex.period, at, ex.zone, ex.policy)
        # Built again on two connections (PostgreSQL): the same items, byte for byte.
        async with sessions() as s:
            build = await closure_review_build(s, f"p-{number}", ex.period, at, ex.zone, ex.policy)
        await same_when_partitioned(sessions, rid, build)
        async with sessions() as s:
            stored = (
                await s.scalars(
                    select(ReviewItem)
                    .where(ReviewItem.review_id == rid)
                    .order_by(ReviewItem.reference)
                )
            ).all()
        expected = oracle(contents, own, ex)
        got = [(i.reference, i.classification, i.reasons, i.fields) for i in stored]
        want = [(i["reference"], i["classification"], i["reasons"], i["fields"]) for i in expected]
        assert got == want, f"example {number}: {ex.period} {ex.zone} {ex.policy}"
        async with sessions() as s:  # a pack's Core read gets the documents rendered too
            packed = await items_of(s, [SimpleNamespace(review_id=rid, period=ex.period)])
        assert {i.reference: i.fields for _, i in packed} == {r: f for r, _, _, f in got}
        assert await _not_in_jsonb_form(sessions, rid) == []
        assert await _not_as_stored_before(sessions, rid) == []
        assert await _typed_reads_differ(sessions, rid) == []
        assert review.summary["exceptions"] == sum(
            1 for i in expected if i["classification"] is None
        )
        assert review.summary["total"] == len(expected)
        # The month's register rows, an own case's re-sent row included (counted from the items)
        register = month_register(contents, ex)
        assert review.summary["sources"] == {"service": len(own), CLOSED_REGISTER: len(register)}
        resent += len(register.keys() & own.keys())
        compared += len(want)
        seen |= {i["classification"] for i in expected}
        reasons |= {r for i in expected for r in i["reasons"]}
        found = {i["fields"]["days_to_reopen"] for i in expected}
        days |= found
        beside |= {d - ex.policy.reopen_days for d in found if d is not None}
    # The draws reach into the month and every outcome and reason, reopening days included.
    assert compared >= 100 and resent > 0
    assert seen == {None, "credible", "doubtful", "failed"}
    assert {
        "employee_id disagrees with employee-confirmation-form",
        "reopened_at in reopened-risk-tracker is before closed_at",
        "no closure entry in the service's registers",
    } <= reasons
    assert {None, -1, 0, 1} <= days and {0, 1} <= beside  # the window's last day and the next


async def test_a_later_review_takes_late_disputes_as_the_python_policy_does(
    sessions: Sessions,
) -> None:
    """Answers "not resolved" received after the reviews that held their closures: a later
    month's review takes each again (``is_late_dispute`` on the stored rows, the oracle), with
    the same items ``closure_item`` gives; an answer it read is not taken a third time."""
    drawn = _drawn(12)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    async with sessions() as s, s.begin():
        for feed in CREDIBILITY_FEEDS:
            model = FEEDS[feed].model
            await upsert_records(s, feed, [model(**r) for ex in drawn for r in ex.rows[feed]], at)
    await _own_cases(sessions, drawn)
    zone, policy = "Europe/London", CredibilityPolicy()
    for number, ex in enumerate(drawn):
        async with sessions() as s, s.begin():
            await generate_closure_review(s, f"l-{number}", ex.period, at, zone, policy)
    async with sessions() as s:
        held = set(await s.scalars(select(ReviewItem.reference)))
    later = at + timedelta(days=3)
    disputed = sorted(held)[::2]  # every other closure a review held now answers "not resolved"
    employees = {ref: "W-9" if ref.startswith("ack-case-") else None for ref in disputed}
    async with sessions() as s:
        register = await current_records(s, CLOSED_REGISTER)
    rows = [
        {"case_ref": ref, "employee_id": employees[ref] or register[ref]["employee_id"],
         "confirmed": False, "responded_at": later.isoformat()}
        for ref in disputed
    ]  # fmt: skip
    async with sessions() as s, s.begin():
        model = FEEDS[CONFIRMATIONS].model
        await upsert_records(s, CONFIRMATIONS, [model(**r) for r in rows], later)
    async with sessions() as s:
        contents = {feed: await current_records(s, feed) for feed in CREDIBILITY_FEEDS}
        start, end = month_bounds("2027-01", zone)
        own = await own_closures(s, *month_bounds("2019-01", zone))  # none: the rows below
        all_own = await own_closures(s, datetime(2000, 1, 1, tzinfo=UTC), start)
    assert own == {}
    expected = []
    for ref in sorted(held):
        closure = all_own.get(ref) or {
            **contents[CLOSED_REGISTER][ref],
            "source": CLOSED_REGISTER,
            "origin_example": None,
        }
        closed_at = instant(closure["closed_at"])
        answer = contents[CONFIRMATIONS].get(ref)
        assert closed_at is not None
        if answer is None or not is_late_dispute(
            confirmed=answer["confirmed"], received_at=later if ref in disputed else at,
            closed_at=closed_at,
            month_start=start, previous_review_at=at, last_reviewed_at=at, repair_open=False,
        ):  # fmt: skip
            continue
        late = {**closure, LATE_DISPUTE: True, ANSWERED_AFTER: at.isoformat(),
                ANSWER_RECEIVED_AT: later.isoformat()}  # fmt: skip
        expected.append(closure_item(late, contents, zone, policy))
    async with sessions() as s, s.begin():
        review = await generate_closure_review(s, "l-late", "2027-01", later, zone, policy, later)
        stored = (
            await s.scalars(
                select(ReviewItem)
                .where(ReviewItem.review_id == "l-late")
                .order_by(ReviewItem.reference)
            )
        ).all()
    got = [(i.reference, i.classification, i.reasons, i.fields) for i in stored]
    want = [(i["reference"], i["classification"], i["reasons"], i["fields"]) for i in expected]
    for g, w in zip(got, want, strict=True):
        assert g == w, (g, w)
    assert len(want) == len(disputed)
    assert review.summary["late_disputes"] == len(disputed)
    assert {i["classification"] for i in expected} >= {"failed"}
    async with sessions() as s, s.begin():  # read by "l-late": not taken a third time
        again = await generate_closure_review(
            s, "l-again", "2027-02", later + timedelta(days=30), zone, policy,
            later + timedelta(days=30),
        )  # fmt: skip
    assert again.summary["late_disputes"] == 0
