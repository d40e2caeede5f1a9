"""Pack content per kind, for its period: the weekly sustainability pack (example 1), the
fortnightly governance summary (example 2) and the monthly board pack (example 3)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.credibility import previous_month
from domain.learning import INDICATORS
from domain.pack_periods import MONTHS, PackPeriod
from domain.packs import PackSpec
from domain.report import (
    Cell,
    Doc,
    bars,
    document,
    figures,
    label,
    local_minute,
    percent,
    section,
    table,
    text,
)
from store.pack_common import (
    Record,
    Window,
    items_of,
    names_of,
    review_statuses,
    reviewers,
    reviews,
)
from store.pack_outcomes import (
    credibility_reads,
    credibility_sections,
    learning_reads,
    learning_sections,
)
from store.pack_tail import case_rows, common_tail, tail_reads
from store.pack_weekly import weekly
from store.register_heads import signed_heads_section


def _indicators(items: list[tuple[str, Record]]) -> Doc:
    classes = ("visible_learning_closure", "emerging", "critical")
    counts = Counter(i.classification for _, i in items)
    by: dict[str, Counter[str | None]] = {name: Counter() for name in INDICATORS}
    for _, item in items:
        for name in item.fields.get("indicators") or []:
            by[name][item.classification] += 1
    rows: list[list[Cell]] = [
        [label(n), by[n]["emerging"], by[n]["critical"], sum(by[n].values())] for n in INDICATORS
    ]
    return section(
        "Audit counts by indicator",
        figures([(label(c), counts[c]) for c in classes] + [("exceptions", counts[None])]),
        bars("Reports showing each indicator", {n: sum(by[n].values()) for n in INDICATORS}),
        table("Indicators", ["Indicator", "Emerging", "Critical", "Reports"], rows),
        anchor="indicators",
    )


async def fortnightly(
    session: AsyncSession,
    spec: PackSpec,
    period: PackPeriod,
    win: Window,
    listed: list[Record],
    now: datetime,
) -> list[Doc]:
    found = await reviews(session, names.EXAMPLE_LEARNING, [period.label])
    items = await items_of(session, found)
    read = await learning_reads(session, win, listed, items)
    tail = await tail_reads(session, spec, win)
    who = await names_of(session, reviewers(found) | read.paths.staff | tail.staff)
    statuses = review_statuses(found, who, win.zone)
    status = "; ".join(f"The cycle's audit was {statuses[r.review_id]}." for r in found)
    summary = section(
        "Summary",
        text(status or "The audit of this cycle has not run yet."),
        figures(
            [("Closed reports audited", len(items)), ("Cases awaiting visibility", len(listed))]
        ),
    )
    return [
        summary,
        _indicators(items),
        *learning_sections(read, who, win, items),
        *common_tail(tail, who, win, now),
    ]


async def monthly(
    session: AsyncSession,
    spec: PackSpec,
    period: PackPeriod,
    win: Window,
    listed: list[Record],
    now: datetime,
) -> list[Doc]:
    reviewed = previous_month(period.first)
    found = await reviews(session, names.EXAMPLE_CREDIBILITY, [reviewed])
    items = [i for _, i in await items_of(session, found)]
    read = await credibility_reads(session, win, listed)
    tail = await tail_reads(session, spec, win)
    who = await names_of(session, reviewers(found) | read.paths.staff | tail.staff)
    statuses = review_statuses(found, who, win.zone)
    status = " ".join(f"The closure review was {statuses[r.review_id]}." for r in found)
    confirmed = sum(i.fields.get("confirmed") is True for i in items if i.classification)
    reopened = sum(bool(i.fields.get("reopened_within_30_days")) for i in items if i.classification)
    classified = sum(1 for i in items if i.classification)
    summary = section(
        "Summary",
        text(f"Closures of {month_words(reviewed)}. " + (status or "The review has not run yet.")),
        figures(
            [
                ("Closures reviewed", len(items)),
                ("Employee-confirmed", percent(confirmed, classified)),
                ("Reopened within 30 days", percent(reopened, classified)),
                ("Failed cases awaiting board visibility", len(listed)),
            ]
        ),
    )
    return [
        summary,
        *credibility_sections(read, who, win, items),
        *common_tail(tail, who, win, now),
    ]


def running_note(kind: str, now: datetime, zone: str) -> str:
    """What a pack of a period not yet over shows, and until when it changes."""
    what = {names.PACK_WEEKLY: "week", names.PACK_FORTNIGHTLY: "cycle"}.get(kind, "month")
    return (
        f"The {what} is not over: this pack shows it as at {local_minute(now, zone)} and is "
        "read again, with the reviews and cases so far, each time it is opened until it is "
        "published."
    )


def month_words(period: str) -> str:
    """``2026-09`` → ``September 2026``."""
    return f"{MONTHS[int(period[5:7]) - 1]} {period[:4]}"


def _subtitle(spec: PackSpec, period: PackPeriod) -> str:
    """The pack's period in words; a board pack says which closures it reads too ("November
    2026 — closures of October 2026, reviewed in November"), as its summary does."""
    if spec.kind != names.PACK_MONTHLY:
        return period.human
    closures = month_words(previous_month(period.first))
    return f"{period.human} — closures of {closures}, reviewed in {period.human.split()[0]}"


async def build(
    session: AsyncSession,
    spec: PackSpec,
    period: PackPeriod,
    win: Window,
    listed: list[Record],
    now: datetime,
) -> dict[str, Any]:
    """The pack's document: its sections for the period, every register's signed head as at
    ``now``, the listed cases and the heads (the two CSVs)."""
    if spec.kind == names.PACK_WEEKLY:
        sections = await weekly(session, spec, win, listed, now)
    elif spec.kind == names.PACK_FORTNIGHTLY:
        sections = await fortnightly(session, spec, period, win, listed, now)
    else:
        sections = await monthly(session, spec, period, win, listed, now)
    if now < win.after:  # the period is still running: say so, and as of when
        sections[0]["blocks"].insert(0, text(running_note(spec.kind, now, win.zone)))
    heads, head_rows = await signed_heads_section(session, local_minute(now, win.zone))
    return document(
        spec.title,
        _subtitle(spec, period),
        [*sections, heads],
        kind=spec.kind,
        period=period.label,
        first_day=period.first.isoformat(),
        last_day=period.last.isoformat(),
        cases=case_rows(listed, win.zone),
        signed_heads=head_rows,
    )
