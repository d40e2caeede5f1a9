"""A report document as one self-contained, styled, printable HTML page (inline CSS and SVG)."""

from __future__ import annotations

from html import escape
from typing import Any

from api.report_cases import NO_REFS, CaseRefs
from api.report_svg import nothing_to_chart, svg_chart
from api.report_words import cell_words

STYLE = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1d2733; margin: 0;
  background: #f5f7fa; line-height: 1.4; }
header { background: #12395b; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid #e3e8ee; font-size: 13px; }
nav a { margin-right: 14px; color: #12395b; }
main { padding: 16px 32px; max-width: 1200px; }
section { background: #fff; border-radius: 6px; padding: 12px 18px; margin-bottom: 16px;
  box-shadow: 0 1px 2px #0002; break-inside: avoid; }
h2 { font-size: 17px; margin: 4px 0 10px; color: #12395b; }
h3 { font-size: 14px; margin: 12px 0 6px; }
dl.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0; }
dl.figures div { border: 1px solid #e3e8ee; border-radius: 4px; padding: 6px 12px;
  min-width: 150px; }
dl.figures dt { font-size: 12px; color: #4a5563; }
dl.figures dd { margin: 0; font-size: 18px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 8px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e3e8ee;
  vertical-align: top; }
th { background: #eef2f6; }
td, p { overflow-wrap: anywhere; }  /* hashes, keys and signatures wrap, never widen the page */
.scroll { overflow-x: auto; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 6px 0 10px; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 2px; }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; }
p.empty { color: #4a5563; font-style: italic; }
small.case-id { display: block; color: #4a5563; font-size: 11px; }
@media print {
  body { background: #fff; }
  header { background: #fff; color: #000; border-bottom: 2px solid #12395b; padding: 0 0 8px; }
  nav { display: none; }
  main { padding: 0; max-width: none; }
  section { box-shadow: none; border: 1px solid #ccc; }
  @page { size: A4 landscape; margin: 14mm; }
}
"""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numeric_columns(rows: list[list[Any]], width: int) -> list[bool]:
    """Which of ``width`` columns hold only numbers (blanks aside): right-aligned, heading and
    cells alike, so each figure sits under its own heading (a mixed column stays left)."""
    flags = []
    for i in range(width):
        values = [row[i] for row in rows if i < len(row) and row[i] is not None]
        flags.append(bool(values) and all(_is_number(v) for v in values))
    return flags


def _heading(column: str, numeric: bool) -> str:
    css = ' class="num"' if numeric else ""
    return f'<th scope="col"{css}>{escape(column)}</th>'


def _cell(value: Any, numeric: bool) -> str:
    css = ' class="num"' if numeric else ""
    shown = f"{value:g}" if _is_number(value) else "—" if value is None else str(value)
    return f"<td{css}>{escape(shown).replace(chr(10), '<br>')}</td>"  # a cell's lines kept


def _case_cell(case_id: str, reference: str, refs: CaseRefs) -> str:
    """A case by its report reference (a link to its page when the reader may open it; the
    case ID only in the link)."""
    shown = escape(reference)
    if refs.linked:
        shown = f'<a href="/app/cases/{escape(case_id)}">{shown}</a>'
    return f"<td>{shown}</td>"


def _row(columns: list[str], row: list[Any], refs: CaseRefs, numeric: list[bool]) -> str:
    cells = (
        _cell(cell_words(c, v), n)
        if (ref := refs.reference(c, v)) is None
        else _case_cell(str(v), ref, refs)
        for c, v, n in zip(columns, row, numeric, strict=False)
    )
    return "<tr>" + "".join(cells) + "</tr>"


def _table(block: dict[str, Any], refs: CaseRefs = NO_REFS) -> str:
    title = f"<h3>{escape(block['title'])}</h3>"
    if not block["rows"]:
        return f'{title}<p class="empty">{escape(block["empty"])}</p>'
    numeric = numeric_columns(block["rows"], len(block["columns"]))
    head = "".join(
        _heading(c, n) for c, n in zip(refs.columns(block["columns"]), numeric, strict=True)
    )
    rows = "".join(_row(block["columns"], row, refs, numeric) for row in block["rows"])
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f'{title}<div class="scroll">{table}</div>'  # a wide table scrolls, not the page


def _chart(block: dict[str, Any]) -> str:
    caption = f"<figcaption>{escape(block['title'])}</figcaption>"
    if nothing := nothing_to_chart(block):
        return f'<figure>{caption}<p class="empty">{nothing}</p></figure>'
    return f"<figure>{caption}{svg_chart(block)}</figure>"


def _figures(block: dict[str, Any]) -> str:
    items = "".join(
        f"<div><dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd></div>" for k, v in block["items"]
    )
    return f'<dl class="figures">{items}</dl>'


def block_html(block: dict[str, Any], refs: CaseRefs = NO_REFS) -> str:
    """One block of a section (``refs``: the cases its tables name, by report reference)."""
    kind = block["type"]
    if kind == "table":
        return _table(block, refs)
    if kind == "chart":
        return _chart(block)
    if kind == "figures":
        return _figures(block)
    return f"<p>{escape(block['text'])}</p>"


def render_html(doc: dict[str, Any], status_lines: list[str], refs: CaseRefs = NO_REFS) -> str:
    """The whole page: header (title, subtitle, status lines), contents, sections; the cases
    its tables name by their report references (``refs``)."""
    sections = doc.get("sections", [])
    nav = "".join(f'<a href="#{escape(s["id"])}">{escape(s["title"])}</a>' for s in sections)
    body = "".join(
        f'<section id="{escape(s["id"])}" aria-labelledby="{escape(s["id"])}-h">'
        f'<h2 id="{escape(s["id"])}-h">{escape(s["title"])}</h2>'
        + "".join(block_html(b, refs) for b in s["blocks"])
        + "</section>"
        for s in sections
    )
    lines = "".join(f"<p>{escape(line)}</p>" for line in status_lines)
    title = escape(str(doc.get("title", "")))
    subtitle = escape(str(doc.get("subtitle", "")))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} — {subtitle}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{title}</h1><p>{subtitle}</p>{lines}</header>"
        f'<nav aria-label="Sections">{nav}</nav><main>{body}</main></body></html>'
    )
