"""A report document as a PDF with the HTML page's sections and charts (reportlab, pure).

Text is set in DejaVu Sans, embedded from the TrueType files of Debian's ``fonts-dejavu-core``
(installed by ``make fonts``; ``NEARMISS_PDF_FONT_DIR`` points elsewhere), so text outside
Latin-1 (Polish, Greek, Cyrillic names…) prints as written. Without the files the PDF falls back
to Helvetica and says so in a warning log line.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart  # type: ignore[import-untyped]
from reportlab.graphics.charts.legends import Legend  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from api.report_cases import NO_REFS, CaseRefs
from api.report_svg import (
    PALETTE,
    axis,
    category_words,
    label_lines,
    nothing_to_chart,
    rotated,
)
from api.report_words import cell_words

log = logging.getLogger(__name__)
PAGE = landscape(A4)
MARGIN = 14 * mm
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN - 12  # the frame pads 6 pt a side
SHORT_SECTION = FRAME_HEIGHT / 3  # a section this high or less is never split across pages
FRAME_HEIGHT = PAGE[1] - 2 * MARGIN - 12  # the page less its margins and the frame's padding
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_RENDERING = threading.Lock()  # reportlab keeps module state: one PDF at a time
_fonts: tuple[str, str] | None = None


def fonts(font_dir: str) -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) once; Helvetica if the files are missing."""
    global _fonts
    if _fonts is None:
        paths = {name: Path(font_dir) / file for name, file in FILES.items()}
        if all(p.is_file() for p in paths.values()):
            for name, path in paths.items():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            _fonts = (FONT, BOLD)
        else:
            log.warning("no DejaVu fonts in %s: PDFs use Helvetica (Latin-1 only)", font_dir)
            _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


class Styles:
    def __init__(self, regular: str, bold: str) -> None:
        self.regular, self.bold = regular, bold
        self.title = ParagraphStyle("t", fontName=bold, fontSize=18, leading=22, spaceAfter=4)
        self.h2 = ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor("#12395b"),
        )
        self.h3 = ParagraphStyle("h3", fontName=bold, fontSize=10, leading=13, spaceBefore=6)
        self.body = ParagraphStyle("b", fontName=regular, fontSize=9, leading=12)
        self.cell = ParagraphStyle("c", fontName=regular, fontSize=7.5, leading=9.5)
        self.head = ParagraphStyle("h", fontName=bold, fontSize=7.5, leading=9.5)
        self.grey = colors.HexColor("#4a5563")


def _p(value: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of VALUE's text (a cell's lines, "\\n", kept as lines)."""
    return Paragraph(escape("—" if value is None else str(value)).replace("\n", "<br/>"), style)


def chart_drawing(block: dict[str, Any], width: float, st: Styles) -> Drawing:
    """The same grouped vertical bars as the HTML's SVG (same axis steps and colours)."""
    series = block["series"]
    height = 120  # 140 with no legend's room left the evidence pack's first page 40% empty
    drawing = Drawing(width, height + (30 if len(series) > 1 else 6))  # a legend's room above
    chart = VerticalBarChart()
    bars = max(1, len(block["categories"]) * len(series))
    chart.x, chart.y, chart.height = 36, 40, height - 40
    categories = [category_words(c) for c in block["categories"]]
    longest = max((len(c) for c in categories), default=0)
    wide = 90 * len(categories) if longest > 14 else 0  # long labels need room to wrap
    chart.width = min(width - 60, 620, max(180, 60 * bars, wide))  # few bars stay narrow
    chart.data = [[float(v or 0) for v in s["values"]] for s in series]
    chart.categoryAxis.labels.fontName = st.regular
    chart.categoryAxis.labels.fontSize = 7
    if rotated(categories):  # many categories: one rotated line each, as the SVG draws them
        chart.categoryAxis.categoryNames = [c[:28] for c in categories]
        chart.categoryAxis.labels.angle, chart.categoryAxis.labels.boxAnchor = 35, "ne"
    else:  # wrapped under their bars (about 3.9 pt per character at 7 pt)
        per_line = int((chart.width / max(1, len(categories)) - 4) / 3.9)
        chart.categoryAxis.categoryNames = ["\n".join(label_lines(c, per_line)) for c in categories]
        chart.categoryAxis.labels.leading = 8.4
    step, top = axis([v for row in chart.data for v in row])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = st.regular, 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:g}"
    for i in range(len(series)):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y, legend.fontName, legend.fontSize = 40, height + 22, st.regular, 7
        legend.alignment, legend.columnMaximum, legend.deltax = "right", 1, 110
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), str(s["name"]))
            for i, s in enumerate(series)
        ]
        drawing.add(legend)
    return drawing


