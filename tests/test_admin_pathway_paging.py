"""The administrator's open-pathway list is read a page at a time in SQL (keyset by case ID),
with what the list said when it filtered every open case in Python: the same pathways in the
same order, the same counts and "showing" range, the same filter (report, owner's ID or name)
and the same absent owners, here at 70 open pathways (three pages) among closed cases and open
ones with no named owner, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.roles import Role
from store.db import transaction
from store.pathways import named_owner
from store.tables import Case
from tests.factories import case_row, load, staff_rows
from tests.web_support import sign_in, text

OWNERS = ("E-OWNER", "E-LEFT", "E-OFF", "E-GHOST", "E-ANALYST")  # E-GHOST: not in the directory
LISTED = re.compile(r'href="/app/admin/pathways/([^"/]+)/owner"')
NEXT = re.compile(r'href="(/app/admin/pathways\?[^"]*after=[^"]*)"')
PREVIOUS = re.compile(r'href="(/app/admin/pathways\?[^"]*before=[^"]*)"')


def _staff() -> list[dict[str, Any]]:
    rows = staff_rows({"E-LEFT": [Role.WORKER], "E-OFF": [Role.WORKER]})
    for row in rows:
        if row["employee_id"] == "E-LEFT":
            row["left_at"] = (date.today() - timedelta(days=3)).isoformat()
        if row["employee_id"] == "E-OFF":
            row["active"] = False
    return rows


def _cases() -> list[Case]:
    """70 open pathways (two named only as the stage's assignee), 6 open cases with no named
    owner and 9 closed pathways, in an order unlike their IDs'."""
    rows = []
    for n in range(85):
        row = case_row(f"ack-case-NM-{(n * 37) % 85:03d}", "W-100")
        row.status, row.stage = "open", "pathway-acceptance"
        row.detail = {"pathway_owner": OWNERS[n % len(OWNERS)]}
        if n < 2:
            row.detail, row.assignee = {}, OWNERS[n]
        elif n < 8:
            row.detail, row.stage = {}, "triage-attribution"
        elif n < 17:
            row.status = row.stage = "closed"
        row.opened_at = row.updated_at = datetime(2026, 12, 1, tzinfo=UTC)
        rows.append(row)
    return rows


def _old_list(cases: list[Case], wanted: str = "") -> list[str]:
    """The list as the page made it before: every open case in Python, by case ID."""
    names = {row["employee_id"]: row["display_name"] for row in _staff()}
    listed = []
    for c in sorted(cases, key=lambda c: c.case_id):
        owner = named_owner(c)
        words = f"{c.reference} {owner} {names.get(owner or '', '')}".lower()
        if c.status == "open" and owner and wanted.lower() in words:
            listed.append(c.case_id)
    return listed


def _open_section(html: str) -> str:
    return html.split('id="open-h"', 1)[1]


async def _walk(api: Any, url: str) -> tuple[list[str], list[str], str]:
    """Every page from URL on by its Next link: the case IDs in order, each page's "showing"
    sentence, and the last page's Previous link."""
    seen: list[str] = []
    sentences: list[str] = []
    while True:
        page = await api.http.get(url)
        assert page.status_code == 200, page.text
        section = _open_section(page.text)
        ids = LISTED.findall(section)
        assert len(ids) <= 25
        seen += ids
        sentences.append(
            re.findall(r"\d+ open pathways?[^;]*; showing \d+ to \d+", text(section))[0]
        )
        found = NEXT.search(section)
        if found is None:
            previous = PREVIOUS.search(section)
            return seen, sentences, previous.group(1).replace("&amp;", "&") if previous else ""
        url = found.group(1).replace("&amp;", "&")


async def test_open_pathways_page_in_sql_as_they_listed_in_python(
    database_url, sessions_for, api_for
) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", _staff())
    cases = _cases()
    async with transaction(sessions) as session:
        session.add_all(cases)
    api = await api_for(database_url, env="development", api_host="127.0.0.1")
    await sign_in(api, "E-ADMIN")
    expected = _old_list(cases)
    assert len(expected) == 70

    seen, sentences, previous = await _walk(api, "/app/admin/pathways")
    assert seen == expected
    assert sentences == [
        "70 open pathways; showing 1 to 25",
        "70 open pathways; showing 26 to 50",
        "70 open pathways; showing 51 to 70",
    ]
    back = _open_section((await api.http.get(previous)).text)  # the last page's Previous
    assert LISTED.findall(back) == expected[25:50]
    assert "showing 26 to 50" in text(back) and PREVIOUS.search(back) and NEXT.search(back)
    first = _open_section(
        (await api.http.get(PREVIOUS.search(back).group(1).replace("&amp;", "&"))).text
    )
    assert LISTED.findall(first) == expected[:25] and not PREVIOUS.search(first)

    # Filtered by an owner's name (any case), across pages too, and by a report.
    seen, sentences, _ = await _walk(api, "/app/admin/pathways?q=e-lEFT")
    assert seen == _old_list(cases, "e-left") and len(seen) == 14
    assert sentences == ["14 open pathways match “e-lEFT”; showing 1 to 14"]
    seen, _, _ = await _walk(api, "/app/admin/pathways?q=NM-07")
    assert seen == _old_list(cases, "NM-07") and seen

    # Absent owners: left, inactive or unknown to the directory, each open pathway once.
    page = (await api.http.get("/app/admin/pathways")).text
    absent = page.split('id="absent-h"', 1)[1].split('id="open-h"', 1)[0]
    owners = {c.case_id: named_owner(c) for c in cases}
    gone = [i for i in expected if owners[i] in ("E-LEFT", "E-OFF", "E-GHOST")]
    assert LISTED.findall(absent) == gone
    words = text(absent)
    assert "named owner E-Left (E-LEFT), left" in words and "E-Off (E-OFF), inactive" in words
    assert "E-GHOST (E-GHOST), not in the staff directory" in words
    home = text((await api.http.get("/app")).text)  # My work counts them in SQL too
    assert f"{len(gone)} open pathways wait on a named owner who is absent." in home
