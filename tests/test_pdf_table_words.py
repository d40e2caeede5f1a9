"""A PDF table as a person reads it (the walk of 7 December): no word broken across lines
("Entrie / s", "NM-1000 / 3") however long a neighbouring column's text; a cell's lines kept as
lines (a pathway's deadlines one a line); a register by its name, not its slug."""

from __future__ import annotations

from api.report_pdf import column_widths, render_pdf
from domain.report import document, section, table
from tests.pdf_support import pdftotext

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
LONG = "owner acceptance: due Tue 8 Dec 2026, 17:00; done Mon 7 Dec 2026, 23:24 " * 4


def _text(*blocks: dict) -> str:  # type: ignore[type-arg]
    return pdftotext(
        render_pdf(document("Weekly pack", "week 50", [section("S", *blocks)]), [], FONT_DIR)
    )


def test_no_word_is_broken_beside_a_long_column() -> None:
    columns = ["Report", "Service line", "Exposure", "Pathway", "Owner", "Stage", "Entries",
               "Actions and deadlines"]  # fmt: skip
    row = ["NM-10003", "SL-EAST", "emerging exposure", "named ownership assignment",
           "Aled Price (E0121)", "made visible on publication", 12, LONG]  # fmt: skip
    text = _text(table("Pathways made visible on publication", columns, [row]))
    assert "NM-10003" in text and "Entries" in text, text


def test_a_cells_lines_stay_lines() -> None:
    cell = "Owner acceptance: due Tue 8 Dec 2026, 17:00\nWorker communication: due Wed 9 Dec"
    lines = _text(table("Pathways", ["Report", "Actions and deadlines"], [["NM-1", cell]]))
    found = [line.strip() for line in lines.splitlines()]
    assert any(line.endswith("Owner acceptance: due Tue 8 Dec 2026, 17:00") for line in found)
    assert any(line.startswith("Worker communication: due Wed 9 Dec") for line in found)


def test_a_register_is_named_as_the_registers_page_names_it() -> None:
    text = _text(table("Registers", ["Register", "Entries"], [["acknowledgment-recovery-log", 4]]))
    assert "Acknowledgment recovery log" in text and "acknowledgment-recovery-log" not in text


def test_column_widths_give_each_its_longest_word() -> None:
    widths = column_widths([6.0, 6.0, 21.6], [50.0, 40.0, 30.0], 300.0)
    assert widths[0] >= 50 and widths[1] >= 40 and abs(sum(widths) - 300) < 1e-6
    assert column_widths([1.0, 1.0], [200.0, 200.0], 300.0) == [150.0, 150.0]  # cannot: shares


def test_the_evidence_packs_first_page_holds_its_first_chart() -> None:
    """The walk's evidence pack left page 1 about 40% empty: its first section's one-series
    chart (with its closing line) did not fit below the steps table, for the legend's room it
    does not use and a tall plot."""
    from domain.report import chart, figures, text

    intro = (
        "Mapped to the CQC quality statement “learning culture” and to PSIRF's expectations. " * 2
    )
    steps = [[f"Step {n}", 2, 1, "1 of 2 (50%)"] for n in range(6)]
    doc = document(
        "Inspection evidence pack",
        "1 September 2026 to 30 November 2026 — all service lines",
        [
            section("About this evidence pack", text(intro), text("From the reviews.")),
            section(
                "Daily acknowledgment and triage review — reliability",
                figures([("Reviews run", 16), ("Reports reviewed", 15), ("Exceptions", 0)]),
                figures([("Acknowledged within 24 hours", "11 of 15 (73%)")]),
                table("Steps completed in the range", ["Step", "Done", "On time", "Share"], steps),
                chart("Escalations by level", ["level 1", "level 2", "level 3", "level 4+"],
                      {"count": [2, 0, 0, 0]}),
                figures([("Missed deadlines", 2), ("Still open", 0)]),
            ),
        ],
    )  # fmt: skip
    pages = pdftotext(render_pdf(doc, ["Generated at Tue 8 Dec 2026, 00:15."], FONT_DIR))
    assert "Missed deadlines: 2" in pages.split("\f")[0], pages
