"""Example 1's review built on several connections at once (``store.review_build``), on
PostgreSQL: the partitions split the reports and store exactly the one-statement items; a
partition that fails leaves nothing any reader sees, and the next attempt builds the review
once; a superseded attempt's partition adds nothing after a later claim; a reader polling while
a review is built sees it whole or not at all."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from store.acknowledgment import load_review, review_build
from store.ops_metrics import building_reviews
from store.review_build import BuildInterrupted, _insert_parts, build_review, hold_claim
from store.review_pages import recent_reviews
from store.review_visibility import SEE_BUILDING
from store.tables import Review, ReviewItem
from tests.review_build_support import item_texts, nothing
from tests.review_support import AS_OF, POLICY, generate, put_reports, report

pytestmark = pytest.mark.postgres

# Reports across every outcome: prompt, late to acknowledge or triage, unowned, unsafe.
REPORTS = [
    report(
        f"NM-B-{n:03d}",
        AS_OF - timedelta(hours=3 * n + 1),
        **({"first_acknowledged_at": None} if n % 5 == 1 else {}),
        **({"triage_owner_id": None} if n % 7 == 2 else {}),
        **({"unsafe_condition_active": True} if n % 3 == 0 else {}),
    )
    for n in range(60)
]


async def _seed(sessions: Any) -> None:
    async with sessions() as s, s.begin():
        await put_reports(s, REPORTS[:50])
        await put_reports(s, REPORTS[50:], workforce_reporting_log=True)  # exceptions


def _build(review_id: str) -> Any:
    return review_build(review_id, AS_OF.date(), AS_OF, POLICY)


async def _stored_items(sessions: Any, review_id: str) -> int:
    """Items in the table, whether their review is visible or not."""
    async with sessions() as s:
        count = await s.scalar(
            select(func.count()).select_from(ReviewItem).where(ReviewItem.review_id == review_id)
        )
    return int(count or 0)


async def _a_second_partition_reference(sessions: Any) -> str:
    """Seed the feeds, build review "one" whole, and return a reference its second partition
    inserts (by the build's ``hashtext`` split)."""
    await _seed(sessions)
    await generate(sessions, "one")
    async with sessions() as s:
        second = await s.scalar(
            text(
                "SELECT min(reference) FROM review_items "
                "WHERE review_id = 'one' AND abs(mod(hashtext(reference), 2)) = 1"
            )
        )
    assert isinstance(second, str)
    return second


async def _fail_on(sessions: Any, review_id: str, reference: str, delay: float) -> None:
    """A trigger (this test schema's): inserting REFERENCE's item of REVIEW_ID fails after DELAY
    seconds (the other partitions have committed by then)."""
    async with sessions() as s, s.begin():
        await s.execute(
            text(
                "CREATE FUNCTION fail_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.review_id = '{review_id}' AND NEW.reference = '{reference}' THEN "
                f"PERFORM pg_sleep({delay}); RAISE EXCEPTION 'injected failure'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await s.execute(
            text(
                "CREATE TRIGGER fail_item BEFORE INSERT ON review_items "
                "FOR EACH ROW EXECUTE FUNCTION fail_item()"
            )
        )


async def test_partitions_split_the_reports_and_store_the_one_statement_items(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    await generate(sessions, "one")
    single = await item_texts(sessions, "one")
    assert {row[1] for row in single} == {None, "within_tolerance", "emerging", "critical"}
    for parts in (2, 3):
        review = await build_review(sessions, _build(f"parts-{parts}"), parts, nothing)
        assert await item_texts(sessions, f"parts-{parts}") == single
        assert review.status == "generated" and review.summary["total"] == len(single) == 60
        async with sessions() as s:
            sizes = (
                await s.execute(
                    text(
                        "SELECT abs(mod(hashtext(reference), :n)), count(*) FROM review_items "
                        "WHERE review_id = :r GROUP BY 1"
                    ),
                    {"n": parts, "r": f"parts-{parts}"},
                )
            ).all()
        assert len(sizes) == parts and all(n > 0 for _, n in sizes)  # every partition had work


async def test_a_failed_partition_leaves_nothing_visible_and_a_retry_builds_it_once(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    second = await _a_second_partition_reference(sessions)
    await _fail_on(sessions, "broken", second, 0.5)
    published: list[str] = []

    async def record(_session: Any, review: Review) -> None:
        published.append(review.review_id)

    with pytest.raises(Exception, match="injected failure"):
        await build_review(sessions, _build("broken"), 2, record)
    # The first partition's items are in the table, the review is not: no reader sees either.
    assert 0 < await _stored_items(sessions, "broken") < 60
    async with sessions() as s:
        assert await load_review(s, "broken") is None
        assert await s.get(Review, "broken") is None
        assert list(await s.scalars(select(Review.review_id))) == ["one"]
        assert [r.review_id for rs in (await recent_reviews(s)).values() for r in rs] == ["one"]
        joined = select(ReviewItem.reference).join(Review, Review.review_id == ReviewItem.review_id)
        assert not (await s.scalars(joined.where(ReviewItem.review_id == "broken"))).all()
    assert published == []
    async with sessions() as s, s.begin():
        await s.execute(text("DROP TRIGGER fail_item ON review_items"))
    # The activity's retry: the partial items go, every partition runs again, published once.
    review = await build_review(sessions, _build("broken"), 2, record)
    assert await item_texts(sessions, "broken") == await item_texts(sessions, "one")
    assert review.status == "generated" and review.summary["total"] == 60
    assert published == ["broken"]
    again = await build_review(sessions, _build("broken"), 2, record)  # built: kept as it is
    assert again.summary == review.summary and published == ["broken", "broken"]
    assert await item_texts(sessions, "broken") == await item_texts(sessions, "one")


async def test_overlapping_attempts_leave_the_items_exactly_once(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    await generate(sessions, "one")
    outcomes = await asyncio.gather(
        *(build_review(sessions, _build("twice"), 2, nothing) for _ in range(2)),
        return_exceptions=True,
    )
    # Whichever published (or a retry, when both gave way to each other) holds each item once.
    if all(isinstance(o, BaseException) for o in outcomes):
        await build_review(sessions, _build("twice"), 2, nothing)
    assert await item_texts(sessions, "twice") == await item_texts(sessions, "one")
    async with sessions() as s:
        review = await s.get(Review, "twice")
    assert review is not None and review.summary["total"] == 60


async def _building_row(sessions: Any, review_id: str, token: str) -> None:
    """REVIEW_ID's row as an attempt's claim commits it: ``building`` with TOKEN."""
    async with sessions() as s, s.begin():
        s.add(
            Review(
                review_id=review_id,
                example="example1",
                period=AS_OF.date().isoformat(),
                as_of=AS_OF,
                generated_at=AS_OF,
                status="building",
                summary={"building": token},
            )
        )


async def _repeatable_read(session: Any) -> None:
    """Start SESSION's transaction as a partition's: REPEATABLE READ, its snapshot taken."""
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    await session.execute(text("SELECT 1"))


async def test_a_superseded_partition_stops_before_inserting(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    await _building_row(sessions, "late", "theirs")
    # The superseded attempt's partitions run: each stops before inserting anything.
    with pytest.raises(BuildInterrupted, match="another attempt"):
        await _insert_parts(sessions, _build("late"), 2, "mine")
    assert await _stored_items(sessions, "late") == 0
    # A later attempt's claim, committed before this partition's snapshot: another token.
    async with sessions() as s, s.begin():
        await _repeatable_read(s)
        with pytest.raises(BuildInterrupted, match="another attempt"):
            await hold_claim(s, "late", "mine")
    # Committed after the snapshot: the snapshot still shows "mine", the hold fails anyway.
    async with sessions() as s:
        await s.execute(text('UPDATE reviews SET summary = \'{"building": "mine"}\''))
        await s.commit()
    async with sessions() as s, s.begin():
        await _repeatable_read(s)
        async with sessions() as other, other.begin():
            await other.execute(text('UPDATE reviews SET summary = \'{"building": "next"}\''))
        with pytest.raises(BuildInterrupted, match="claimed again"):
            await hold_claim(s, "late", "mine")
    async with sessions() as s, s.begin():  # and the claim's own token holds
        await _repeatable_read(s)
        await hold_claim(s, "late", "next")


async def test_a_partition_stops_when_its_snapshot_holds_items_of_the_review(
    postgres_url: str, sessions_for: Any
) -> None:
    """The publish sums the partitions' own counts, so a partition refuses to add items to a
    review that already stores some (none are left there by a claim)."""
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    await _building_row(sessions, "stale", "mine")
    async with sessions() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO review_items (review_id, reference, reasons, fields) "
                "VALUES ('stale', 'NM-OLD', '[]', '{}')"
            )
        )
    with pytest.raises(BuildInterrupted, match="items stored before the build"):
        await _insert_parts(sessions, _build("stale"), 2, "mine")
    assert await _stored_items(sessions, "stale") == 1


async def test_a_later_claim_waits_for_a_held_partition_and_drops_its_items(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    await generate(sessions, "one")
    await _building_row(sessions, "held", "first")
    async with sessions() as s, s.begin():  # the first attempt's partition, still running
        await _repeatable_read(s)
        await hold_claim(s, "held", "first")
        later = asyncio.create_task(build_review(sessions, _build("held"), 2, nothing))
        await asyncio.sleep(0.5)
        assert not later.done()  # the later claim waits for the held row
        # A report only the first attempt's snapshot held (since reopened, say).
        await s.execute(
            text(
                "INSERT INTO review_items (review_id, reference, reasons, fields) "
                "VALUES ('held', 'NM-GONE', '[]', '{}')"
            )
        )
    review = await later
    assert review.status == "generated" and review.summary["total"] == 60
    assert await item_texts(sessions, "held") == await item_texts(sessions, "one")


async def test_a_reader_sees_a_review_whole_or_not_at_all(
    postgres_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    async with sessions() as s, s.begin():  # each item's insert takes 20 ms: a slow build
        await s.execute(
            text(
                "CREATE FUNCTION slow_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "PERFORM pg_sleep(0.02); RETURN NEW; END $$"
            )
        )
        await s.execute(
            text(
                "CREATE TRIGGER slow_item BEFORE INSERT ON review_items "
                "FOR EACH ROW EXECUTE FUNCTION slow_item()"
            )
        )
    building = asyncio.create_task(build_review(sessions, _build("slow"), 2, nothing))
    seen, half_built = [], 0
    while not building.done():
        async with sessions() as s:
            view = await load_review(s, "slow")
            seen.append(None if view is None else (view.total, len(view.items)))
        half_built += 0 < await _stored_items(sessions, "slow") < 60
        await asyncio.sleep(0.05)
    await building
    assert half_built > 0  # the reader polled while items were partly in
    assert set(seen) <= {None, (60, 60)}
    async with sessions() as s:
        view = await load_review(s, "slow")
    assert view is not None and view.total == 60 and view.status == "generated"


async def test_a_review_whose_every_attempt_fails_ages_from_its_first_claim(
    postgres_url: str, sessions_for: Any
) -> None:
    """Each attempt claims the row again (its ``generated_at`` is the latest attempt's start),
    but ``building_since`` keeps the first claim: ``/metrics``' age of the oldest building review
    grows across retries that time out, so ``NearmissReviewStuckBuilding`` fires for it."""
    sessions = sessions_for(postgres_url)
    second = await _a_second_partition_reference(sessions)
    await _fail_on(sessions, "stuck", second, 0.1)
    first = AS_OF + timedelta(minutes=30)
    for attempt in range(3):  # attempts two minutes apart, each failing
        build = review_build("stuck", AS_OF.date(), AS_OF, POLICY,
                             generated_at=first + timedelta(minutes=2 * attempt))  # fmt: skip
        with pytest.raises(Exception, match="injected failure"):
            await build_review(sessions, build, 2, nothing)
    async with sessions() as s:
        row = await s.get(Review, "stuck", execution_options=SEE_BUILDING)
        assert row is not None and row.status == "building"
        assert (row.building_since, row.generated_at) == (first, first + timedelta(minutes=4))
        assert await building_reviews(s, first + timedelta(minutes=16)) == (1, 16 * 60)
    async with sessions() as s, s.begin():
        await s.execute(text("DROP TRIGGER fail_item ON review_items"))
    built = review_build("stuck", AS_OF.date(), AS_OF, POLICY, generated_at=first)
    await build_review(sessions, built, 2, nothing)
    async with sessions() as s:
        assert await building_reviews(s, first + timedelta(minutes=17)) == (0, 0.0)


async def test_each_partition_plans_with_the_reviews_own_settings(
    postgres_url: str, sessions_for: Any
) -> None:
    """Example 1's statement runs with its planner settings (key look-ups, no JIT: the plan its
    100k review gets, kept at 1M) in every partition's transaction, and only there."""
    sessions = sessions_for(postgres_url)
    await _seed(sessions)
    names = ("jit", "enable_hashjoin", "enable_mergejoin", "enable_memoize", "work_mem")
    seen = ", ".join(f"current_setting('{name}') AS {name}" for name in names)
    async with sessions() as s, s.begin():
        await s.execute(text(f"CREATE TABLE seen AS SELECT {seen} LIMIT 0"))
        await s.execute(
            text(
                "CREATE FUNCTION see_settings() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO seen SELECT {seen}; RETURN NEW; END $$"
            )
        )
        await s.execute(
            text(
                "CREATE TRIGGER see_settings BEFORE INSERT ON review_items "
                "FOR EACH ROW EXECUTE FUNCTION see_settings()"
            )
        )
    await build_review(sessions, _build("planned"), 2, nothing)
    async with sessions() as s:
        rows = (await s.execute(text("SELECT * FROM seen"))).all()
        after = (await s.execute(text(f"SELECT {seen}"))).one()
    assert len(rows) == 60
    assert set(rows) == {("off", "off", "off", "off", "64MB")}
    assert after[:4] == ("on", "on", "on", "on")  # SET LOCAL: the partitions' transactions only
