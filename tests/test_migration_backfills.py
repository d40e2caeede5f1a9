"""Migrations that backfill what the product now records as it goes, on SQLite and PostgreSQL:
review sign-off deadlines (0011, and back down), made-visible events of published packs (0012),
and the case columns "my work" shows on open obligations (0015)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import upgrade
from tests.migration_support import downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture


async def test_review_sign_off_deadlines_are_backfilled(empty_url: str) -> None:
    """0011 stores each review's sign-off deadline: the rule's (09:30 for a daily review), or for
    one generated after that deadline (a back-run, the only reading left for past rows) close of
    business of its generation day."""
    await upgrade(empty_url, "0010")
    reviews = sa.table(
        "reviews",
        *(sa.column(n) for n in ("review_id", "example", "period", "status", "summary")),
        sa.column("as_of", sa.DateTime(timezone=True)),
        sa.column("generated_at", sa.DateTime(timezone=True)),
    )
    as_of = datetime(2026, 11, 26, 7, tzinfo=UTC)  # a Thursday, 07:00 in London (GMT)
    sqlite = empty_url.startswith("sqlite")

    def stored(at: datetime) -> datetime:
        return at.replace(tzinfo=None) if sqlite else at

    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(reviews),
                [
                    {"review_id": rid, "example": "acknowledgment", "period": "2026-11-26",
                     "status": "generated", "summary": "{}", "as_of": stored(as_of),
                     "generated_at": stored(as_of.replace(hour=hour))}
                    for rid, hour in (("ack-review-on-time", 7), ("ack-review-asked-later", 14))
                ],
            )  # fmt: skip
            # an item refers to its review (a rebuild of `reviews` would fail on SQLite)
            await connection.execute(sa.text(
                "INSERT INTO review_items (review_id, reference, classification, reasons, fields)"
                " VALUES ('ack-review-on-time', 'NM-1', 'emerging', '[]', '{}')"
            ))  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(sa.column("review_id"),
                          sa.column("sign_off_due_at", sa.DateTime(timezone=True)),
                          sa.column("back_run")).select_from(sa.table("reviews"))
            )  # fmt: skip
            found = {rid: (due.replace(tzinfo=None), bool(flag)) for rid, due, flag in rows}
    finally:
        await engine.dispose()
    assert found == {
        "ack-review-on-time": (datetime(2026, 11, 26, 9, 30), False),
        "ack-review-asked-later": (datetime(2026, 11, 26, 17), True),
    }
    await downgrade_to(empty_url, "0010")  # and back, the items kept
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            items = await connection.scalar(sa.text("SELECT count(*) FROM review_items"))
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in sa.inspect(c).get_columns("reviews")}
            )
    finally:
        await engine.dispose()
    assert items == 1 and not {"sign_off_due_at", "back_run"} & columns


async def test_published_packs_get_a_made_visible_event_on_each_listed_case(empty_url: str) -> None:
    """0012 writes, for a pack published before it, the event publishing now records."""
    await upgrade(empty_url, "0011")
    packs = sa.table(
        "packs",
        *(sa.column(n) for n in ("kind", "period", "status", "published_by")),
        sa.column("generated_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("case_ids", sa.JSON()),
        sa.column("content", sa.JSON()),
    )
    at = datetime(2026, 12, 11, 15, tzinfo=UTC)
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(packs),
                [
                    {"kind": "weekly-sustainability", "period": "2026-W50", "status": "published",
                     "published_by": "E0004", "generated_at": at, "published_at": at,
                     "case_ids": ["ack-case-A", "ack-case-B"], "content": {}},
                    {"kind": "weekly-sustainability", "period": "2026-W51", "status": "generated",
                     "published_by": None, "generated_at": at, "published_at": None,
                     "case_ids": ["ack-case-C"], "content": {}},
                ],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(sa.column("case_id"), sa.column("kind"), sa.column("actor"),
                          sa.column("detail", sa.JSON()))
                .select_from(sa.table("case_events")).order_by(sa.column("case_id"))
            )  # fmt: skip
            found = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    detail = {"pack": "weekly-sustainability", "period": "2026-W50",
              "title": "Weekly workforce sustainability review pack"}  # fmt: skip
    assert found == [
        ("ack-case-A", "made_visible", "E0004", detail),
        ("ack-case-B", "made_visible", "E0004", detail),
    ]


async def test_open_obligations_get_their_cases_shown_columns(empty_url: str) -> None:
    """0015 copies each open obligation's case columns that "my work" shows onto its row."""
    await upgrade(empty_url, "0014")
    at = datetime(2026, 11, 26, 7, tzinfo=UTC)
    stored = at.replace(tzinfo=None) if empty_url.startswith("sqlite") else at
    names = ("case_id", "example", "reference", "review_id", "employee_id", "service_line",
             "exposure", "stage", "status", "escalation_level", "opened_at", "updated_at",
             "detail")  # fmt: skip
    cases = sa.table("cases", *(sa.column(n) for n in names))
    owed = sa.table("case_open_obligations", *(sa.column(n) for n in ("case_id", "key", "role")))
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(cases),
                [
                    {"case_id": cid, "example": "acknowledgment", "reference": ref,
                     "review_id": "r-1", "employee_id": "E-1", "service_line": line,
                     "exposure": exposure, "stage": "triage-attribution", "status": "open",
                     "escalation_level": 0, "opened_at": stored, "updated_at": stored,
                     "detail": "{}"}
                    for cid, ref, line, exposure in (("c-1", "NM-1", "SL-1", "high"),
                                                     ("c-2", "NM-2", "SL-2", "low"))
                ],
            )  # fmt: skip
            await connection.execute(
                sa.insert(owed),
                [{"case_id": "c-1", "key": "step:a", "role": "x"},
                 {"case_id": "c-1", "key": "step:b", "role": "x"},
                 {"case_id": "c-2", "key": "step:a", "role": "y"}],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            columns = ("case_id", "key", "case_status", "example", "reference", "exposure",
                       "service_line")  # fmt: skip
            rows = await connection.execute(
                sa.select(*(sa.column(n) for n in columns))
                .select_from(sa.table("case_open_obligations"))
                .order_by(sa.column("case_id"), sa.column("key"))
            )
            found = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    assert found == [
        ("c-1", "step:a", "open", "acknowledgment", "NM-1", "high", "SL-1"),
        ("c-1", "step:b", "open", "acknowledgment", "NM-1", "high", "SL-1"),
        ("c-2", "step:a", "open", "acknowledgment", "NM-2", "low", "SL-2"),
    ]