def _shown(column: str, value: Any, refs: CaseRefs) -> tuple[Any, str | None]:
    """A cell's value as printed (a known case by its report reference, never its ID)."""
    reference = refs.reference(column, value)
    return (cell_words(column, value), None) if reference is None else (reference, None)


def _cell(shown: tuple[Any, str | None], st: Styles) -> Paragraph:
    value, case_id = shown
    if case_id is None:
        return _p(value, st.cell)
    small = f'<font size="6" color="{st.grey.hexval()}">{escape(case_id)}</font>'
    return Paragraph(f"{escape(str(value))}<br/>{small}", st.cell)


CELL_PADDING = 12  # a table cell's left and right padding (reportlab's default, 6 + 6)


def _word_width(value: str, st: Styles) -> float:
    """The widest word of a cell's text in the bold header font (the wider of the two), padded."""
    widest = max((pdfmetrics.stringWidth(w, st.bold, 7.5) for w in value.split()), default=0.0)
    return float(widest) + CELL_PADDING + 1


def column_widths(weights: list[float], least: list[float], width: float) -> list[float]:
    """WIDTH shared by WEIGHTS, no column below its LEAST (its longest word): a column its share
    would break is given its least, and the rest shared again among the others. When the least
    widths alone overflow, the shares as they are."""
    if sum(least) > width:
        return [width * w / sum(weights) for w in weights]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = width - sum(fixed.values())
        total = sum(weights[i] for i in free)
        short = [i for i in free if room * weights[i] / total < least[i]]
        if not short:
            return [fixed.get(i, room * weights[i] / total) for i in range(len(weights))]
        fixed.update({i: least[i] for i in short})


def _table(block: dict[str, Any], width: float, st: Styles, refs: CaseRefs) -> list[Flowable]:
    title = _p(block["title"], st.h3)
    if not block["rows"]:
        return [title, _p(block["empty"], st.body)]
    columns = block["columns"]
    shown = [
        [_shown(c, v, refs) for c, v in zip(columns, row, strict=False)] for row in block["rows"]
    ]
    header = [_p(c, st.head) for c in refs.columns(columns)]
    rows = [[_cell(cell, st) for cell in row] for row in shown]
    longest = [  # a case ID beneath its reference sets the width (on one line where it fits)
        max([len(str(c))] + [max(len(str(v)), len(small or "")) for v, small in col])
        for c, col in zip(refs.columns(columns), zip(*shown, strict=False), strict=False)
    ]
    weights = [min(max(n, 6), 60) ** 0.75 for n in longest]
    words = [  # no column narrower than its longest word ("Entries", "NM-10003" never broken)
        max(_word_width(str(v), st) for v in (c, *(v for v, _ in col)))
        for c, col in zip(refs.columns(columns), zip(*shown, strict=False), strict=False)
    ]
    widths = column_widths(weights, words, width)
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c5ccd4")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    if _height([title, table], width) <= SHORT_SECTION:
        return [KeepTogether([title, table])]
    # A long table splits across pages where it falls; a new page first only when its title,
    # header and first two rows would not fit (the title never alone at a page's foot).
    first = Table([header, *rows[:2]], colWidths=widths)
    return [CondPageBreak(_height([title, first], width)), title, table]


