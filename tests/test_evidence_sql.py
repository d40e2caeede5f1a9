"""The evidence pack's set-based sections (store.evidence over store.evidence_reads, the trends
over store.evidence_trends, the chronologies' records read for all sampled cases at once) give
the same document as the Python they replace (tests/evidence_oracle_support.py,
tests/evidence_chronology_support.py), on SQLite and PostgreSQL: on the seeded set
(tests/pack_seed.py) for the whole range, each service line and a range with nothing in it,
and on the demo with its past reviews, cases and repairs, its reports, answers and leavers. Each
is compared with none of example 1's reviews valued (``ack_item_values``: the pack reads their
items' documents), with part of them valued, and with all of them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from domain.learning import DEFAULT_ANCHOR
from store import evidence, evidence_more
from store.analytics_values import ensure_values
from store.demo_cases import seed_cases
from store.demo_history import oldest_month, seed_history
from store.demo_repairs import seed_repairs
from store.evidence import EXAMPLES
from store.pack_common import window
from store.tables import Case, DocumentOpening, Review, ReviewItem
from store.tables_analytics import AckItemValues
from tests import evidence_chronology_support as old_chronologies
from tests import evidence_oracle_support as oracle
from tests.demo_history_support import AS_OF, load_demo
from tests.factories import load, staff_rows
from tests.pack_seed import seed_learning_closure, seed_weekly
from tests.pack_support import CALENDAR, EVIDENCE_NOW


async def _both(session: Any, start: date, end: date, line: str | None, now: datetime) -> Any:
    """(ours, the oracle's) sections for the range and line (the trends last)."""
    scope = evidence.Scope(window(start, end + timedelta(days=1), CALENDAR), line)
    found = []
    for side, more in ((evidence, evidence_more), (oracle, old_chronologies)):
        if side is evidence:  # all three examples' reads at once, and each example's alone
            sections = await evidence.example_sections(session, scope, now)
            alone = [await evidence.example_section(session, ex, scope, now) for ex in EXAMPLES]
            assert alone == sections
        else:
            sections = [await oracle.example_section(session, ex, scope, now) for ex in EXAMPLES]
        sections += [await side.learning_visible(session, scope)]
        sections += [await side.closure_credibility(session, scope)]
        sections += [await more.chronologies(session, scope, start, end)]
        trends = evidence_more.trends if side is evidence else oracle.trends
        found.append([*sections, await trends(session, scope, start, end)])
    return found


def _chronology_rows(sections: list[Any]) -> list[Any]:
    """The rows of the sampled chronologies that cite a register entry."""
    return [r for r in _every_row(sections) if ", entry " in r[3]]


CODE = re.compile(r"\d{4}-\d{2}|\b[a-z]+-[a-z]+-[a-z]+|#\d")  # 2026-10, report-chronology…


def _in_words(sections: list[Any]) -> list[Any]:
    """The sampled chronologies' rows, each step and its evidence in the pages' words: register
    and document titles, a pack's period in words (never a slug, an ISO date or "register #3")."""
    rows = _every_row(sections)
    for row in rows:
        assert not CODE.search(f"{row[1]} | {row[3]}"), row
    return rows


def _complete(sections: list[Any]) -> dict[bool, int]:
    """How many sampled chronologies run to the case's closing (True) and how many are titled
    as not closed in the range (False, the fallback); none is neither (walk 13: two rows of
    cases opened minutes before, under "complete case chronologies")."""
    sample = next(s for s in sections if s["title"].startswith("Sample of complete"))
    found = {True: 0, False: 0}
    for b in sample["blocks"]:
        if b["type"] == "table":
            closed = any(r[1].startswith("Case closed (") for r in b["rows"])
            fallback = "not closed in the range" in b["title"]
            assert closed != fallback, b
            found[closed] += 1
    return found


def _every_row(sections: list[Any]) -> list[Any]:
    sample = next(s for s in sections if s["title"].startswith("Sample of complete"))
    return [r for b in sample["blocks"] if b["type"] == "table" for r in b["rows"]]


async def _value(sessions: Any, start: date, end: date) -> int:
    """Value example 1's reviews of review dates in [start, end]; how many items are valued."""
    async with sessions() as session, session.begin():
        await ensure_values(session, start, end)
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AckItemValues)) or 0)


