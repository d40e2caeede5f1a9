"""Packs as PDF over HTTP: a real database, the store's pack content, real reportlab rendering.

A stored pack is read without Temporal, so these tests need no server; the PDF is parsed with
pypdf and its text and drawing operators are checked.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pypdf import PdfReader

from domain import names
from domain.packs import PACKS
from store import packs as pack_store
from store.tables import Breach, Case
from tests.factories import load, staff_rows

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
WEEKLY = PACKS[names.PACK_WEEKLY]
BAR_FILL = re.compile(rb"\bre f\*?")  # a filled rectangle: each chart bar is one


def case_row(reference: str, exposure: str, service_line: str, stage: str) -> Case:
    return Case(
        case_id=names.ack_case_id(reference),
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        reference=reference,
        review_id="ack-review-2026-11-26",
        employee_id="W-100",
        service_line=service_line,
        exposure=exposure,
        stage=stage,
        status="open",
        escalation_level=0,
        opened_at=AT - timedelta(days=1),
        updated_at=AT,
        detail={},
    )


async def stored_pack(sessions: Any, cases: list[Case], period: str = "2026-W48") -> list[str]:
    """Store ``cases``, a breach on the first, and the weekly pack listing the awaiting ones."""
    listed = [c.case_id for c in cases if c.stage == "awaiting-visibility"]
    async with sessions() as session, session.begin():
        session.add_all(cases)
        if listed:
            session.add(
                Breach(
                    case_id=listed[0],
                    step="triage-attribution",
                    deadline=AT,
                    level=1,
                    escalated_at=AT,
                )
            )
        await session.flush()
        await pack_store.create_pack(session, WEEKLY, period, listed, AT)
    return listed


async def pdf_of(api: Any, url: str) -> tuple[Any, PdfReader, str]:
    response = await api.get(url, "E-BOARD", params={"format": "pdf"})
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return response, reader, text


def bars(reader: PdfReader) -> int:
    return sum(len(BAR_FILL.findall(page.get_contents().get_data())) for page in reader.pages)


async def test_pdf_pack_has_the_html_content_and_charts(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    cases = [
        case_row("NM-20001", "critical", "HC-NORTH", "awaiting-visibility"),
        case_row("NM-20002", "emerging", "HC-NORTH", "awaiting-visibility"),
        case_row("NM-20003", "critical", "HC-SOUTH & <EAST>", "awaiting-visibility"),
        case_row("NM-20004", "critical", "HC-WEST", "triage-attribution"),  # not listed
    ]
    listed = await stored_pack(sessions, cases)
    api = await api_for(sqlite_url)
    url = "/packs/weekly-sustainability/2026-W48"

    response, reader, text = await pdf_of(api, url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'inline; filename="weekly-sustainability-2026-W48.pdf"'
    )
    assert response.content.startswith(b"%PDF-") and reader.metadata.title.endswith("2026-W48")
    assert f"{WEEKLY.title} — 2026-W48" in text and "not published yet" in text
    assert "3 cases listed" in text
    for reference in ("NM-20001", "NM-20002", "NM-20003"):
        assert reference in text
    assert "NM-20004" not in text and "HC-WEST" not in text
    assert "HC-SOUTH & <EAST>" in text  # markup characters in data are printed, not parsed
    assert "awaiting-visibility: 3" in text and "triage-attribution: 1" in text
    # Charts: their titles and categories are text; each bar is a filled rectangle. Bars:
    # exposure 2 (critical, emerging), service line 2, all cases by stage 2.
    for label in ("Listed cases by exposure", "Listed cases by service line", "All cases by stage"):
        assert label in text
    assert bars(reader) == 6
    assert [c.case_id for c in cases[:3]] == listed

    csv_lines = (await api.get(url, "E-BOARD", params={"format": "csv"})).text.splitlines()
    assert len(csv_lines) == 4  # the same cases as the CSV beside it


async def test_pdf_of_a_published_pack_with_many_cases_spans_pages(
    sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    cases = [
        case_row(
            f"NM-3{i:04d}",
            ("critical", "emerging")[i % 2],
            f"SL-{i % 20:02d}",
            "awaiting-visibility",
        )
        for i in range(80)
    ]
    listed = await stored_pack(sessions, cases)
    async with sessions() as session, session.begin():
        pack = await pack_store.get_pack(session, WEEKLY.kind, "2026-W48")
        assert pack is not None
        await pack_store.publish(
            session, WEEKLY, pack, listed, "E-DIRECTOR", AT + timedelta(hours=3)
        )
    api = await api_for(sqlite_url)

    _, reader, text = await pdf_of(api, "/packs/weekly-sustainability/2026-W48")
    assert len(reader.pages) > 1
    assert "published by E-DIRECTOR at 2026-11-27 15:00 UTC" in text
    assert all(c.reference in text for c in cases)
    # 20 service lines: the chart keeps 14 and sums the other 6 lines (24 cases) into one bar.
    assert "others (6)" in text and "SL-00" in text
    assert bars(reader) == 2 + 15 + 1


async def test_empty_pack_still_renders_and_unknown_format_is_rejected(
    sqlite_url, sessions_for, api_for
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await stored_pack(sessions, [], period="2026-W49")
    api = await api_for(sqlite_url)
    url = "/packs/weekly-sustainability/2026-W49"

    _, reader, text = await pdf_of(api, url)
    assert len(reader.pages) == 1 and f"{WEEKLY.title} — 2026-W49" in text
    assert "0 cases listed" in text and "No cases are listed in this pack." in text
    assert bars(reader) == 0

    unknown = await api.get(url, "E-BOARD", params={"format": "docx"})
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["format"]
    assert (await api.get(url, "W-100", params={"format": "pdf"})).status_code == 403
