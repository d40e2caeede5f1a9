"""The weekly workforce sustainability review pack (example 1): the week's daily reviews,
threshold breaches by service line, exceptions and the cases awaiting visibility."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.packs import PackSpec
from domain.report import (
    Cell,
    Doc,
    bars,
    chart,
    day_words,
    figures,
    label,
    plural,
    section,
    table,
    text,
)
from store.pack_common import (
    Record,
    Window,
    items_of,
    names_of,
    opened_count,
    review_statuses,
    reviewers,
    reviews,
)
from store.pack_pathways import pathway_reads, pathway_table
from store.pack_tail import common_tail, tail_reads

ACK_CLASSES = ("within_tolerance", "emerging", "critical")
RANK = {None: 0, "within_tolerance": 1, "emerging": 2, "critical": 3}


def _daily(
    found: list[Record],
    items: list[tuple[str, Record]],
    statuses: dict[str, str],
    running: bool = False,
) -> Doc:
    per: dict[str, Counter[str | None]] = defaultdict(Counter)
    for period, item in items:
        per[period][item.classification] += 1
    days = [r.period for r in found]
    shown = [day_words(d) for d in days]  # provider-local review dates, as the pages write them
    series = {label(c): [float(per[d][c]) for d in days] for c in ACK_CLASSES}
    series["exceptions"] = [float(per[d][None]) for d in days]
    rows: list[list[Cell]] = [
        [
            day_words(r.period),
            statuses[r.review_id],
            sum(per[r.period].values()),
            *[per[r.period][c] for c in ACK_CLASSES],
            per[r.period][None],
        ]
        for r in found
    ]
    columns = [
        "Review date",
        "Status",
        "Reports",
        "Within tolerance",
        "Emerging",
        "Critical",
        "Exceptions",
    ]
    return section(
        f"Daily reviews ({plural(len(found), 'review')})",
        chart("Classifications by review date", shown, series, "reports"),
        table(
            "Reviews of the week",
            columns,
            rows,
            "No daily review has run in this week yet (each runs at 07:00 on a working day)."
            if running
            else "No daily review ran in this week.",
        ),
        anchor="daily-reviews",
    )


def _by_service_line(items: list[tuple[str, Record]]) -> Doc:
    """Distinct reports per service line at their highest classification in the week."""
    worst: dict[str, tuple[str, str | None]] = {}
    for _, item in items:
        line = str(item.fields.get("service_line") or "unknown")
        seen = worst.get(item.reference)
        if seen is None or RANK[item.classification] > RANK[seen[1]]:
            worst[item.reference] = (line, item.classification)
    lines = sorted({line for line, _ in worst.values()})
    count = Counter(worst.values())
    rows: list[list[Cell]] = [
        [
            line,
            *[count[(line, c)] for c in ACK_CLASSES],
            count[(line, None)],
            count[(line, "emerging")] + count[(line, "critical")],
        ]
        for line in lines
    ]
    breaches = {line: count[(line, "emerging")] + count[(line, "critical")] for line in lines}
    return section(
        "Threshold breaches by service line",
        text("Each report counts once, at its highest classification in the week."),
        bars("Reports over an acknowledgment or triage threshold", breaches),
        table(
            "By service line",
            [
                "Service line",
                "Within tolerance",
                "Emerging",
                "Critical",
                "Exceptions",
                "Threshold breaches",
            ],
            rows,
            "No threshold breaches by service line.",
        ),
    )


def _exceptions(items: list[tuple[str, Record]]) -> Doc:
    latest: dict[str, tuple[str, list[str]]] = {}
    for period, item in items:
        if item.classification is None:
            latest[item.reference] = (period, list(item.reasons))
    rows: list[list[Cell]] = [
        [ref, day_words(day), "; ".join(why)] for ref, (day, why) in sorted(latest.items())
    ]
    return section(
        f"Exceptions ({plural(len(rows), 'report')} not reconciled)",
        table(
            "Exceptions", ["Reference", "Last review", "Reasons"], rows, "Every report reconciled."
        ),
        anchor="exceptions",
    )


async def weekly(
    session: AsyncSession, spec: PackSpec, win: Window, listed: list[Record], now: datetime
) -> list[Doc]:
    found = await reviews(session, names.EXAMPLE_ACKNOWLEDGMENT, None, win)
    items = await items_of(session, found)
    opened = await opened_count(session, spec.example, win)
    paths = await pathway_reads(session, listed)
    tail = await tail_reads(session, spec, win)
    who = await names_of(session, reviewers(found) | paths.staff | tail.staff)
    summary = section(
        "Summary",
        figures(
            [
                ("Daily reviews", len(found)),
                ("Report reviews", len(items)),
                ("Cases opened", opened),
                ("Cases awaiting visibility", len(listed)),
            ]
        ),
    )
    awaiting = section(
        "Cases awaiting visibility",
        text("Publishing this pack makes these cases visible; each becomes active recovery."),
        pathway_table(paths, who, win.zone, "Pathways awaiting visibility"),
    )
    return [
        summary,
        _daily(found, items, review_statuses(found, who, win.zone), now < win.after),
        _by_service_line(items),
        _exceptions(items),
        awaiting,
        *common_tail(tail, who, win, now),
    ]