def block_flowables(
    block: dict[str, Any], width: float, st: Styles, refs: CaseRefs = NO_REFS
) -> list[Flowable]:
    kind = block["type"]
    if kind == "table":
        return _table(block, width, st, refs)
    if kind == "chart":
        title = _p(block["title"], st.h3)
        if nothing := nothing_to_chart(block):
            return [title, _p(nothing, st.body)]
        return [KeepTogether([title, chart_drawing(block, width, st)])]
    if kind == "figures":
        return [_p("   ·   ".join(f"{k}: {v}" for k, v in block["items"]), st.body)]
    return [_p(block["text"], st.body)]


def story(
    doc: dict[str, Any],
    status_lines: list[str],
    st: Styles,
    width: float,
    refs: CaseRefs = NO_REFS,
) -> list[Any]:
    out: list[Any] = [_p(doc.get("title", ""), st.title), _p(doc.get("subtitle", ""), st.body)]
    out += [_p(line, st.body) for line in status_lines]
    for section in doc.get("sections", []):
        flowables = [
            f for block in section["blocks"] for f in block_flowables(block, width, st, refs)
        ]
        heading = _p(section["title"], st.h2)
        if (
            len(flowables) > 1
            and isinstance(flowables[-2], KeepTogether)
            and isinstance(flowables[-1], Paragraph)
        ):
            # a section's closing line (its missed deadlines) stays with its last chart or table
            *flowables, last, line = flowables
            flowables.append(KeepTogether([*last._content, line]))
        # A short section moves whole to the next page rather than split; a longer one keeps
        # its heading with its introduction and first figure, chart or table. (A KeepTogether
        # never goes inside another: its wrap reports an endless height, which would push
        # every section to a page of its own.)
        whole = [heading, *_flat(flowables)]
        if _height(whole, width) <= SHORT_SECTION:
            out.append(KeepTogether(whole))
        else:
            out += [CondPageBreak(_lead_height([heading, *flowables], width)), heading]
            out += flowables
        out.append(Spacer(0, 2 * mm))
    return out


def _flat(flowables: list[Flowable]) -> list[Flowable]:
    """The flowables with each KeepTogether's content in its place (and no page breaks)."""
    flat = [f for k in flowables for f in (k._content if isinstance(k, KeepTogether) else [k])]
    return [f for f in flat if not isinstance(f, CondPageBreak)]


def _height(flowables: list[Flowable], width: float) -> float:
    """The height the (flat) flowables take on a page, their spaces included."""
    return float(
        sum(
            f.wrap(width, FRAME_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter()
            for f in flowables
        )
    )


def _lead_height(flowables: list[Flowable], width: float) -> float:
    """The height of a section's lead: its heading and short paragraphs up to and with its
    first chart (with its title) or the title and first rows of its first table."""
    total = 0.0
    for flowable in flowables:
        if isinstance(flowable, CondPageBreak):
            return total + float(flowable.height)
        if isinstance(flowable, KeepTogether):
            return total + _height(flowable._content, width)
        total += _height([flowable], width)
    return total


def render_pdf(
    doc: dict[str, Any], status_lines: list[str], font_dir: str, refs: CaseRefs = NO_REFS
) -> bytes:
    """The document as a landscape A4 PDF; identical input gives identical bytes. The cases
    its tables name are printed by report reference, the case ID small beneath (``refs``)."""
    with _RENDERING:
        st = Styles(*fonts(font_dir))
        out = io.BytesIO()
        template = SimpleDocTemplate(
            out,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=f"{doc.get('title', '')} {doc.get('period', '')}".strip(),
            author="nearmiss-governance",
            invariant=True,
        )
        # The frame pads 6 pt a side: flowables get the page width less margins and padding.
        template.build(story(doc, status_lines, st, PAGE[0] - 2 * MARGIN - 16, refs))
        return out.getvalue()
