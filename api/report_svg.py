"""Inline SVG bar charts for report documents (no script, no external asset; prints as drawn)."""

from __future__ import annotations

import math
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


def svg_chart(chart: dict[str, Any]) -> str:
    """A grouped vertical bar chart: categories along the x axis, one bar per series."""
    categories: list[str] = chart["categories"]
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
    rotate = len(categories) > 8 or max((len(c) for c in categories), default=0) > 12
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
        label = escape(str(category)[:28])
        turn = f' transform="rotate(-35 {cx:.1f} {cy:.1f})"' if rotate else ""
        anchor = "end" if rotate else "middle"
        out.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="{anchor}"{turn}>'
            f"{label}</text>"
        )
    base = TOP + plot_h
    out.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#1d2733"/>')
    out.append("</svg>")
    return "".join(out)
