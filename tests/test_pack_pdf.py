"""Packs as PDF and HTML over HTTP on the seeded week (tests/pack_seed.py): the same sections and
charts in both, text outside Latin-1 printed (DejaVu Sans embedded), local time, plurals.

A stored pack is read without Temporal. The PDF is parsed twice: pypdf for fonts, drawing
operators and metadata, poppler's ``pdftotext`` for the text as a reader sees it.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

from pypdf import PdfReader
from sqlalchemy import update

from api.pack_publication import past_words
from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import packs as pack_store
from store.tables import Case
from tests.factories import load, staff_rows
from tests.pack_seed import NM1, NOW, fixed_clock, seed_weekly
from tests.pack_support import CALENDAR, stored
from tests.pdf_support import pdftotext

URL = "/packs/weekly-sustainability/2026-W48"
LINE = "HC-ŁÓDŹ Ωmega & <Nord>"  # Polish and Greek letters, and markup characters
SECTIONS = [
    "Summary",
    "Daily reviews (2 reviews)",
    "Threshold breaches by service line",
    "Exceptions (1 report not reconciled)",
    "Cases awaiting visibility",
    "Breaches and escalation levels reached",
    "Late steps (2 late completions)",
    "Signed register heads",
]
CHARTS = [
    "Classifications by review date",
    "Reports over an acknowledgment or triage threshold",
    "Escalations by level",
]


class Page(HTMLParser):
    """Collects h2 and figcaption texts, svg bars (their <title>s) and table rows."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.h2: list[str] = []
        self.captions: list[str] = []
        self.bar_titles: list[str] = []
        self.cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(f"{tag}.{dict(attrs).get('class', '')}")

    def handle_endtag(self, tag: str) -> None:
        while self.open and not self.open.pop().startswith(f"{tag}."):
            pass

    def handle_data(self, data: str) -> None:
        top = self.open[-1] if self.open else ""
        if top.startswith("h2."):
            self.h2.append(data)
        elif top.startswith("figcaption."):
            self.captions.append(data)
        elif top == "title." and len(self.open) > 1 and self.open[-2] == "rect.bar":
            self.bar_titles.append(data)
        elif top.startswith("td."):
            self.cells.append(data)


async def seeded_api(database_url: str, sessions: Any, api_for: Any, publish: bool) -> Any:
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await session.execute(update(Case).where(Case.case_id == NM1).values(service_line=LINE))
    await stored(sessions, names.PACK_WEEKLY, "2026-W48")
    if publish:
        async with sessions() as session, session.begin():
            pack = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W48")
            spec = PACKS[names.PACK_WEEKLY]
            await pack_store.publish(
                session, spec, pack, [NM1], "E-DIRECTOR", NOW, CALENDAR, DEFAULT_ANCHOR
            )
    api = await api_for(database_url)
    api.app.state.clock = fixed_clock
    return api


