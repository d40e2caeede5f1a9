"""A report document (packs, the evidence pack) as plain JSON: sections of figures, charts and
tables, rendered the same way to HTML and PDF. Also the human formatting both renderings use:
local time to the minute, plurals, labels for codes (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.instants import instant
from domain.pathway_actions import action_title
from domain.roles import ROLE_NAMES
from domain.titles import day_words as day_words  # re-exported: pages and packs date with it
from domain.titles import lower_first

Doc = dict[str, Any]
Cell = str | int | float | None

LABELS = {
    "within_tolerance": "within tolerance",
    "emerging": "emerging exposure",
    "critical": "critical exposure",
    "visible_learning_closure": "visible learning closure",
    "credible": "credible closure",
    "doubtful": "doubtful closure credibility",
    "failed": "failed closure credibility",
    "triage-attribution": "triage-failure attribution",
    "retention-impact": "retention impact analysis",
    "recovery-pathway": "acknowledgment-recovery pathway",
    "learning-attribution": "learning-failure attribution",
    "stabilization-pathway": "learning-stabilization pathway",
    "stabilization-validation": "stabilization validation",
    "credibility-adjudication": "closure-credibility adjudication",
    "repair-pathway": "closure-repair pathway",
    "repair-validation": "repair validation",
    "pathway-acceptance": "owner acceptance",
    "awaiting-visibility": "awaiting pack visibility",
    "review": "review marked reviewed",
}


def label(code: Any) -> str:
    """A human label for a code (``pathway-acceptance`` → ``owner acceptance``)."""
    text = str(code) if code not in (None, "") else "none"
    if text in ROLE_NAMES:  # a role by its title (the board pack's "by reviewer")
        return ROLE_NAMES[text]  # type: ignore[index]
    if text.startswith("action:"):
        title = action_title(text[7:])  # its title, not its slug
        return f"pathway action {lower_first(title)}"
    return LABELS.get(text, text.replace("_", " "))


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 case``, ``2 cases``, ``0 cases`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


# strftime's %a and %b in the C locale (the service never sets LC_TIME): named here, a pack
# formats hundreds of instants and three strftime calls each cost five times the rest.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_minute(value: datetime | str | None, zone: str) -> str:
    """An instant in the provider's zone to the minute as the pages show it, with the year
    ("Mon 7 Dec 2026, 17:00"; api.web.render.local_time), or an em dash."""
    moment = instant(value)
    if moment is None:
        return "—"
    t = moment.astimezone(ZoneInfo(zone))
    return (
        f"{_DAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]} {t.year:04d}, "
        f"{t.hour:02d}:{t.minute:02d}"
    )


def minute_words(zone: str) -> Callable[[datetime], str]:
    """``local_minute`` of aware instants in ``zone``, each distinct instant formatted once: a
    pack's tables name the same deadlines and "now" many times over (hundreds of cells)."""
    tz = ZoneInfo(zone)
    seen: dict[datetime, str] = {}

    def words(moment: datetime) -> str:
        text = seen.get(moment)
        if text is None:
            t = moment.astimezone(tz)  # an aware instant: the same wall time as via UTC
            seen[moment] = text = (
                f"{_DAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]} {t.year:04d}, "
                f"{t.hour:02d}:{t.minute:02d}"
            )
        return text

    return words


def hours(value: float | None) -> str:
    """``12.5 h`` (one decimal), or an em dash."""
    return "—" if value is None else f"{value:.1f} h"


def percent(numerator: int, denominator: int) -> str:
    """``3 of 4 (75%)``; ``0 of 0`` when there is nothing to count."""
    if not denominator:
        return "0 of 0"
    return f"{numerator} of {denominator} ({round(100 * numerator / denominator)}%)"


def table(title: str, columns: list[str], rows: list[list[Cell]], empty: str = "") -> Doc:
    return {
        "type": "table",
        "title": title,
        "columns": columns,
        "rows": rows,
        "empty": empty or f"No {title.lower()}.",
    }


def chart(title: str, categories: list[str], series: dict[str, list[float]], unit: str = "") -> Doc:
    """A bar chart: one bar per category per series (a time axis when categories are periods)."""
    return {
        "type": "chart",
        "title": title,
        "categories": categories,
        "series": [{"name": name, "values": values} for name, values in series.items()],
        "unit": unit,
    }


def bars(title: str, counts: dict[str, int], unit: str = "") -> Doc:
    """A single-series bar chart of counts (categories in the given order, labelled)."""
    return chart(
        title, [label(k) for k in counts], {"count": [float(v) for v in counts.values()]}, unit
    )


def figures(pairs: Sequence[tuple[str, Cell]]) -> Doc:
    return {"type": "figures", "items": [[name, value] for name, value in pairs]}


def text(body: str) -> Doc:
    return {"type": "text", "text": body}


def section(title: str, *blocks: Doc, anchor: str = "") -> Doc:
    slug = anchor or "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return {"title": title, "id": slug, "blocks": list(blocks)}


def document(title: str, subtitle: str, sections: list[Doc], **extra: Any) -> Doc:
    return {"title": title, "subtitle": subtitle, "sections": sections, **extra}
