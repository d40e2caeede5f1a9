"""My work for a busy role: the most urgent first, counted by how soon it is due, the rest a
page at a time (keyset: a deep page costs what the first does), on the page and the API; an
acceptance keeps its place before its actions across a page boundary; a bad cursor is a 422."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

from playwright.async_api import expect

from api.openapi_errors import NEXT_CURSOR
from domain.roles import Role
from store.cases import sync_open_obligations
from store.db import transaction
from store.my_work import COUNT_CAP, PAGE, OwedAfter, case_obligations
from store.tables import Case
from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.fixtures.api import ApiFactory
from tests.my_work_support import NOW, PATHWAY, busy, owned_case, seeded
from tests.web_support import sign_in, text

OWED = 120  # due two hours apart from a day before NOW: 13 overdue, 5 later today, 84 in 7 days


def _titles(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r">(Triage \d{3})</a>", body)


def _rows_text(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [text(row) for row in body.split("</tr>") if "<td" in row]


def _next(page: str) -> str | None:
    found = re.search(r'href="(/app\?cursor=[^"]+)" rel="next"', page)
    return found.group(1) if found else None


async def test_a_busy_role_reads_the_most_urgent_first_and_the_rest_page_by_page(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await busy(sqlite_url, sessions_for, api_for, OWED)
    await sign_in(api, "E-SUPERVISOR")
    first = (await api.http.get("/app")).text
    words = text(first).replace(" ,", ",")
    assert "120 things waiting for you, 13 overdue, soonest due first." in words
    assert (
        "120 in all — 13 overdue, 5 due later today, 84 due in the next 7 days, 18 later" in words
    )
    assert f"These are the most urgent {PAGE}" in words and "Back to the most urgent" not in words
    seen = _titles(first)
    assert seen == [f"Triage {n:03d}" for n in range(PAGE)]
    href = _next(first)
    while href is not None:
        page = (await api.http.get(href)).text
        assert "Back to the most urgent" in text(page) and "things waiting" not in page
        seen += _titles(page)
        href = _next(page)
    assert seen == [f"Triage {n:03d}" for n in range(OWED)]  # each once, soonest due first
    assert "That is everything you owe." in text(page)
    bad = await api.http.get("/app", params={"cursor": "not a cursor!"})
    assert bad.status_code == 422 and "not a cursor from a page of my work" in bad.text


async def test_the_api_pages_my_work_by_cursor_with_the_counts(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await busy(sqlite_url, sessions_for, api_for, OWED)
    first = await api.get("/me/work", "E-SUPERVISOR", params={"limit": 70})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["counts"] == {"total": 120, "overdue": 13, "due_today": 5,
                              "due_within_7_days": 84, "later": 18, "cap": COUNT_CAP,
                              "more_than": []}  # fmt: skip
    titles = [o["title"] for o in body["obligations"]]
    assert titles == [f"Triage {n:03d}" for n in range(70)]
    assert body["obligations"][0]["role"] == Role.NEAR_MISS_GOVERNANCE_SUPERVISOR.value
    rest = await api.get("/me/work", "E-SUPERVISOR", params={"cursor": first.headers[NEXT_CURSOR]})
    assert [o["title"] for o in rest.json()["obligations"]] == [
        f"Triage {n:03d}" for n in range(70, 120)
    ]
    assert NEXT_CURSOR not in rest.headers  # the last page
    nobody = await api.get("/me/work", "E-OWNER")  # owes none of these
    assert nobody.json()["counts"]["total"] == 0 and nobody.json()["obligations"] == []

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode()

    for cursor in [
        "not a cursor!",
        b64(b'["2026-12-01T09:00:00+00:00", "c-1"]'),  # a GET /cases cursor
        b64(b'["2026-12-01T09:00:00", "c-1", "k"]'),  # no offset: not one we gave
        b64(b'["2026-12-01T09:00:00+00:00", "c-1", 7]'),
        "A" * 401,
    ]:
        answer = await api.get("/me/work", "E-SUPERVISOR", params={"cursor": cursor})
        assert answer.status_code == 422, (cursor, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == ["cursor"], cursor


async def test_an_acceptance_comes_before_its_actions_across_a_page_boundary(
    sqlite_url: str, sessions_for: Any
) -> None:
    """Due after its action, the acceptance still comes first, even one to a page."""
    sessions = sessions_for(sqlite_url)
    soon, later = NOW + timedelta(days=1), NOW + timedelta(days=4)
    detail = {"open": [
        {"key": "action:retrain", "title": "Retrain", "role": None, "assignee": "E-OWNER",
         "deadline": soon.isoformat()},
        {"key": "pathway-acceptance", "title": "Accept", "role": None, "assignee": "E-OWNER",
         "deadline": later.isoformat()},
    ]}  # fmt: skip
    async with transaction(sessions) as session:
        case = owned_case("ack-case-NM-P1", detail=detail)
        session.add(case)
        await sync_open_obligations(session, case, detail)
    async with sessions() as session:
        pages: list[tuple[str, Any]] = []
        after: OwedAfter | None = None
        while page := await case_obligations(session, "E-OWNER", frozenset(), after, 1):
            pages.append((page[0].key, page[0].deadline))
            after = OwedAfter(page[0].sort_at, page[0].case.case_id, page[0].key, page[0].rank)
    assert pages == [("pathway-acceptance", later), ("action:retrain", soon)]


async def test_my_work_pages_in_the_browser_by_keyboard(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for, chromium
) -> None:
    await busy(sqlite_url, sessions_for, api_for, 60)

    async def clock():  # type: ignore[no-untyped-def]
        return NOW

    async with signed_in_page(chromium, sqlite_url, "E-Supervisor", clock=clock) as (base, page):
        table = page.get_by_role("table", name="What you owe now, soonest due first")
        await expect(table.get_by_role("row")).to_have_count(PAGE + 1)  # the header too
        await expect(page.locator("#owed-bands")).to_contain_text("60 in all — 13 overdue")
        await accessible(page, "my-work-busy")
        pages = page.get_by_role("navigation", name="Pages of my work")
        later = pages.get_by_role("link", name=f"Next {PAGE}, due later")
        await later.focus()  # reached by Tab like any link; Enter follows it
        await page.keyboard.press("Enter")
        await expect(table.get_by_role("row")).to_have_count(60 - PAGE + 1)
        await expect(pages).to_contain_text("That is everything you owe.")
        await expect(page.get_by_role("link", name="Triage 050")).to_be_visible()
        await accessible(page, "my-work-busy-next")
        await page.set_viewport_size(PHONE)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        await pages.get_by_role("link", name="Back to the most urgent").focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{base}/app")
        await expect(page.get_by_role("link", name="Triage 000")).to_be_visible()


async def test_an_action_on_a_later_page_still_waits_for_the_acceptance(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)  # E-OWNER's pathway, 2 obligations
    actions = [
        {"key": f"action:a{n:02d}", "title": f"Action {n:02d}", "role": None,
         "assignee": "E-OWNER", "deadline": (NOW + timedelta(hours=n + 1)).isoformat()}
        for n in range(PAGE)
    ]  # fmt: skip
    accept = {"key": "pathway-acceptance", "title": "Accept the recovery pathway", "role": None,
              "assignee": "E-OWNER", "deadline": (NOW + timedelta(days=9)).isoformat()}  # fmt: skip
    async with transaction(api.app.state.sessions) as session:
        case = await session.get(Case, PATHWAY)
        assert case is not None
        case.detail = {"pathway_owner": "E-OWNER", "open": [accept, *actions]}
        await sync_open_obligations(session, case, case.detail)
    await sign_in(api, "E-OWNER")
    first = (await api.http.get("/app")).text
    assert "Accept the recovery pathway" in _rows_text(first)[0]  # before every action
    later = (await api.http.get(_next(first) or "")).text
    [last] = _rows_text(later)
    assert f"Action {PAGE - 1:02d} (once you have accepted the pathway)" in last


async def test_due_alike_the_most_severe_case_comes_first_across_pages(
    sqlite_url: str, sessions_for: Any
) -> None:
    """Obligations due at the same time: critical (or failed) before emerging (or doubtful)
    before the rest, then by case, one to a page as on a full list (the walk saw a critical
    report among emerging ones because they were in report order)."""
    sessions = sessions_for(sqlite_url)
    due, earlier = NOW + timedelta(days=1), NOW + timedelta(hours=2)
    cases = [  # (case, exposure, due): report order is not severity order
        ("ack-case-NM-10001", "emerging", due),
        ("ack-case-NM-10002", "within_tolerance", due),
        ("ack-case-NM-10003", "emerging", earlier),
        ("ack-case-NM-10030", "critical", due),
        ("closure-case-CC-0001", "failed", due),
        ("closure-case-CC-0002", "doubtful", due),
    ]
    async with transaction(sessions) as session:
        for case_id, exposure, deadline in cases:
            owed = {"key": "step:x", "title": "X", "role": None, "assignee": "E-OWNER"}
            detail = {"open": [owed | {"deadline": deadline.isoformat()}]}
            case = owned_case(case_id, exposure=exposure, detail=detail)
            session.add(case)
            await sync_open_obligations(session, case, detail)
    expected = [
        "ack-case-NM-10003",  # due first
        "ack-case-NM-10030",  # then, due alike: critical and failed
        "closure-case-CC-0001",
        "ack-case-NM-10001",  # emerging and doubtful
        "closure-case-CC-0002",
        "ack-case-NM-10002",  # within tolerance
    ]
    async with sessions() as session:
        whole = await case_obligations(session, "E-OWNER", frozenset())
        assert [o.case.case_id for o in whole] == expected
        paged: list[str] = []
        after: OwedAfter | None = None
        while page := await case_obligations(session, "E-OWNER", frozenset(), after, 1):
            paged.append(page[0].case.case_id)
            last = page[0]
            after = OwedAfter(last.sort_at, last.case.case_id, last.key, last.rank)
        assert paged == expected
    async with sessions() as session:  # an exposure raised later moves the case up
        [case] = [await session.get(Case, "ack-case-NM-10002")]
        assert case is not None
        case.exposure = "critical"
        await sync_open_obligations(session, case, case.detail)
        await session.commit()
    async with sessions() as session:
        moved = [o.case.case_id for o in await case_obligations(session, "E-OWNER", frozenset())]
        assert moved[1:3] == ["ack-case-NM-10002", "ack-case-NM-10030"]