async def test_pdf_has_the_sections_charts_and_fonts(database_url, sessions, api_for):
    api = await seeded_api(database_url, sessions, api_for, publish=True)
    response = await api.get(URL, "E-BOARD", params={"format": "pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'inline; filename="weekly-sustainability-2026-W48.pdf"'
    )
    text = " ".join(pdftotext(response.content).split())
    assert "Weekly workforce sustainability review pack" in text
    assert "week 48 of 2026 (23 November 2026 to 29 November 2026)" in text
    # The publisher by name; the frozen sections worded as published, never still "awaiting".
    published = "Published by E-Director on Fri 27 Nov 2026, 15:00;"
    published += " 1 case made visible."
    assert published in text
    for title in SECTIONS + CHARTS:
        assert past_words(title, published=True) in text, title
    assert "awaiting" not in text.lower()
    # The CSV gives the stage the page does once published, never still awaiting visibility.
    csv_text = (await api.get(URL, "E-BOARD", params={"format": "csv"})).text
    assert csv_text.splitlines()[1].split(",")[4] == "made visible on publication", csv_text
    assert "awaiting" not in csv_text
    for word in LINE.split():  # non-Latin-1 and markup characters printed (cells may wrap)
        assert word in text, word
    assert "reviewed by Aled Price (E-ANALYST) at Tue 24 Nov 2026, 09:10" in text
    assert "Thu 26 Nov 2026, 13:00" in text and "10.0 h" in text and "still open" in text
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"]): font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    dejavu = fonts["/AAAAAA+DejaVuSans"]  # a subset of DejaVu Sans, embedded as TrueType
    assert "/FontFile2" in dejavu["/FontDescriptor"].get_object()
    # Each non-zero bar is a filled rectangle: 6 + 1 (service lines) + 3 (levels) = 10.
    ops = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert len(re.findall(rb"\bre f\*?", ops)) >= 10


async def test_html_has_the_same_sections_and_charts(database_url, sessions, api_for):
    api = await seeded_api(database_url, sessions, api_for, publish=False)
    response = await api.get(URL, "E-INSPECTOR", params={"format": "html"})
    assert response.status_code == 200, response.text
    page = Page()
    page.feed(response.text)
    assert page.h2 == SECTIONS
    assert page.captions == CHARTS
    assert "Wed 25 Nov 2026 — critical exposure: 2" in page.bar_titles
    assert "level 3 — count: 1" in page.bar_titles
    assert LINE in page.cells and "case_id" not in response.text
    assert "Not published yet; 1 case awaiting visibility." in response.text
    assert "<script" not in response.text and "@media print" in response.text
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", response.text)  # no microseconds

    csv_lines = (await api.get(URL, "E-BOARD", params={"format": "csv"})).text.splitlines()
    assert csv_lines[0] == "case_id,reference,service_line,exposure,stage,opened_at"
    assert csv_lines[1].startswith(f"{NM1},NM-1,") and "Tue 24 Nov 2026, 09:10" in csv_lines[1]
    assert len(csv_lines) == 2
    unknown = await api.get(URL, "E-BOARD", params={"format": "docx"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "format"
    assert (await api.get(URL, "W-100", params={"format": "pdf"})).status_code == 403


CASE_CELL = re.compile(r"<td>(?:<a href=\"([^\"]+)\">)?(NM-[^<]+)(?:</a>)?</td>")


async def test_tables_name_cases_by_report_reference(database_url, sessions, api_for):
    """The pack's tables (listed cases, missed deadlines, late steps) name each case by its
    report reference, linked to its case page for a reader who may open it; the stored content
    keeps the case IDs (JSON); neither the page nor the PDF prints them."""
    api = await seeded_api(database_url, sessions, api_for, publish=False)
    board = (await api.get(URL, "E-BOARD", params={"format": "html"})).text
    heads = re.findall(r'<th scope="col">([^<]+)</th>', board)
    assert "Report" in heads and "Case" not in heads
    cells = [(href, ref) for href, ref in CASE_CELL.findall(board) if href]  # the linked ones
    assert ("/app/cases/ack-case-NM-1", "NM-1") in cells, cells
    assert {ref for _, ref in cells} >= {"NM-1", "NM-2"}
    assert all(href == f"/app/cases/ack-case-{ref}" for href, ref in cells)
    assert f">{NM1}<" not in board  # the ID only in the link

    inspector = (await api.get(URL, "E-INSPECTOR", params={"format": "html"})).text
    shown = CASE_CELL.findall(inspector)  # no case page for the inspector: no link
    assert shown and all(href == "" for href, _ in shown) and "/app/cases/" not in inspector

    stored_content = (await api.get(URL, "E-BOARD")).json()["content"]
    assert NM1 in str(stored_content) and "NM-1" not in {
        cell
        for s in stored_content["sections"]
        for b in s["blocks"]
        if b["type"] == "table"
        for row in b["rows"]
        for cell in row[:1]
    }

    pdf = (await api.get(URL, "E-BOARD", params={"format": "pdf"})).content
    lines = [" ".join(line.split()) for line in pdftotext(pdf).splitlines()]
    assert any(line.startswith("NM-1 ") or line == "NM-1" for line in lines), lines
    assert not any(NM1 in line for line in lines)
    # an exception's reasons as the review page words them, never the feed's slug
    text = " ".join(lines)
    assert "Missing in workforce reporting log" in text and "reporting-log" not in text, text
    assert "Missing in workforce reporting log" in board and "missing in workforce-" not in board
