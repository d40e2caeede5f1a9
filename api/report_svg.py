"""Inline SVG bar charts for report documents (no script, no external asset; prints as drawn)."""

from __future__ import annotations

import math
import re
from datetime import date
from html import escape
from typing import Any

PALETTE = ("#2f5d8a", "#d9822b", "#b00020", "#5b8c3a", "#7d5ba6", "#67717d")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 76


def nice_step(top: float) -> float:
    """A round axis step giving about five gridlines up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return float(max(factor * power, 1.0 if top >= 1 else factor * power))
    return float(10 * power)


def axis(values: list[float]) -> tuple[float, float]:
    """(step, maximum) of the value axis."""
    top = max([v for v in values if v is not None] + [0.0])
    step = nice_step(top)
    return step, step * max(1, math.ceil(top / step))


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
ROTATE_OVER = 12  # more categories than this: one rotated line each (dates, weeks)
MAX_LINES = 3


def label_lines(text: str, chars: int, max_lines: int = MAX_LINES) -> list[str]:
    """A category label wrapped at word boundaries into lines of at most ``chars`` characters
    (the slot under its bars), at most ``max_lines``; the last line ends in an ellipsis when the
    label does not fit. The SVG and the PDF charts lay their labels out with it."""
    chars = max(4, chars)
    lines: list[str] = []
    for word in str(text).split():
        while len(word) > chars:  # one word longer than the slot: cut it
            lines.append(word[: chars - 1] + "-")
            word = word[chars - 1 :]
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [last[: chars - 1].rstrip() + "…"]
    return lines or [""]


def nothing_to_chart(block: dict[str, Any]) -> str:
    """Why a chart is not drawn (no category, or every value 0), else the empty string; the
    page and the PDF say the same."""
    if not block["categories"]:
        return "Nothing to chart."
    if not any(float(v or 0) for s in block["series"] for v in s["values"]):
        return "Nothing to chart: every value is 0."
    return ""


def rotated(categories: list[str]) -> bool:
    """Whether the category labels are drawn on one rotated line each (many categories)."""
    return len(categories) > ROTATE_OVER


def _fmt(value: float) -> str:
    return f"{value:g}"


def _legend(series: list[dict[str, Any]]) -> str:
    if len(series) < 2:
        return ""
    parts, x = [], LEFT
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="15" font-size="11">{escape(str(s["name"]))}</text>'
        )
        x += 24 + 7 * len(str(s["name"]))
    return "".join(parts)


def category_words(category: Any) -> str:
    """A chart category as a reader reads it: a month (``2026-11``) in words (``November
    2026``); any other category as it is. The JSON keeps the ISO month."""
    text = str(category)
    if MONTH.fullmatch(text):
        return date.fromisoformat(f"{text}-01").strftime("%B %Y")
    return text


def svg_chart(chart: dict[str, Any]) -> str:
    """A grouped vertical bar chart: categories along the x axis, one bar per series."""
    categories = [category_words(c) for c in chart["categories"]]
    series: list[dict[str, Any]] = chart["series"]
    values = [float(v or 0) for s in series for v in s["values"]]
    step, top = axis(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))
    bar_w = max(2.0, min(28.0, (slot - 6) / max(1, len(series))))
    title = escape(str(chart["title"]))
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{title}</title>",
        _legend(series),
    ]
    tick = 0.0
    while tick <= top + 1e-9:
        y = TOP + plot_h - plot_h * tick / top
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{_fmt(tick)}</text>"
        )
        tick += step
    rotate = rotated(categories)
    per_line = int((slot - 4) / 6.4)  # about 6.4 px per character at 11 px
    for ci, category in enumerate(categories):
        x0 = LEFT + ci * slot + (slot - bar_w * len(series)) / 2
        for si, s in enumerate(series):
            value = float(s["values"][ci] or 0)
            h = plot_h * value / top
            x, y = x0 + si * bar_w, TOP + plot_h - h
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f"<title>{escape(str(category))} — {escape(str(s['name']))}: "
                f"{_fmt(value)}</title></rect>"
            )
        cx, cy = LEFT + ci * slot + slot / 2, TOP + plot_h + 14
        if rotate:
            label = escape(str(category)[:28])
            out.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="end" '
                f'transform="rotate(-35 {cx:.1f} {cy:.1f})">{label}</text>'
            )
            continue
        lines = label_lines(str(category), per_line)
        spans = "".join(
            f'<tspan x="{cx:.1f}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="middle">'
            f"<title>{escape(str(category))}</title>{spans}</text>"
        )
    base = TOP + plot_h
    out.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#1d2733"/>')
    out.append("</svg>")
    return "".join(out)