async def _half_built(session: Any) -> None:
    """Beside each example's last review, one still being built (``building``), with copies of
    that review's items: every read leaves it out (store.review_visibility), the pack's Core
    reads as the oracle's ORM reads (the comparison fails if one side counts it)."""
    for example in EXAMPLES:
        last = (
            await session.scalars(
                select(Review).where(Review.example == example).order_by(Review.period.desc())
            )
        ).first()
        half = f"{last.review_id}-half"
        session.add(
            Review(review_id=half, example=example, period=f"{last.period}-half",
                   as_of=last.as_of + timedelta(hours=1), generated_at=last.as_of,
                   status="building", summary={"building": "token"})
        )  # fmt: skip
        for i in await session.scalars(
            select(ReviewItem).where(ReviewItem.review_id == last.review_id)
        ):
            session.add(
                ReviewItem(review_id=half, reference=i.reference, classification=i.classification,
                           reasons=i.reasons, fields=i.fields, case_id=None,
                           employee_id=i.employee_id)
            )  # fmt: skip


def _figures(sections: list[Any]) -> list[Any]:
    return [b["items"] for s in sections for b in s["blocks"] if b["type"] == "figures"]


async def test_the_seeded_set_gives_the_same_sections(sessions):
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
        # each case's documents opened (one before any step, one after): the sample shows them
        for case_id in await session.scalars(select(Case.case_id)):
            for document, day in (("case-chronology", 1), ("final-action-evidence", 29)):
                at = datetime(2026, 11, day, 9, tzinfo=UTC)
                session.add(
                    DocumentOpening(case_id=case_id, document=document, actor="E-1", opened_at=at)
                )
        await _half_built(session)
    nov, dec = date(2026, 11, 1), date(2026, 11, 30)
    valued = []
    for last in (None, date(2026, 11, 20), dec):  # none valued, part, all
        valued.append(await _value(sessions, nov, last) if last else 0)
        async with sessions() as session:
            empty = (date(2025, 1, 1), date(2025, 2, 1), None)
            for start, end, line in [(nov, dec, None), (nov, dec, "HC-NORTH"),
                                     (nov, dec, "HC-SOUTH"), (date(2026, 11, 21), dec, None),
                                     empty]:  # fmt: skip
                ours, want = await _both(session, start, end, line, EVIDENCE_NOW)
                assert ours == want, (start, end, line, valued)
    assert 0 < valued[1] < valued[2], valued  # the three passes read documents, both, values
    async with sessions() as session:
        ours, _ = await _both(session, nov, dec, None, EVIDENCE_NOW)
    # the comparison means something: the seeded set has items, steps, breaches and pathways
    counted = [v for items in _figures(ours) for _, v in items if isinstance(v, int)]
    assert sum(counted) > 20, counted
    assert _chronology_rows(ours), ours[-2]  # the chronologies compared show entries
    assert any("opened: Case chronology" in r[3] for r in _chronology_rows(ours)), ours[-2]


async def test_the_demo_gives_the_same_sections(database_url, sessions):
    await load_demo(database_url)
    async with sessions() as session, session.begin():
        await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        await seed_cases(session, CALENDAR, AS_OF.date())
        await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, oldest_month(AS_OF.date()))
    now = AS_OF + timedelta(hours=3)
    valued, worded = [], []
    sampled = {True: 0, False: 0}  # chronologies complete, and the fallback's
    for last in (None, date(2026, 11, 24), date(2026, 11, 29)):  # none valued, part, all
        valued.append(await _value(sessions, date(2026, 1, 1), last) if last else 0)
        async with sessions() as session:
            for start, end, line in [(date(2026, 8, 1), date(2026, 11, 29), None),
                                     (date(2026, 10, 1), date(2026, 11, 29), "HC-NORTH"),
                                     (date(2026, 11, 16), date(2026, 11, 29), None)]:  # fmt: skip
                ours, want = await _both(session, start, end, line, now)
                assert ours == want, (start, end, line, valued)
                if line is None:
                    counted = [v for i in _figures(ours) for _, v in i if isinstance(v, int)]
                    assert sum(counted) > 20, counted
                    reports = ours[-1]["blocks"][0]["series"][0]["values"]
                    assert sum(reports) > 0, reports  # the trends compared are not empty
                    worded += _in_words(ours)
                    for complete, n in _complete(ours).items():
                        sampled[complete] += n
    assert 0 < valued[1] < valued[2], valued
    # the rows checked in words include register entries and a pack's publication
    assert any(", entry " in r[3] for r in worded), worded
    assert any(r[1].startswith("Made visible in the ") for r in worded), worded
    assert sampled[True] > 0, sampled  # the demo's ranges have closed cases to sample
