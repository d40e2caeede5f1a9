"""The printable packs' tables in Chromium: a column of numbers is right-aligned, heading and
figures alike, so each figure sits under its own heading (walk defect: the monthly board pack's
"Credible" 1 stood under "Doubtful"); a text column, and a mixed one, stays left."""

from __future__ import annotations

from playwright.async_api import async_playwright

from api.report_html import render_html
from domain.report import document, section, table
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture

RIGHT_EDGES = """() => Array.from(document.querySelectorAll('table tr')).map(tr =>
  Array.from(tr.children).map(cell => {
    const range = document.createRange(); range.selectNodeContents(cell);
    const r = range.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)];
  }))"""


async def test_figures_sit_under_their_own_headings(chromium) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [["DN-CITY", 1, 0, 0, "a"], ["HC-SOUTH", 0, 1, 12, 3]]
    doc = document(
        "Monthly board pack",
        "November 2026",
        [
            section(
                "By line",
                table(
                    "By service line",
                    ["Service line", "Credible", "Doubtful", "Failed", "Mixed"],
                    rows,
                ),
            )
        ],  # fmt: skip
    )
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.set_content(render_html(doc, []))
            head, *body = await page.evaluate(RIGHT_EDGES)
        finally:
            await browser.close()
    for row in body:
        assert abs(row[0][0] - head[0][0]) <= 1  # text: left edges agree
        for col in (1, 2, 3):  # numbers: right edges agree with the heading's
            assert abs(row[col][1] - head[col][1]) <= 1, (col, row, head)
        assert abs(row[4][0] - head[4][0]) <= 1  # mixed: left, as its heading
