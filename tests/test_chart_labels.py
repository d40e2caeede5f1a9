"""Chart category labels never overlap (walk defect: the evidence pack's "Closures by
credibility" and the fortnightly indicators ran into each other): long labels wrap under their
bars, on the page (inline SVG) and in the PDF alike; many categories turn to one rotated line."""

from __future__ import annotations

import re

from api.report_html import render_html
from api.report_pdf import render_pdf
from api.report_svg import category_words, label_lines, rotated, svg_chart
from domain.report import bars, chart, document, label, section
from domain.roles import Role
from tests.pdf_support import pdftotext

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
INDICATORS = {
    "corrective action incomplete at closure": 7,
    "no feedback to reporter": 4,
    "no shared learning despite wider relevance": 3,
    "recurrence within 30 days": 2,
    "corrective action overdue": 1,
}


def test_labels_wrap_at_words_within_the_slot() -> None:
    assert label_lines("doubtful closure credibility", 18) == ["doubtful closure", "credibility"]
    assert label_lines("credible closure", 18) == ["credible closure"]
    lines = label_lines("no shared learning despite wider relevance", 10)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(x) <= 10 for x in lines)
    assert label_lines("supercalifragilistic", 8)[0] == "superca-"
    assert not rotated(list(INDICATORS)) and rotated([f"2026-W{n}" for n in range(13)])


def test_the_svg_wraps_long_labels_into_lines_under_each_bar() -> None:
    chart = bars("Reports showing each indicator", INDICATORS)
    svg = svg_chart(chart)
    assert "rotate(" not in svg
    labels = re.findall(
        r'<text x="([\d.]+)"[^>]*text-anchor="middle"><title>([^<]*)</title>(.*?)</text>', svg
    )
    assert [t for _, t, _ in labels] == list(INDICATORS)
    slot = (720 - 48 - 12) / 5
    for _, _, spans in labels:
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", spans)
        assert 1 <= len(lines) <= 3
        assert all(len(line) * 6.4 <= slot for line in lines), lines
    # 20 characters a line in a 132 px slot: "corrective action" / "incomplete at" / "closure"
    assert labels[0][2].count("<tspan") == 3


def test_the_pdf_prints_the_same_wrapped_labels() -> None:
    doc = document("Pack", "cycle", [section("Audit counts", bars("Indicators", INDICATORS))])
    text = pdftotext(render_pdf(doc, [], FONT_DIR))  # laid out as printed
    # 450 pt for five long labels: 22 characters a line at 7 pt; neighbours apart by a gap
    gap = r"\s{2,}"
    first = gap.join(["corrective action", "no feedback to", "no shared learning",
                      "recurrence within 30", "corrective action"])  # fmt: skip
    assert re.search(first, text), text
    assert re.search(gap.join(["incomplete at closure", "reporter", "despite wider", "days"]), text)


def test_an_all_zero_chart_says_so_on_the_page_and_in_the_pdf() -> None:
    """Walk defect: "Escalations by level" drew an empty axis when nothing escalated."""
    levels = bars("Escalations by level", {"level 1": 0, "level 2": 0})
    doc = document("Pack", "week", [section("Breaches", levels)])
    assert "Nothing to chart: every value is 0." in render_html(doc, [])
    assert "<svg" not in render_html(doc, [])
    assert "Nothing to chart: every value is 0." in pdftotext(render_pdf(doc, [], FONT_DIR))


def test_a_role_reads_by_its_title_in_packs() -> None:
    """The board pack's "by reviewer" rows named the role by its code in lower case (walk)."""
    assert label(Role.NEAR_MISS_GOVERNANCE_SUPERVISOR.value) == "Near-Miss Governance Supervisor"
    assert label("pathway-acceptance") == "owner acceptance"  # other codes as before
    assert label("some_code") == "some code"


def test_months_print_in_words_on_the_page_and_in_the_pdf() -> None:
    """Walk defect: the evidence pack's trend charts printed months as ISO (2026-11); the JSON
    keeps them so, the page and the PDF say "November 2026"."""
    per_month = chart("Reports submitted per month", ["2026-10", "2026-11"], {"reports": [3, 5]})
    doc = document("Pack", "range", [section("Trends", per_month)])
    text = " ".join(pdftotext(render_pdf(doc, [], FONT_DIR)).split())
    assert "October 2026" in text and "November 2026" in text and "2026-11" not in text
    svg = svg_chart(per_month)
    assert "<title>November 2026</title>" in svg and "2026-11" not in svg
    assert per_month["categories"] == ["2026-10", "2026-11"]
    assert category_words("2026-W47") == "2026-W47" and category_words("2026-13") == "2026-13"
