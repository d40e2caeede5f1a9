"""A governance pack as a PDF: the HTML pack's content plus bar charts drawn from the pack's data.

Pure rendering (no I/O): ``render_pdf`` turns a stored pack into bytes with reportlab's built-in
Helvetica (no font files, nothing downloaded); characters outside Latin-1 print as a box.
"""

from __future__ import annotations

import io
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import (  # type: ignore[import-untyped]
    HorizontalBarChart,
)
from reportlab.graphics.shapes import Drawing, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import (  # type: ignore[import-untyped]
    ParagraphStyle,
    getSampleStyleSheet,
)
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from store.tables import Pack

PAGE = landscape(A4)
MARGIN = 15 * mm
BAR_HEIGHT = 14  # points per category: a chart grows with its categories
MAX_BARS = 15  # more categories than this are summed into one "others" bar
MAX_LABEL = 28
BAR_COLOUR = colors.HexColor("#2f5d8a")
STYLES = getSampleStyleSheet()
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
# Relative column widths of the case table; unlisted columns weigh 1.
WEIGHTS = {"case_id": 1.6, "reference": 1.2, "opened_at": 1.5, "breaches": 0.6}


def publication(pack: Pack) -> str:
    """'published by X at T UTC', or 'not published yet' (the HTML pack says the same)."""
    if pack.published_at is None:
        return "not published yet"
    return f"published by {pack.published_by} at {pack.published_at:%Y-%m-%d %H:%M} UTC"


def _para(text: str, style: str | ParagraphStyle = "BodyText") -> Paragraph:
    # Paragraph parses markup: data is escaped so "<" or "&" in a field cannot break the page.
    return Paragraph(escape(text), STYLES[style] if isinstance(style, str) else style)


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _top(counts: Counter[str]) -> list[tuple[str, int]]:
    """The categories by count (ties by name); beyond MAX_BARS the rest become one bar."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) <= MAX_BARS:
        return ranked
    rest = ranked[MAX_BARS - 1 :]
    return [*ranked[: MAX_BARS - 1], (f"others ({len(rest)})", sum(n for _, n in rest))]


def bar_chart(title: str, counts: Counter[str], width: float) -> Drawing:
    """A horizontal bar chart of ``counts`` (largest first) with its title and each bar's count."""
    bars = _top(counts)
    labels = [_label(name or "(none)") for name, _ in bars]
    label_width = max(stringWidth(text, "Helvetica", 8) for text in labels) + 8
    plot_height = BAR_HEIGHT * len(bars)
    drawing = Drawing(width, plot_height + 40)
    drawing.add(String(0, plot_height + 28, title, fontName="Helvetica-Bold", fontSize=10))
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 30, plot_height
    # Largest first, read top-down: the category axis draws its first entry at the bottom.
    chart.data = [[n for _, n in reversed(bars)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    step = max(1, math.ceil(max(n for _, n in bars) / 5))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = step * math.ceil(max(n for _, n in bars) / step)
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = BAR_COLOUR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _charts(cases: list[dict[str, Any]], by_stage: dict[str, int], width: float) -> list[Any]:
    """The listed cases by exposure and by service line, and all the example's cases by stage."""
    half = (width - 10 * mm) / 2
    listed: list[Any] = [_para("No cases are listed in this pack.")]
    if cases:
        exposure = Counter(str(c.get("exposure", "")) for c in cases)
        service = Counter(str(c.get("service_line", "")) for c in cases)
        pair = [
            bar_chart("Listed cases by exposure", exposure, half),
            bar_chart("Listed cases by service line", service, half),
        ]
        no_padding = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
        listed = [Table([pair], colWidths=[half + 10 * mm, half], style=no_padding, hAlign="LEFT")]
    stages: list[Any] = []
    if by_stage:
        stages = [Spacer(0, 4 * mm), bar_chart("All cases by stage", Counter(by_stage), half)]
    return [*listed, *stages]


def _case_table(cases: list[dict[str, Any]], columns: Sequence[str], width: float) -> Table:
    rows: Iterable[list[Any]] = (
        [_para(str(case.get(column, "")), CELL) for column in columns] for case in cases
    )
    header = [_para(column.replace("_", " "), HEAD) for column in columns]
    weights = [WEIGHTS.get(column, 1.0) for column in columns]
    widths = [width * weight / sum(weights) for weight in weights]
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
            ]
        )
    )
    return table


def _story(pack: Pack, columns: Sequence[str], width: float) -> list[Flowable]:
    content = pack.content
    cases: list[dict[str, Any]] = list(content.get("cases", []))
    by_stage: dict[str, int] = dict(content.get("totals_by_stage", {}))
    title = str(content.get("title", pack.kind))
    stage_lines = [f"{stage}: {count}" for stage, count in sorted(by_stage.items())]
    return [
        _para(f"{title} — {pack.period}", "Title"),
        _para(f"Period {pack.period}; {publication(pack)}."),
        _para(f"Generated at {pack.generated_at:%Y-%m-%d %H:%M} UTC; {len(cases)} cases listed."),
        _para("Charts", "Heading2"),
        *_charts(cases, by_stage, width),
        _para("Cases by stage", "Heading2"),
        *[_para(line) for line in stage_lines or ["no cases"]],
        _para("Cases listed", "Heading2"),
        _case_table(cases, columns, width) if cases else _para("none"),
    ]


# reportlab keeps module-level font and configuration state and does not document thread
# safety; the API renders in worker threads, so one PDF is built at a time.
_RENDERING = threading.Lock()


def render_pdf(pack: Pack, columns: Sequence[str]) -> bytes:
    """The pack as a landscape A4 PDF; ``columns`` are the case fields of the table (as in CSV)."""
    with _RENDERING:
        return _render(pack, columns)


def _render(pack: Pack, columns: Sequence[str]) -> bytes:
    out = io.BytesIO()
    title = str(pack.content.get("title", pack.kind))
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{title} {pack.period}",
        author="nearmiss-governance",
        invariant=True,  # no creation timestamp or random ID: the same pack gives the same bytes
    )
    document.build(_story(pack, columns, PAGE[0] - 2 * MARGIN))
    return out.getvalue()
