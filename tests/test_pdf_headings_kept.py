"""A PDF's headings stay with what follows them (the walk's weekly pack printed "Threshold
breaches by service line" at page 1's foot and its chart on page 2): a section's heading, its
introduction and its first chart share a page, and a short section is not split across two."""

from __future__ import annotations

from api.report_pdf import render_pdf
from domain.report import chart, document, figures, section, table, text
from tests.pdf_support import pdftotext

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
LINES = ["HC-NORTH", "HC-SOUTH", "DN-CITY", "SL-EAST"]


def _pages(doc: dict) -> list[str]:  # type: ignore[type-arg]
    return pdftotext(render_pdf(doc, [], FONT_DIR)).split("\f")


def _page_of(pages: list[str], words: str) -> int:
    return next(n for n, page in enumerate(pages) if words in page)


def _filler(rows: int) -> dict:  # type: ignore[type-arg]
    return table("Reviews of the week", ["Review", "Reports"], [[f"R{n}", n] for n in range(rows)])


def test_a_heading_keeps_its_introduction_and_chart() -> None:
    for rows in range(14, 30, 3):  # the heading lands lower on page 1 each time
        doc = document(
            "Weekly pack",
            "week 50",
            [
                section("Summary", _filler(rows)),
                section(
                    "Threshold breaches by service line",
                    text("Each report counts once, at its highest classification in the week."),
                    chart("Reports over a threshold", LINES, {"breaches": [2, 2, 5, 2]}),
                ),
            ],
        )
        pages = _pages(doc)
        heading = _page_of(pages, "Threshold breaches by service line")
        assert heading == _page_of(pages, "Reports over a threshold"), (rows, pages[heading])
        assert heading == _page_of(pages, "HC-SOUTH"), rows


def test_a_short_section_is_not_split() -> None:
    for rows in range(14, 30, 3):
        doc = document(
            "Evidence pack",
            "November",
            [
                section("Summary", _filler(rows)),
                section(
                    "Monthly closure-credibility review",
                    figures([("Closures reviewed", 12), ("Failed", 2)]),
                    table("Exceptions", ["Reference", "Reasons"], [["CC-1", "missing"]] * 4),
                    figures([("Missed deadlines", 1), ("Still open", 0)]),
                ),
            ],
        )
        pages = _pages(doc)
        start = _page_of(pages, "Monthly closure-credibility review")
        assert start == _page_of(pages, "Missed deadlines: 1"), (rows, pages[start])


def test_short_sections_share_a_page() -> None:
    """Keeping sections together does not give each a page of its own (60cb848 nested one
    KeepTogether in another, and every pack grew a page per section: the weekly pack of the
    walk 4 pages to 10)."""
    doc = document(
        "Monthly board pack",
        "November 2026",
        [
            section(f"Section {n}", figures([("Closures reviewed", 12), ("Failed", n)]))
            for n in range(5)
        ],
    )
    pages = [page for page in _pages(doc) if page.strip()]
    assert len(pages) == 1, len(pages)
    assert "Section 4" in pages[0]


def test_a_sections_closing_line_stays_with_its_chart() -> None:
    """The evidence pack's "Missed deadlines: …" line, after a section's last chart, never opens
    the next page alone (the walk of 21:47 saw it at the top of page 2)."""
    for rows in range(5, 60):  # the chart ends lower on the page each time
        doc = document(
            "Evidence pack",
            "November",
            [
                section(
                    "Daily acknowledgment and triage review",
                    _filler(rows),
                    chart("Escalations by level", LINES, {"breaches": [2, 2, 5, 2]}),
                    figures([("Missed deadlines", 2), ("Still open", 0)]),
                ),
            ],
        )
        pages = _pages(doc)
        line = _page_of(pages, "Missed deadlines: 2")
        assert line == _page_of(pages, "Escalations by level"), (rows, pages[line])
