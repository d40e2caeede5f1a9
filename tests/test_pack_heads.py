"""Signed register heads in the three periodic packs (issue 14): each pack's PDF, HTML, CSV and
JSON print every register's head; a head read back from the PDF's text (pdftotext, as a reader
copies it) verifies with `nearmiss registers verify NAME --head …`, and after a database writer
rewrites an entry the same check fails naming it. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from playwright.async_api import async_playwright
from sqlalchemy import update

from domain import names
from store.signing import public_key_hex, signing_key
from store.tables import RegisterEntry
from tests.browser_support import CHROMIUM_ARGS, chromium
from tests.factories import load, staff_rows
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.pack_seed import fixed_clock, seed_learning_closure, seed_weekly
from tests.pack_support import stored
from tests.pdf_support import pdftotext
from tests.register_support import run_nearmiss

PACKS = [
    (names.PACK_WEEKLY, "2026-W48"),
    (names.PACK_FORTNIGHTLY, "2026-11-09"),
    (names.PACK_MONTHLY, "2026-11"),
]
__all__ = ["chromium"]  # the fixture, shared with the dashboard test
REGISTERS = [
    "acknowledgment-recovery-log",
    "board-workforce-experience-record",
    "learning-stabilization-log",
]
# A head as the PDF prints it: SEQ:HASH(64 hex):SIGNATURE(128 hex), wrapped over lines in its cell.
HEAD = re.compile(r"(?P<register>[a-z-]+?)(?P<head>\d+:[0-9a-f]{64}:[0-9a-f]{128})")


def heads_in_pdf(body: bytes) -> dict[str, str]:
    """Register → signed head, from the PDF's "Signed register heads" section as text."""
    text = pdftotext(body)
    part = text[text.index("Signed register heads") :]
    part = part[part.index("Signed head (SEQ:HASH:SIGNATURE)") :].split("\n", 1)[1]
    return {m["register"]: m["head"] for m in HEAD.finditer(re.sub(r"\s+", "", part))}


async def seeded(database_url: str, sessions: Any, api_for: Any) -> Any:
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
    for kind, period in PACKS:
        await stored(sessions, kind, period)
    api = await api_for(database_url)
    api.app.state.clock = fixed_clock
    return api


async def test_every_pack_prints_heads_that_verify(database_url, sessions, api_for):
    api = await seeded(database_url, sessions, api_for)
    public = public_key_hex(signing_key(TEST_SIGNING_KEY))
    for kind, period in PACKS:
        url = f"/packs/{kind}/{period}"
        doc = (await api.get(url, "E-BOARD")).json()["content"]
        expected = {r["register"]: r["signed_head"] for r in doc["signed_heads"]}
        assert sorted(expected) == REGISTERS, kind
        assert all(h.startswith("1:") for h in expected.values())
        assert doc["sections"][-1]["title"] == "Signed register heads"
        pdf = await api.get(url, "E-BOARD", params={"format": "pdf"})
        assert pdf.status_code == 200, pdf.text
        assert heads_in_pdf(pdf.content) == expected, kind
        assert public in re.sub(r"\s+", "", pdftotext(pdf.content)), kind
        page = (await api.get(url, "E-BOARD", params={"format": "html"})).text
        assert "Signed register heads" in page and all(h in page for h in expected.values())
        assert public in page
        heads_csv = await api.get(url, "E-BOARD", params={"format": "csv", "table": "signed-heads"})
        rows = list(csv.DictReader(io.StringIO(heads_csv.text)))
        assert {r["register"]: r["signed_head"] for r in rows} == expected
        assert [r["seq"] for r in rows] == ["1", "1", "1"]
        cases = await api.get(url, "E-BOARD", params={"format": "csv"})
        assert cases.text.startswith("case_id,")  # the default CSV is still the case list

    pdf = await api.get("/packs/monthly-board/2026-11", "E-BOARD", params={"format": "pdf"})
    head = heads_in_pdf(pdf.content)["learning-stabilization-log"]
    code, out = await run_nearmiss(
        database_url,
        "registers",
        "verify",
        "learning-stabilization-log",
        "--head",
        head,
        "--public-key",
        public,
    )
    assert code == 0 and "learning-stabilization-log: ok, 1 entries, anchored to seq 1" in out, out

    async with sessions() as session, session.begin():  # a writer without the key edits it
        await session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.register == "learning-stabilization-log")
            .values(actor="E-SOMEONE-ELSE")
        )
    code, out = await run_nearmiss(
        database_url, "registers", "verify", "learning-stabilization-log", "--head", head
    )
    assert code == 1 and "learning-stabilization-log: FAILS at entry 1" in out, out


async def test_printed_heads_never_widen_the_page(sqlite_url, sessions_for, api_for, chromium):
    """At 390 px the pack page with its heads and key does not scroll sideways: long keys and
    hashes wrap, and a wide table scrolls inside its box (the page scrolled 173 px before)."""
    sessions = sessions_for(sqlite_url)
    api = await seeded(sqlite_url, sessions, api_for)
    page_html = await api.get(
        f"/packs/{names.PACK_WEEKLY}/2026-W48", "E-BOARD", params={"format": "html"}
    )
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 800})
        await page.set_content(page_html.text)
        spill = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        await browser.close()
    assert spill <= 0, f"{spill}px sideways scroll at 390 px"
